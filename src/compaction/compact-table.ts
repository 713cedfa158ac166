import { compactPartition } from './compact-partition.ts';
import { failedOutcome, summarizeCompaction, type CompactionReport, type PartitionOutcome } from './compaction-report.ts';
import { assertHour, partitionsToCompact, tableContext, type TableContextOptions } from './table-partitions.ts';

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
 * const options: CompactTableOptions = { job, store: env.store, catalog: env.catalog, now: new Date(), targetBytes: 64 * 1024 * 1024, concurrency: 4 };
 * ```
 */
export interface CompactTableOptions extends TableContextOptions {
  readonly onProgress?: (progress: CompactionProgress) => void;
  /**
   * Checked before each partition: once aborted, the run stops there and reports the
   * partitions it reached (`partitions.seen` is then below the progress `total`). A Lambda
   * stops this way before its timeout; the next run picks up where this one stopped.
   */
  readonly signal?: AbortSignal;
  /** Units of a partition written at once; 4 unless given. */
  readonly concurrency?: number;
}

/** Units at once in one process: enough to overlap one unit's waits on the store with another's encoding. */
const DEFAULT_CONCURRENCY = 4;

/**
 * Compacts every registered partition of the job's table in this process, one partition at
 * a time, running the same plan, unit and commit steps a deployed run fans out over
 * functions (see {@link compactPartition}): the files of each hour older than the retry
 * horizon are merged into files near the target size (partial aggregates into final rows for
 * an aggregate table), swapped in for readers through the catalog, and the replaced files
 * deleted after the grace period. Idempotent: a second run with nothing new compacts nothing.
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
  const context = tableContext(options);
  const tableName = `${context.table.database}.${context.table.name}`;
  const partitions = await partitionsToCompact(options.job, options.catalog);
  options.onProgress?.({ done: 0, total: partitions.length });
  const outcomes: PartitionOutcome[] = [];
  for (const partition of partitions) {
    if (options.signal?.aborted) break;
    let outcome: PartitionOutcome;
    try {
      assertHour(tableName, partition);
      outcome = await compactPartition(context, partition, { concurrency: options.concurrency ?? DEFAULT_CONCURRENCY });
    } catch (error) {
      outcome = failedOutcome(partition.path, error);
    }
    outcomes.push(outcome);
    options.onProgress?.({ done: outcomes.length, total: partitions.length, outcome });
  }
  return summarizeCompaction(tableName, outcomes);
}
