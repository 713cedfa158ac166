/**
 * What a job's unit tests import (`sluice/testing`): records built from objects, lines or
 * bytes (with shard, sequence numbers and arrival times), a batch run through the job with its
 * rows, rejects, partitions and keys read back, and Kinesis events and in-memory adapters for
 * handler tests. Nothing here touches AWS, the network or the clock.
 *
 * @example
 * ```ts
 * import { expect, it } from 'vitest';
 * import { RejectStage, runJobBatch, streamRecords } from 'sluice/testing';
 * import job from '../jobs/sensor-readings.ts';
 *
 * it('rejects a reading without a temperature, saying why', () => {
 *   const { rows, rejects } = runJobBatch(job, streamRecords([{ client_id: 'rpi-1', timestamp: '2026-11-23 08:15:02' }]));
 *   expect(rows).toEqual([]);
 *   expect(rejects.map((r) => r.stage)).toEqual([RejectStage.Validation]);
 *   expect(rejects[0].reason).toContain('temperature');
 * });
 * ```
 */
export {
  DEFAULT_ARRIVAL_TIME,
  DEFAULT_FIRST_SEQUENCE_NUMBER,
  DEFAULT_SHARD_ID,
  recordFromBytes,
  recordsFromLines,
  recordsOfBytes,
  streamRecords,
  type RecordOptions,
  type RecordsOptions,
} from './records.ts';
export { runJobBatch, type JobBatch, type TestFile, type TestReject } from './run-job-batch.ts';
export { kinesisEvent, type KinesisEventOptions } from './kinesis-event.ts';
export { memoryAdapters, type MemoryAdapters } from './memory-adapters.ts';
export { RejectStage } from '../decode/decode.ts';
export type { StreamRecord } from '../decode/stream-record.ts';
export type { PartialRow } from '../aggregate/partials.ts';
