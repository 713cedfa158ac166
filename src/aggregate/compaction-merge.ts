import type { Job } from '../job/define-job.ts';
import { mergePartialRows } from './partials.ts';

/** Rows of one partition, as read back from its Parquet files. */
export type PartitionRows = Record<string, unknown>[];

/**
 * How compaction merges the rows of one partition: `undefined` for a plain table (rows are
 * kept as they are); for an aggregate table, a function that merges partial aggregates
 * into one row per window and group.
 *
 * @example
 * ```ts
 * const merge = compactionMergeFor(job);
 * const rows = merge ? merge(partials) : partials;
 * ```
 */
export function compactionMergeFor(job: Job): ((rows: PartitionRows) => PartitionRows) | undefined {
  const aggregate = job.output.aggregate;
  return aggregate ? (rows) => mergePartialRows(aggregate, rows) : undefined;
}
