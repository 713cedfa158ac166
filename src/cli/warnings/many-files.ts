import type { Job } from '../../job/define-job.ts';
import type { BatchReport } from '../../runtime/batch-processor.ts';
import { atGrowingInterval } from './growing-interval.ts';

/**
 * Parquet files one batch may write before a run warns: beyond it, partitioning costs more than it saves.
 *
 * @example
 * ```ts
 * if (report.metrics.files > MANY_FILES_PER_BATCH) warn(...);
 * ```
 */
export const MANY_FILES_PER_BATCH = 100;

/**
 * Options of {@link manyFilesWarning}.
 *
 * @example
 * ```ts
 * const options: ManyFilesOptions = { job, warn: (line) => log.warn(line) };
 * ```
 */
export interface ManyFilesOptions {
  readonly job: Job;
  readonly warn: (line: string) => void;
  /** Files per batch above which a batch is reported; {@link MANY_FILES_PER_BATCH} by default. */
  readonly threshold?: number;
}

/**
 * Watches committed batches for ones that write more files than the threshold (one per
 * partition they touch): a partition key with many distinct values per batch turns each
 * batch into hundreds of S3 PUTs, hundreds of small files for Athena to open, and as many
 * Glue partitions. Warns with the numbers on the first such batch, then at a growing
 * interval.
 *
 * @example
 * ```ts
 * const onBatch = manyFilesWarning({ job, warn: (line) => log.warn(line) });
 * runJob({ ..., onBatch });
 * ```
 */
export function manyFilesWarning(options: ManyFilesOptions): (report: BatchReport) => void {
  const threshold = options.threshold ?? MANY_FILES_PER_BATCH;
  const { job } = options;
  let batches = 0;
  let most = 0;
  return (report) => {
    const files = report.metrics.files;
    if (files <= threshold) return;
    batches++;
    most = Math.max(most, files);
    if (!atGrowingInterval(batches)) return;
    const keys = job.output.allPartitionKeys.join(', ');
    const seen = batches === 1 ? '' : ` (${batches} such batches in this run, at most ${most} files)`;
    options.warn(
      `${job.name}: a batch of ${report.metrics.records} records on ${report.shardId} wrote ${files} Parquet files, over ${threshold} per batch${seen}: ` +
        `one file per partition (${keys}) the batch touches. Each file is an S3 PUT, a small file Athena opens, and a Glue partition to register; ` +
        'partition by keys with fewer distinct values per batch (or none beyond the hour), and compact.',
    );
  };
}
