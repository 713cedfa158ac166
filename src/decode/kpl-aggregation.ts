import { createHash } from 'node:crypto';
import type { StreamRecord } from './stream-record.ts';

/**
 * De-aggregation of records produced by the Kinesis Producer Library (KPL): magic bytes
 * `F3 89 9A C2`, a protobuf `AggregatedRecord`, then the MD5 of the protobuf bytes.
 * Each sub-record keeps the outer sequence number and gets its index as sub-sequence
 * number, so keys and rejects name it distinctly. Pure; no AWS types.
 *
 * ```proto
 * message AggregatedRecord { repeated string partition_key_table = 1; repeated string explicit_hash_key_table = 2; repeated Record records = 3; }
 * message Record { required uint64 partition_key_index = 1; optional uint64 explicit_hash_key_index = 2; required bytes data = 3; repeated Tag tags = 4; }
 * ```
 */
export const KPL_MAGIC = Uint8Array.of(0xf3, 0x89, 0x9a, 0xc2);
const DIGEST_BYTES = 16;

export type Deaggregated =
  | { readonly ok: true; readonly records: StreamRecord[] }
  | { readonly ok: false; readonly reason: string };

/** True when the data starts with the KPL magic bytes. */
export function isAggregated(data: Uint8Array): boolean {
  return data.length >= KPL_MAGIC.length && KPL_MAGIC.every((b, i) => data[i] === b);
}

/** Minimal protobuf reader: varints and length-delimited fields are all the format uses. */
class ProtoReader {
  pos = 0;
  constructor(readonly bytes: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.bytes.length;
  }

  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.bytes.length) throw new RangeError('truncated varint');
      const byte = this.bytes[this.pos++]!;
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7;
      if (shift > 63) throw new RangeError('varint too long');
    }
  }

  bytesField(): Uint8Array {
    const length = this.varint();
    if (this.pos + length > this.bytes.length) throw new RangeError('truncated field');
    const out = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  skip(wireType: number): void {
    const skips: Record<number, () => void> = {
      0: () => void this.varint(),
      1: () => void (this.pos += 8),
      2: () => void this.bytesField(),
      5: () => void (this.pos += 4),
    };
    const skip = skips[wireType];
    if (!skip) throw new RangeError(`unsupported wire type ${wireType}`);
    skip();
    if (this.pos > this.bytes.length) throw new RangeError('truncated field');
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

interface SubRecord {
  partitionKeyIndex?: number;
  data?: Uint8Array;
}

function parseSubRecord(bytes: Uint8Array): SubRecord {
  const reader = new ProtoReader(bytes);
  const record: SubRecord = {};
  while (!reader.done) {
    const tag = reader.varint();
    const field = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (field === 1 && wireType === 0) record.partitionKeyIndex = reader.varint();
    else if (field === 3 && wireType === 2) record.data = reader.bytesField();
    else reader.skip(wireType);
  }
  return record;
}

/**
 * Splits a KPL aggregate into its sub-records; a plain record comes back as itself.
 * A corrupt aggregate (bad checksum, bad protobuf) is reported with the reason, for rejects.
 *
 * @example
 * ```ts
 * const result = deaggregate(record);
 * if (result.ok) for (const sub of result.records) console.log(sub.subSequenceNumber, sub.partitionKey);
 * ```
 */
export function deaggregate(record: StreamRecord): Deaggregated {
  const { data } = record;
  if (!isAggregated(data)) return { ok: true, records: [record] };
  if (data.length < KPL_MAGIC.length + DIGEST_BYTES) {
    return { ok: false, reason: 'KPL aggregated record is too short to hold its checksum' };
  }
  const message = data.subarray(KPL_MAGIC.length, data.length - DIGEST_BYTES);
  const digest = data.subarray(data.length - DIGEST_BYTES);
  const expected = createHash('md5').update(message).digest();
  if (!expected.equals(digest)) {
    return { ok: false, reason: 'KPL aggregated record is corrupt: its MD5 checksum does not match its contents' };
  }
  try {
    const reader = new ProtoReader(message);
    const partitionKeys: string[] = [];
    const subRecords: SubRecord[] = [];
    while (!reader.done) {
      const tag = reader.varint();
      const field = Math.floor(tag / 8);
      const wireType = tag & 7;
      if (field === 1 && wireType === 2) partitionKeys.push(utf8.decode(reader.bytesField()));
      else if (field === 3 && wireType === 2) subRecords.push(parseSubRecord(reader.bytesField()));
      else reader.skip(wireType);
    }
    const records = subRecords.map((sub, index): StreamRecord => {
      if (sub.data === undefined) throw new RangeError(`sub-record ${index} has no data`);
      const partitionKey = sub.partitionKeyIndex === undefined ? undefined : partitionKeys[sub.partitionKeyIndex];
      if (partitionKey === undefined) throw new RangeError(`sub-record ${index} names a missing partition key`);
      return {
        data: sub.data,
        shardId: record.shardId,
        sequenceNumber: record.sequenceNumber,
        subSequenceNumber: index,
        partitionKey,
        arrivalTime: record.arrivalTime,
      };
    });
    return { ok: true, records };
  } catch (error) {
    return { ok: false, reason: `KPL aggregated record is malformed: ${(error as Error).message}` };
  }
}
