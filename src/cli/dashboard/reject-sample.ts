import type { RejectLine } from '../../format/rejects-ndjson.ts';
import type { RejectStage } from '../../decode/decode.ts';
import { escapeBytes, type EscapedBytes } from './raw-bytes.ts';

/**
 * A rejected record as the page shows it: where it came from, why it was rejected, and its
 * raw bytes escaped as text ({@link escapeBytes}) and as hex. Reject lines carry the record's
 * bytes as base64, exactly as produced: they may hold anything, markup included.
 *
 * @example
 * ```ts
 * const sample: RejectSample = { stage: 'json', reason: 'record data is not JSON: ...', shardId: 'shardId-000000000001',
 *   sequenceNumber: '4959...', partitionKey: 'rpi-3', arrivalTime: '2026-11-23T10:20:30.000Z',
 *   raw: { text: '{"broken": ', bytes: 11, truncated: false }, hex: '7b2262726f6b656e223a20' };
 * ```
 */
export interface RejectSample {
  readonly stage: RejectStage;
  readonly reason: string;
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly arrivalTime: string;
  readonly raw: EscapedBytes;
  /** The first {@link HEX_BYTES} bytes in hex, two digits each. */
  readonly hex: string;
}

/** How much of a record the page gets: enough to recognise it, little enough for any record size. */
const SHOWN_BYTES = 4096;
const HEX_BYTES = 256;

/**
 * A reject line (as `decodeRejects` reads it) made safe to show.
 *
 * @example
 * ```ts
 * const sample = rejectSample(status.jobs[0]!.latestReject!);
 * sample.raw.text; // '<script>alert(1)</script>' — text, for textContent
 * ```
 */
export function rejectSample(line: RejectLine): RejectSample {
  const data = new Uint8Array(Buffer.from(line.data, 'base64'));
  return {
    stage: line.stage,
    reason: line.reason,
    shardId: line.shardId,
    sequenceNumber: line.sequenceNumber,
    partitionKey: line.partitionKey,
    arrivalTime: line.arrivalTime,
    raw: escapeBytes(data, { maxBytes: SHOWN_BYTES }),
    hex: Buffer.from(data.subarray(0, HEX_BYTES)).toString('hex'),
  };
}
