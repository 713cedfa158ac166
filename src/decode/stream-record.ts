/**
 * A record as sluice sees it, whatever delivered it (GetRecords, a Lambda event, a test):
 * the raw bytes and where they came from. No AWS types.
 */
export interface StreamRecord {
  /** The record's data, exactly as produced. */
  readonly data: Uint8Array;
  readonly shardId: string;
  readonly sequenceNumber: string;
  /** Position inside a KPL-aggregated record; absent for plain records. */
  readonly subSequenceNumber?: number;
  readonly partitionKey: string;
  /** When the stream accepted the record. */
  readonly arrivalTime: Date;
}

/** `<sequenceNumber>` or `<sequenceNumber>-<subSequenceNumber>`: a record's identity in keys and rejects. */
export function recordId(record: Pick<StreamRecord, 'sequenceNumber' | 'subSequenceNumber'>): string {
  return record.subSequenceNumber === undefined
    ? record.sequenceNumber
    : `${record.sequenceNumber}-${String(record.subSequenceNumber).padStart(5, '0')}`;
}

/** Kinesis sequence numbers are decimal strings of up to 128 bits: compare them as such. */
export function compareSequenceNumbers(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
