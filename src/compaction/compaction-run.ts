import { messageOf } from '../error-message.ts';
import { commitPartitionCompaction } from './commit-partition.ts';
import type { UnitReceipt } from './compaction-documents.ts';
import { combineReports, failedOutcome, summarizeCompaction, type CompactionReport, type PartitionOutcome } from './compaction-report.ts';
import type { PlannedPartition } from './partition-context.ts';
import { planPartitionCompaction } from './plan-partition.ts';
import { assertHour, partitionsToCompact, tableContext, type TableContextOptions } from './table-partitions.ts';
import { runUnit } from './write-unit.ts';

/**
 * A compaction run fanned out over function invocations by an orchestrator (the job's
 * stack uses a Step Functions state machine): one plan step, every partition's units in
 * parallel, each partition's commit once its units are written, one report. Each step is a
 * function of plain JSON in and out, and each is idempotent, so the orchestrator may retry any.
 */

/**
 * The run's clock, shared by its steps: `now` measures ages and grace periods and dates what
 * the commits retire; past `deadline` no step completes a write (a later run may have begun).
 *
 * @example
 * ```ts
 * const clock: RunClock = { now: '2026-11-23T10:00:00.000Z', deadline: '2026-11-23T10:55:00.000Z' };
 * ```
 */
export interface RunClock {
  readonly now: string;
  readonly deadline?: string;
}

/**
 * A planned partition as the orchestrator maps over it: with the indexes of its units.
 *
 * @example
 * ```ts
 * const item: PlannedItem = { ...planned, unitIndexes: [0, 1, 2] };
 * ```
 */
export interface PlannedItem extends PlannedPartition {
  readonly unitIndexes: readonly number[];
}

/**
 * What the plan step answers. `settled` reports the partitions the plan step finished on its
 * own (skipped, failed); its `details` hold only the failed ones, so the answer stays small
 * however many partitions the table has.
 *
 * @example
 * ```ts
 * const plan: RunPlan = { run, partitions: [item], settled, unreached: 0 };
 * ```
 */
export interface RunPlan {
  readonly run: RunClock;
  readonly partitions: readonly PlannedItem[];
  readonly settled: CompactionReport;
  /** Partitions left for the next run: past `maxPartitions`, or when the step ran out of time. */
  readonly unreached: number;
}

/**
 * One partition's result, as the orchestrator collects it: its commit's outcome, or the
 * failure of one of its units or of its commit.
 *
 * @example
 * ```ts
 * const results: PartitionResult[] = [{ outcome }, { failure: { partition: 'year=2026/month=11/day=23/hour=08', error: 'unit 2 ...' } }];
 * ```
 */
export type PartitionResult = { readonly outcome: PartitionOutcome } | { readonly failure: { readonly partition: string; readonly error: string } };

/**
 * Options of {@link planRun}.
 *
 * @example
 * ```ts
 * const options: PlanRunOptions = { job, store, catalog, now: new Date(), maxPartitions: 50 };
 * ```
 */
export interface PlanRunOptions extends TableContextOptions {
  /** At most this many partitions get units in one run (the orchestrator's state stays small); the rest wait. */
  readonly maxPartitions?: number;
  /** Checked before each partition: once aborted, the rest are left for the next run. */
  readonly signal?: AbortSignal;
  /** When the run's steps stop writing. */
  readonly deadline?: AbortSignal;
  /** The same instant as a date, passed on to the other steps. */
  readonly deadlineAt?: Date;
}

const DEFAULT_MAX_PARTITIONS = 100;

/**
 * The plan step: every registered partition planned (see `planPartitionCompaction`), those
 * with something to merge returned with their units for the orchestrator to fan out, the
 * others reported. A partition that fails to plan is reported failed; the others go on.
 * Rejects only when the table cannot be compacted or its partitions cannot be listed.
 *
 * @example
 * ```ts
 * const plan = await planRun({ job, store, catalog, now: new Date() });
 * for (const partition of plan.partitions) for (const index of partition.unitIndexes) await unitStep(options, { run: plan.run, partition, unit: index });
 * ```
 */
export async function planRun(options: PlanRunOptions): Promise<RunPlan> {
  const context = tableContext(options);
  const tableName = `${context.table.database}.${context.table.name}`;
  const partitions = await partitionsToCompact(options.job, options.catalog);
  const maxPartitions = options.maxPartitions ?? DEFAULT_MAX_PARTITIONS;
  const planned: PlannedItem[] = [];
  const settled: PartitionOutcome[] = [];
  let seen = 0;
  for (const partition of partitions) {
    if (options.signal?.aborted || planned.length >= maxPartitions) break;
    seen++;
    try {
      assertHour(tableName, partition);
      const result = await planPartitionCompaction(context, partition);
      if (result.kind === 'done') settled.push(result.outcome);
      else planned.push({ ...result.partition, unitIndexes: Array.from({ length: result.partition.units }, (_, i) => i) });
    } catch (error) {
      settled.push(failedOutcome(partition.path, error));
    }
  }
  const report = summarizeCompaction(tableName, settled);
  return {
    run: { now: options.now.toISOString(), ...(options.deadlineAt === undefined ? {} : { deadline: options.deadlineAt.toISOString() }) },
    partitions: planned,
    settled: { ...report, details: report.details.filter((o) => o.status === 'failed') },
    unreached: partitions.length - seen,
  };
}

/**
 * The unit step: one unit of a planned partition (see `runUnit`). Idempotent.
 *
 * @example
 * ```ts
 * const receipt = await unitStep({ job, store, catalog, now }, { partition, unit: 0 });
 * ```
 */
export function unitStep(options: TableContextOptions, step: { readonly partition: PlannedPartition; readonly unit: number }): Promise<UnitReceipt> {
  const { partition, unit } = step;
  return runUnit(tableContext(options), { path: partition.path, generation: partition.generation, index: unit, planId: partition.planId });
}

/**
 * The commit step of a planned partition whose units have all run (see
 * `commitPartitionCompaction`). Idempotent.
 *
 * @example
 * ```ts
 * const outcome = await commitStep({ job, store, catalog, now: new Date(plan.run.now) }, { partition });
 * ```
 */
export function commitStep(options: TableContextOptions, step: { readonly partition: PlannedPartition }): Promise<PartitionOutcome> {
  return commitPartitionCompaction(tableContext(options), step.partition);
}

/**
 * The report step: the plan step's report and every partition's result, added up into the
 * run's report (its details: the compacted and the failed partitions).
 *
 * @example
 * ```ts
 * const report = reportRun(plan.settled, results);
 * ```
 */
export function reportRun(settled: CompactionReport, results: readonly PartitionResult[]): CompactionReport {
  const outcomes = results.map((result) => ('outcome' in result ? result.outcome : failedOutcome(result.failure.partition, new Error(result.failure.error))));
  return combineReports(settled, summarizeCompaction(settled.table, outcomes));
}

/**
 * The message of a failed step as an orchestrator passes it on: Step Functions gives a Lambda
 * failure's `Cause` as the JSON of `{ errorMessage, errorType }`.
 *
 * @example
 * ```ts
 * failureMessage('{"errorType":"CompactionError","errorMessage":"unit 2 ..."}'); // 'CompactionError: unit 2 ...'
 * ```
 */
export function failureMessage(cause: unknown): string {
  if (typeof cause !== 'string') return messageOf(cause);
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown; errorType?: unknown };
    if (typeof parsed.errorMessage === 'string') return typeof parsed.errorType === 'string' ? `${parsed.errorType}: ${parsed.errorMessage}` : parsed.errorMessage;
  } catch {
    // Not JSON: the cause is the message.
  }
  return cause;
}
