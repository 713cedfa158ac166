import { messageOf } from '../error-message.ts';
import { CompactionError } from '../errors.ts';
import type { SkipReason } from './compaction-plan.ts';

/**
 * What happened to a partition in a run.
 *
 * @example
 * ```ts
 * outcome.status === PartitionStatus.Compacted;
 * ```
 */
export const PartitionStatus = {
  Compacted: 'compacted',
  Skipped: 'skipped',
  Failed: 'failed',
} as const;
export type PartitionStatus = (typeof PartitionStatus)[keyof typeof PartitionStatus];

/**
 * One partition's part of a run. Files and bytes before/after count what a compaction
 * replaced (the current generation and the base files it consumed) and what it wrote; they
 * are 0 for a skipped or failed partition.
 *
 * @example
 * ```ts
 * const outcome: PartitionOutcome = { partition: 'year=2026/month=11/day=23/hour=08', status: 'compacted', generation: 1,
 *   filesBefore: 120, bytesBefore: 9_800_000, filesAfter: 1, bytesAfter: 7_100_000, rowsBefore: 20000, rowsAfter: 20000,
 *   filesDeleted: 0, waiting: 0, rolledForward: false };
 * ```
 */
export interface PartitionOutcome {
  /** Escaped `key=value/...` path. */
  readonly partition: string;
  readonly status: PartitionStatus;
  /** Why a skipped partition was skipped. */
  readonly reason?: SkipReason;
  /** What went wrong with a failed partition. */
  readonly error?: string;
  /** The partition's generation after the run (0 = never compacted). */
  readonly generation: number;
  readonly filesBefore: number;
  readonly bytesBefore: number;
  readonly filesAfter: number;
  readonly bytesAfter: number;
  readonly rowsBefore: number;
  readonly rowsAfter: number;
  /** Replaced files deleted because their grace period was over. */
  readonly filesDeleted: number;
  /** Base files younger than the horizon, left for a later run. */
  readonly waiting: number;
  /** The catalog was pointed at the location a crashed run had committed. */
  readonly rolledForward: boolean;
}

/**
 * The counts of a partition a run did not rewrite (skipped or failed): nothing before or after.
 *
 * @example
 * ```ts
 * const outcome: PartitionOutcome = { partition, status: PartitionStatus.Skipped, generation: 0, ...UNCHANGED, filesDeleted: 0, waiting: 0, rolledForward: false };
 * ```
 */
export const UNCHANGED = { filesBefore: 0, bytesBefore: 0, filesAfter: 0, bytesAfter: 0, rowsBefore: 0, rowsAfter: 0 } as const;

/**
 * The outcome of a partition a step failed on: left as it was, with the error.
 *
 * @example
 * ```ts
 * outcomes.push(failedOutcome('year=2026/month=11/day=23/hour=08', error));
 * ```
 */
export function failedOutcome(path: string, error: unknown): PartitionOutcome {
  return { partition: path, status: PartitionStatus.Failed, error: messageOf(error), generation: 0, ...UNCHANGED, filesDeleted: 0, waiting: 0, rolledForward: false };
}

/**
 * A run over one table: the totals, then every partition.
 *
 * @example
 * ```ts
 * const report = await compactTable({ job, store, catalog, now: new Date() });
 * console.log(`${report.files.before} files -> ${report.files.after}`);
 * ```
 */
export interface CompactionReport {
  /** `<database>.<table>`. */
  readonly table: string;
  readonly partitions: { readonly seen: number; readonly compacted: number; readonly skipped: number; readonly failed: number };
  /** Skipped partitions by reason. */
  readonly skipped: Readonly<Partial<Record<SkipReason, number>>>;
  readonly files: { readonly before: number; readonly after: number; readonly deleted: number };
  readonly bytes: { readonly before: number; readonly after: number };
  readonly rows: { readonly before: number; readonly after: number };
  readonly details: readonly PartitionOutcome[];
}

/**
 * Adds the partitions' outcomes up into the table's report.
 *
 * @example
 * ```ts
 * summarizeCompaction('iot.sensor_readings', outcomes).partitions.compacted;
 * ```
 */
export function summarizeCompaction(table: string, outcomes: readonly PartitionOutcome[]): CompactionReport {
  const sum = (pick: (o: PartitionOutcome) => number) => outcomes.reduce((total, o) => total + pick(o), 0);
  const count = (status: PartitionStatus) => outcomes.filter((o) => o.status === status).length;
  const skipped: Partial<Record<SkipReason, number>> = {};
  for (const outcome of outcomes) if (outcome.reason !== undefined) skipped[outcome.reason] = (skipped[outcome.reason] ?? 0) + 1;
  return {
    table,
    partitions: { seen: outcomes.length, compacted: count(PartitionStatus.Compacted), skipped: count(PartitionStatus.Skipped), failed: count(PartitionStatus.Failed) },
    skipped,
    files: { before: sum((o) => o.filesBefore), after: sum((o) => o.filesAfter), deleted: sum((o) => o.filesDeleted) },
    bytes: { before: sum((o) => o.bytesBefore), after: sum((o) => o.bytesAfter) },
    rows: { before: sum((o) => o.rowsBefore), after: sum((o) => o.rowsAfter) },
    details: outcomes,
  };
}

/**
 * Two reports of one table added up: counts summed, details one after the other. A run that
 * finishes partitions in several steps reports them this way.
 *
 * @example
 * ```ts
 * combineReports(planned, committed).partitions.seen;
 * ```
 */
export function combineReports(a: CompactionReport, b: CompactionReport): CompactionReport {
  const skipped: Partial<Record<SkipReason, number>> = { ...a.skipped };
  for (const [reason, n] of Object.entries(b.skipped) as Array<[SkipReason, number]>) skipped[reason] = (skipped[reason] ?? 0) + n;
  const add = <K extends string>(x: Readonly<Record<K, number>>, y: Readonly<Record<K, number>>) =>
    Object.fromEntries(Object.keys(x).map((k) => [k, x[k as K] + y[k as K]])) as Record<K, number>;
  return {
    table: a.table,
    partitions: add(a.partitions, b.partitions),
    skipped,
    files: add(a.files, b.files),
    bytes: add(a.bytes, b.bytes),
    rows: add(a.rows, b.rows),
    details: [...a.details, ...b.details],
  };
}

/**
 * The partitions a run failed on, as the error that fails the run (the CLI's exit code, the
 * function's invocation), after the others were compacted; `undefined` when none failed.
 *
 * @example
 * ```ts
 * const failure = compactionFailure(report);
 * if (failure !== undefined) throw failure;
 * ```
 */
export function compactionFailure(report: CompactionReport): CompactionError | undefined {
  const failed = report.details.filter((o) => o.status === PartitionStatus.Failed);
  if (failed.length === 0) return undefined;
  return new CompactionError(
    `${failed.length} partition(s) of ${report.table} could not be compacted and stay readable as before; the next run retries them: ` +
      `${failed.map((o) => `${o.partition}: ${o.error ?? 'unknown error'}`).join('; ')}`,
  );
}
