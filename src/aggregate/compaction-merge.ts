import { CompactionError } from '../errors.ts';
import type { Job } from '../job/define-job.ts';
import { mergePartialRows, type PartialRow } from './partials.ts';
import type { ResolvedAggregate } from './resolve-aggregate.ts';

/**
 * Partial rows merged a chunk at a time: one merged row per window and group seen since the
 * last `finish`, nothing else kept.
 *
 * @example
 * ```ts
 * const merger = merge.merger();
 * for await (const rows of chunks) merger.add(rows);
 * const merged = merger.finish(); // window order, then group
 * ```
 */
export interface PartialMerger {
  /** Merges the rows into the windows and groups held. */
  add(rows: readonly PartialRow[]): void;
  /** Windows and groups held: the merge's memory, one row each. */
  readonly size: number;
  /** The merged rows held, by window start then group, and forgets them: the merger starts empty again. */
  finish(): PartialRow[];
}

/**
 * How compaction merges an aggregate table's partial rows. A unit of compaction reads its
 * slice of the partition's files (as for any table: units scale with the input, each reads
 * only its own bytes) and merges the partials it reads into one row per window and group.
 * Its memory is one merged row per window and group held; when that reaches the unit's
 * bound, the merged rows so far are written out and merging starts afresh. Merging is exact
 * and the table's view merges partials at read time anyway, so a window and group written
 * twice (by two units of a large partition, or two flushes of a unit) reads the same as one:
 * a partition within one unit and the bound (most aggregate hours) ends as one row per window
 * and group; a larger one as a few. Sorting every partial by window across all files, or
 * spilling to disk, would merge fully but reads every input again per window range, or needs
 * local disk beyond Lambda's /tmp: neither keeps a unit's work bounded.
 *
 * @example
 * ```ts
 * const merger = compactionMergeFor(job)?.merger();
 * ```
 */
export interface CompactionMerge {
  /** An empty merge. */
  merger(): PartialMerger;
}

/**
 * How compaction merges the rows of one partition: `undefined` for a plain table (rows are
 * kept as they are); for an aggregate table, the merge of partial aggregates into one row
 * per window and group ({@link CompactionMerge}).
 *
 * @example
 * ```ts
 * const merge = compactionMergeFor(job);
 * const merged = merge?.merger();
 * ```
 */
export function compactionMergeFor(job: Job): CompactionMerge | undefined {
  const aggregate = job.output.aggregate;
  return aggregate === undefined ? undefined : { merger: () => windowMerger(aggregate) };
}

/** A time as the Parquet reader gives it (Date) or as a number. */
const epochMs = (value: unknown): number => (value instanceof Date ? value.getTime() : Number(value));

/**
 * A window and group's identity as text, normalised as `mergePartialRows` groups rows (a Date
 * and its epoch number differ): two rows with the same text merge into one.
 */
function groupText(aggregate: ResolvedAggregate, row: PartialRow): string {
  const values = aggregate.groupBy.map((c) => {
    const v = row[c.name];
    return v instanceof Date ? { date: v.getTime() } : typeof v === 'bigint' ? { bigint: String(v) } : (v ?? null);
  });
  return JSON.stringify([epochMs(row['window_start']), ...values]);
}

function windowMerger(aggregate: ResolvedAggregate): PartialMerger {
  const merged = new Map<string, PartialRow>();
  return {
    add(rows) {
      // Rows of one chunk merge among themselves first: one lookup per window and group, not per row.
      for (const row of mergePartialRows(aggregate, rows)) {
        const text = groupText(aggregate, row);
        const held = merged.get(text);
        if (held === undefined) {
          merged.set(text, row);
          continue;
        }
        const [one, ...more] = mergePartialRows(aggregate, [held, row]);
        if (one === undefined || more.length > 0) {
          throw new CompactionError(`merging the partials of ${text} gave ${more.length + (one ? 1 : 0)} rows instead of one: the merge key disagrees with the aggregate's grouping`);
        }
        merged.set(text, one);
      }
    },
    get size() {
      return merged.size;
    },
    finish() {
      const entries = [...merged.entries()];
      merged.clear();
      entries.sort(([a, x], [b, y]) => epochMs(x['window_start']) - epochMs(y['window_start']) || (a < b ? -1 : a > b ? 1 : 0));
      return entries.map(([, row]) => row);
    },
  };
}
