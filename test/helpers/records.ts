import type { StreamRecord } from '../../src/decode/stream-record.ts';

const encoder = new TextEncoder();

/** A stream record whose data is the JSON of `document` (or the given raw bytes). */
export function streamRecord(
  document: unknown,
  overrides: Partial<Omit<StreamRecord, 'data'>> & { data?: Uint8Array } = {},
): StreamRecord {
  return {
    data: overrides.data ?? encoder.encode(JSON.stringify(document)),
    shardId: overrides.shardId ?? 'shardId-000000000000',
    sequenceNumber: overrides.sequenceNumber ?? '1000',
    partitionKey: overrides.partitionKey ?? 'pk',
    arrivalTime: overrides.arrivalTime ?? new Date('2026-11-23T10:20:30.000Z'),
    ...(overrides.subSequenceNumber === undefined ? {} : { subSequenceNumber: overrides.subSequenceNumber }),
  };
}

/** Records for documents, with consecutive sequence numbers from `first`. */
export function streamRecords(documents: readonly unknown[], options: { first?: number; shardId?: string } = {}): StreamRecord[] {
  const first = options.first ?? 1000;
  return documents.map((d, i) =>
    streamRecord(d, { sequenceNumber: String(first + i), ...(options.shardId ? { shardId: options.shardId } : {}) }),
  );
}

/** A Sense HAT message with sensible defaults. */
export function senseHat(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    client_id: 'rpi-sensehat-001',
    timestamp: '2026-11-23 08:15:02',
    humidity: 41.5,
    temperature: 21.25,
    pressure: 1012.5,
    pitch: 1.5,
    roll: 2.5,
    yaw: 359.5,
    count: 1,
    ...overrides,
  };
}
