import { messageOf } from '../error-message.ts';
import { compactionMergeFor } from '../aggregate/compaction-merge.ts';
import type { Catalog, PartitionDescriptor } from '../catalog/catalog.ts';
import { CompactionError } from '../errors.ts';
import type { Job } from '../job/define-job.ts';
import { partitionPath } from '../partition/hive-escape.ts';
import type { ObjectStore } from '../store/object-store.ts';
import { compactionLayout } from './compaction-layout.ts';
import { PartitionStatus, summarizeCompaction, UNCHANGED, type CompactionReport, type PartitionOutcome } from './compaction-report.ts';
import { compactionSettings, type CompactionSettings } from './compaction-settings.ts';
import { compactPartition, type PartitionContext } from './compact-partition.ts';

/**
 * How far a run is: reported once with `done: 0` when the partitions are known, then after
 * each partition with its outcome.
 *
 * @example
 * ```ts
 * onProgress: ({ done, total, outcome }) => console.log(`${done}/${total}`, outcome?.status),
 * ```
 */
export interface CompactionProgress {
  readonly done: number;
  readonly total: number;
  readonly outcome?: PartitionOutcome;
}

/**
 * Options of {@link compactTable}.
 *
 * @example
 * ```ts
 * const options: CompactTableOptions = { job, store: env.store, catalog: env.catalog, now: new Date(), targetBytes: 64 * 1024 * 1024 };
 * ```
 */
export interface CompactTableOptions extends Partial<CompactionSettings> {
  readonly job: Job;
  readonly store: ObjectStore;
  readonly catalog: Catalog;
  /** The run's clock: file ages, hour ends and grace periods are measured against it. */
  readonly now: Date;
  readonly onProgress?: (progress: CompactionProgress) => void;
  /**
   * Checked before each partition: once aborted, the run stops there and reports the
   * partitions it reached (`partitions.seen` is then below the progress `total`). A Lambda
   * stops this way before its timeout; the next run picks up where this one stopped.
   */
  readonly signal?: AbortSignal;
}

const HOUR_MS = 3_600_000;

/**
 * Compacts every registered partition of the job's table, one partition at a time (see
 * {@link compactPartition}): the files of each hour older than the retry horizon are merged
 * into files near the target size (partial aggregates into final rows for an aggregate
 * table), swapped in for readers through the catalog, and the replaced files deleted after
 * the grace period. Idempotent: a second run with nothing new compacts nothing.
 *
 * A partition that fails is reported as failed (with the error) and the run goes on with
 * the others; the partition stays readable as before and the next run retries it. Rejects
 * with `CompactionError` for a table that cannot be compacted (partition projection, no
 * retry horizon), and with the catalog's error when its partitions cannot be listed.
 *
 * @example
 * ```ts
 * const report = await compactTable({ job, store, catalog, now: new Date() });
 * console.log(`${report.partitions.compacted} partitions: ${report.files.before} files -> ${report.files.after}`);
 * ```
 */
export async function compactTable(options: CompactTableOptions): Promise<CompactionReport> {
  const { job, store, catalog, now } = options;
  const table = { database: job.output.database, name: job.output.name };
  const tableName = `${table.database}.${table.name}`;
  if (job.output.projection !== undefined) {
    throw new CompactionError(
      `cannot compact ${tableName} (job '${job.name}'): it uses partition projection, so Athena computes every partition's ` +
        `location from a template (the folders batches write to) and there is no per-partition location to swap to compacted ` +
        `files; remove \`projection\` from the table (partitions are then registered as they appear) to compact it`,
    );
  }
  const context: PartitionContext = {
    store,
    catalog,
    table,
    columns: job.output.dataColumns,
    compression: job.output.compression,
    layout: compactionLayout({ prefix: job.output.prefix, table: job.output.name }),
    settings: compactionSettings(job, options),
    now,
    merge: compactionMergeFor(job),
  };
  const keys = job.output.allPartitionKeys;
  const partitions = [...(await catalog.listPartitions(table))].sort((a, b) => compareValues(a.values, b.values));
  options.onProgress?.({ done: 0, total: partitions.length });
  const outcomes: PartitionOutcome[] = [];
  for (const partition of partitions) {
    if (options.signal?.aborted) break;
    const path = partitionPath(keys.map((key, i) => [key, partition.values[i] ?? null] as const));
    let outcome: PartitionOutcome;
    try {
      outcome = await compactPartition(context, { ...partition, path, hourEnd: hourEndOf(tableName, keys, partition) });
    } catch (error) {
      outcome = failed(path, error);
    }
    outcomes.push(outcome);
    options.onProgress?.({ done: outcomes.length, total: partitions.length, outcome });
  }
  return summarizeCompaction(tableName, outcomes);
}

/** The end of the partition's UTC hour, from its year, month, day and hour values. */
function hourEndOf(table: string, keys: readonly string[], partition: PartitionDescriptor): Date {
  const value = (key: string) => Number(partition.values[keys.indexOf(key)]);
  const [year, month, day, hour] = [value('year'), value('month'), value('day'), value('hour')];
  const start = Date.UTC(year, month - 1, day, hour);
  if (!Number.isFinite(start)) {
    throw new CompactionError(
      `partition (${partition.values.join(', ')}) of ${table} has no hour sluice can read from its year, month, day and hour values; ` +
        `it was not registered by sluice: leave it out of the table, or fix its values`,
    );
  }
  return new Date(start + HOUR_MS);
}

function failed(path: string, error: unknown): PartitionOutcome {
  return {
    partition: path,
    status: PartitionStatus.Failed,
    error: messageOf(error),
    generation: 0,
    ...UNCHANGED,
    filesDeleted: 0,
    waiting: 0,
    rolledForward: false,
  };
}

function compareValues(a: readonly string[], b: readonly string[]): number {
  const left = JSON.stringify(a);
  const right = JSON.stringify(b);
  return left < right ? -1 : left > right ? 1 : 0;
}
