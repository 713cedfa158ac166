import type { RejectStage } from '../decode/decode.ts';
import type { StreamRecord } from '../decode/stream-record.ts';

/** A record that could not become a row, and why. */
export interface Reject {
  readonly record: StreamRecord;
  readonly stage: RejectStage;
  readonly reason: string;
}

/** One line of a rejects file. `data` is the record's bytes, base64, exactly as produced. */
export interface RejectLine {
  readonly job: string;
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly subSequenceNumber?: number;
  readonly partitionKey: string;
  readonly arrivalTime: string;
  readonly stage: RejectStage;
  readonly reason: string;
  readonly data: string;
}

/** The line a reject is stored as. */
export function rejectLine(job: string, reject: Reject): RejectLine {
  const { record } = reject;
  return {
    job,
    shardId: record.shardId,
    sequenceNumber: record.sequenceNumber,
    ...(record.subSequenceNumber === undefined ? {} : { subSequenceNumber: record.subSequenceNumber }),
    partitionKey: record.partitionKey,
    arrivalTime: record.arrivalTime.toISOString(),
    stage: reject.stage,
    reason: reject.reason,
    data: Buffer.from(record.data.buffer, record.data.byteOffset, record.data.byteLength).toString('base64'),
  };
}

const encoder = new TextEncoder();

/**
 * Rejects -> NDJSON bytes, one JSON object per line, in record order.
 *
 * @example
 * ```ts
 * const bytes = encodeRejects('sensor-readings', rejects);
 * ```
 */
export function encodeRejects(job: string, rejects: readonly Reject[]): Uint8Array {
  return encoder.encode(rejects.map((r) => `${JSON.stringify(rejectLine(job, r))}\n`).join(''));
}

/** NDJSON bytes -> reject lines (for tools and tests that read rejects back). */
export function decodeRejects(bytes: Uint8Array): RejectLine[] {
  return new TextDecoder()
    .decode(bytes)
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as RejectLine);
}
