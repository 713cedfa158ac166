import type { BatchMetrics } from './batch-metrics.ts';
import type { CompactionMetrics } from './compaction-metrics.ts';

/**
 * A shard whose batch is failing: the attempts at the same first record since its last commit.
 *
 * @example
 * ```ts
 * const failing: ShardFailure = { job: 'sensor-readings', shardId: 'shardId-000000000000', first: '4959...', last: '4959...',
 *   attempts: 3, since: 1764750000000, at: 1764750004000, error: 'ENOTDIR: not a directory, mkdir ...' };
 * ```
 */
export interface ShardFailure {
  readonly job: string;
  readonly shardId: string;
  /** Record ids of the failing batch's first and last record (the last attempt's). */
  readonly first: string;
  readonly last: string;
  /** Failed attempts at this first record, in a row. */
  readonly attempts: number;
  /** Epoch ms of the first and the latest failed attempt. */
  readonly since: number;
  readonly at: number;
  /** The latest attempt's error. */
  readonly error: string;
}

/**
 * Where a local run keeps its numbers for `sluice status` and the dashboard: the metrics of
 * each committed batch, the shards whose batch is failing, and compaction runs. Writes are
 * made by the one worker that holds a shard's lease, so one shard has one writer.
 *
 * Contract (`test/contracts/metrics-log-contract.ts` runs it against every adapter):
 * - `appendBatch(metrics)`: after a batch committed (files written, partitions registered),
 *   before its checkpoint moves. A batch committed again from the same first record (a retry
 *   after a crash or a failed checkpoint) replaces the earlier entry when read: reads count
 *   each record once. Clears the shard's failure. Rejects with the file system's error.
 * - `recordFailure(failure)`: after an attempt failed. Idempotent per (shard, first, attempt count).
 * - `appendCompaction(run)`: after a compaction run.
 * - `batches(job)`, `failures(job)`, `compactions(job)`: what was written, in commit order;
 *   lines a killed writer left half-written are skipped. Never reject for a job never run (empty).
 */
export interface MetricsLog {
  appendBatch(metrics: BatchMetrics): Promise<void>;
  /** Adds one failed attempt at `failure.first` (the count restarts when the first record changes); returns the shard's failure. */
  recordFailure(failure: Omit<ShardFailure, 'attempts' | 'since'>): Promise<ShardFailure>;
  appendCompaction(run: CompactionMetrics): Promise<void>;
  batches(job: string): Promise<readonly BatchMetrics[]>;
  failures(job: string): Promise<readonly ShardFailure[]>;
  compactions(job: string): Promise<readonly CompactionMetrics[]>;
}

/**
 * One entry per (shard, first record): the latest committed wins. A retry that starts at the same
 * record covers at least what it replaces from there (or the rest follows as later batches).
 *
 * @example
 * ```ts
 * latestPerBatch([a1, a1Again, b]); // [a1Again, b]
 * ```
 */
export function latestPerBatch(entries: readonly BatchMetrics[]): BatchMetrics[] {
  const byStart = new Map<string, BatchMetrics>();
  for (const entry of entries) {
    const key = `${entry.shardId}\u0000${entry.first}`;
    byStart.delete(key);
    byStart.set(key, entry);
  }
  return [...byStart.values()].sort((a, b) => a.committedAt - b.committedAt);
}
