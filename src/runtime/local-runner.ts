import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { Catalog } from '../catalog/catalog.ts';
import type { CheckpointStore } from '../checkpoint/checkpoint-store.ts';
import type { Job } from '../job/define-job.ts';
import { streamName } from '../job/source.ts';
import { pollShards, type PollerEvent } from '../source/shard-poller.ts';
import type { ObjectStore } from '../store/object-store.ts';
import { createBatchProcessor, type BatchReport } from './batch-processor.ts';
import { tableDescriptor } from './table-descriptor.ts';

export interface RunJobOptions {
  readonly job: Job;
  readonly kinesis: KinesisClient;
  readonly store: ObjectStore;
  readonly catalog: Catalog;
  readonly checkpoints: CheckpointStore;
  /** Stop once every shard is read to its end (instead of following the stream). */
  readonly untilCaughtUp?: boolean;
  /** Stops the run after the in-flight batches commit (Ctrl-C). */
  readonly signal?: AbortSignal;
  /** Overrides the job's batch size. */
  readonly batchSize?: number;
  /** Overrides the job's batching window, in seconds. */
  readonly batchWindowSeconds?: number;
  /** Where a new shard starts when it has no checkpoint. */
  readonly startingPosition?: 'TRIM_HORIZON' | 'LATEST';
  /** Called after each committed batch. */
  readonly onBatch?: (shardId: string, report: BatchReport) => void;
  readonly onEvent?: (event: PollerEvent) => void;
}

/** Totals of a run. */
export interface RunSummary {
  readonly batches: number;
  readonly records: number;
  readonly rows: number;
  readonly rejects: number;
  readonly files: number;
  readonly bytes: number;
}

/**
 * Runs a job against a stream outside Lambda: sluice's own shard poller reads every shard
 * in micro-batches and, per batch, writes files, registers partitions, then commits the
 * checkpoint. A stopped or killed run resumes from the checkpoint; a batch that was
 * partly written is rewritten under the same keys, so nothing is lost or duplicated.
 *
 * @example
 * ```ts
 * const env = await openLocalEnvironment({ dir: '.sluice' });
 * const summary = await runJob({ job, ...env, untilCaughtUp: true });
 * ```
 */
export async function runJob(options: RunJobOptions): Promise<RunSummary> {
  const { job, store, catalog } = options;
  await catalog.ensureTable(tableDescriptor(job, store));
  const process = createBatchProcessor({ job, store, catalog });
  const totals = { batches: 0, records: 0, rows: 0, rejects: 0, files: 0, bytes: 0 };
  await pollShards({
    client: options.kinesis,
    stream: streamName(job.source.stream),
    scope: { job: job.name, stream: streamName(job.source.stream) },
    checkpoints: options.checkpoints,
    batchSize: options.batchSize ?? job.batch.size,
    batchWindowMs: (options.batchWindowSeconds ?? job.batch.windowSeconds) * 1000,
    ...(options.startingPosition ? { startingPosition: options.startingPosition } : {}),
    ...(options.untilCaughtUp ? { untilCaughtUp: true } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onEvent ? { log: options.onEvent } : {}),
    onBatch: async ({ shardId, records }) => {
      const report = await process(records);
      totals.batches++;
      totals.records += report.records;
      totals.rows += report.rows;
      totals.rejects += report.rejects;
      totals.files += report.files.length;
      totals.bytes += report.bytes;
      options.onBatch?.(shardId, report);
    },
  });
  return totals;
}
