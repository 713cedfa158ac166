import { compactTable } from '../../compaction/compact-table.ts';
import type { UnitReceipt } from '../../compaction/compaction-documents.ts';
import { compactionFailure, PartitionStatus, type CompactionReport, type PartitionOutcome } from '../../compaction/compaction-report.ts';
import { commitStep, failureMessage, planRun, reportRun, unitStep, type RunClock, type RunPlan } from '../../compaction/compaction-run.ts';
import type { CompactionSettings } from '../../compaction/compaction-settings.ts';
import type { TableContextOptions } from '../../compaction/table-partitions.ts';
import type { UnitLimits } from '../../compaction/unit-limits.ts';
import type { Job } from '../../job/define-job.ts';
import { compactionMetrics, type CompactionMetrics } from '../../observability/compaction-metrics.ts';
import { compactionAdapters, type CompactionAdapters } from './compaction-adapters.ts';
import { isStepEvent, parseStepEvent, type CompactionStepEvent, type CompactionStepName } from './compaction-step-event.ts';
import { handlerLogger } from './handler-logger.ts';
import type { HandlerAdapters } from './kinesis-handler.ts';

/**
 * Options of {@link createCompactionHandler}.
 *
 * @example
 * ```ts
 * const options: CompactionHandlerOptions = { targetBytes: 256 * 1024 * 1024, graceMs: 2 * 3_600_000 };
 * ```
 */
export interface CompactionHandlerOptions extends Partial<CompactionSettings> {
  /** Builds the adapters once per container; S3 and Glue from the stack's environment unless given. */
  readonly adapters?: () => HandlerAdapters | CompactionAdapters | Promise<HandlerAdapters | CompactionAdapters>;
  /** The clock: a whole run's, and what a step's deadline is checked against; the invocation's own time unless given. */
  readonly now?: () => Date;
  /** Stop taking new partitions this long before the function's timeout; 60 s unless given. */
  readonly stopBeforeTimeoutMs?: number;
  /** Called with each run's metrics, failed partitions included, before the invocation answers or throws (EMF, tests). */
  readonly onRun?: (run: CompactionMetrics) => void;
  /** Memory limits of each unit; the defaults unless given. */
  readonly limits?: Partial<UnitLimits>;
}

/**
 * What a whole run answers: the run's totals, and how many partitions it did not reach
 * before its time ran out (the next run takes them).
 *
 * @example
 * ```ts
 * const summary: CompactionSummary = { ...totals, unreached: 0 };
 * ```
 */
export type CompactionSummary = Omit<CompactionReport, 'details'> & { readonly unreached: number };

/**
 * What each step answers the state machine.
 *
 * @example
 * ```ts
 * const answer: CompactionStepAnswers['unit'] = receipt;
 * ```
 */
export interface CompactionStepAnswers {
  readonly plan: RunPlan;
  readonly unit: UnitReceipt;
  readonly commit: PartitionOutcome;
  readonly report: CompactionSummary;
}

/**
 * The part of Lambda's context the handler reads.
 *
 * @example
 * ```ts
 * await handler({}, { getRemainingTimeInMillis: () => 900_000 });
 * ```
 */
export interface CompactionInvocationContext {
  getRemainingTimeInMillis(): number;
}

/**
 * The compaction function: a step of a fanned-out run when the event names one, else (a
 * scheduled event, a manual invocation) a whole run in this invocation.
 *
 * @example
 * ```ts
 * const summary = await handler({}, context);
 * const plan = await handler({ step: 'plan' }, context);
 * ```
 */
export interface CompactionHandler {
  <S extends CompactionStepName>(event: CompactionStepEvent & { readonly step: S }, context?: CompactionInvocationContext): Promise<CompactionStepAnswers[S]>;
  (event?: unknown, context?: CompactionInvocationContext): Promise<CompactionSummary>;
}

const defaultAdapters = async (): Promise<HandlerAdapters> => {
  const { awsAdaptersFromEnvironment } = await import('./aws-adapters.ts');
  return awsAdaptersFromEnvironment();
};

/** What every step is given: the table's options and the invocation's time budget. */
interface StepTools {
  readonly table: (run: RunClock) => TableContextOptions;
  /** The handler's clock. */
  readonly now: () => Date;
  readonly budget: AbortSignal | undefined;
  readonly publish: (report: CompactionReport, unreached: number) => CompactionSummary;
}

const steps: { readonly [S in CompactionStepName]: (event: Extract<CompactionStepEvent, { step: S }>, tools: StepTools) => Promise<CompactionStepAnswers[S]> } = {
  plan: async (event, { table, budget, now }) => {
    // The execution's start is the run's clock: every step of the run measures against the same instant.
    const started = event.startedAt === undefined ? now() : new Date(event.startedAt);
    const deadlineAt = event.runSeconds === undefined ? undefined : new Date(started.getTime() + event.runSeconds * 1000);
    const options = table({ now: started.toISOString(), ...(deadlineAt === undefined ? {} : { deadline: deadlineAt.toISOString() }) });
    return planRun({ ...options, ...(budget === undefined ? {} : { signal: budget }), ...(deadlineAt === undefined ? {} : { deadlineAt }), ...(event.maxPartitions === undefined ? {} : { maxPartitions: event.maxPartitions }) });
  },
  unit: (event, { table }) => unitStep(table(event.run), event),
  commit: (event, { table }) => commitStep(table(event.run), event),
  report: async (event, { publish }) => {
    const results = event.results.map((result) => ('outcome' in result ? result : { failure: { partition: result.failure.partition, error: failureMessage(result.failure.error) } }));
    return publish(reportRun(event.settled, results), event.unreached ?? 0);
  },
};

/**
 * The Lambda handler that compacts the job's table. The job's stack runs it from a Step
 * Functions state machine, one step per invocation: `plan`, then each partition's `unit`s
 * in parallel and its `commit`, then `report` (src/compaction/compaction-run.ts). Any other
 * event (a scheduled event, a manual invocation) runs the whole table in this invocation,
 * stopping a minute before the function's timeout.
 *
 * A run's end (the `report` step, or the whole run) logs the totals (and each failed
 * partition) as JSON, calls `onRun` with the run's metrics, and answers the totals; when a
 * partition failed it then throws `CompactionError`, so the invocation (and the state
 * machine's execution) counts as failed; the partition stays readable as before and the next
 * run retries it. Steps answer plain JSON for the state machine to pass on.
 *
 * @example
 * ```ts
 * // the compaction function's bundle (compaction-entry.ts)
 * export const compact = createCompactionHandler(job, { onRun: createCompactionMetricsPublisher({ job: job.name }) });
 * ```
 */
export function createCompactionHandler(job: Job, options: CompactionHandlerOptions = {}): CompactionHandler {
  let adapters: Promise<CompactionAdapters> | undefined;
  const adaptersOnce = (): Promise<CompactionAdapters> =>
    (adapters ??= Promise.resolve((options.adapters ?? defaultAdapters)()).then(compactionAdapters)).catch((error: unknown) => {
      // A failed cold start must not poison the container: the next invocation tries again.
      adapters = undefined;
      throw error;
    });
  const stopBefore = options.stopBeforeTimeoutMs ?? 60_000;
  const settings = { targetBytes: options.targetBytes, horizonMs: options.horizonMs, graceMs: options.graceMs };

  const publish = (report: CompactionReport, unreached: number): CompactionSummary => {
    options.onRun?.(compactionMetrics(report, { job: job.name, at: Date.now() }));
    const { details, ...totals } = report;
    const summary: CompactionSummary = { ...totals, unreached };
    const log = handlerLogger();
    log.info(`job '${job.name}': compacted ${report.partitions.compacted} of ${report.partitions.seen + unreached} partitions of ${report.table}`, { summary });
    for (const outcome of details.filter((o) => o.status === PartitionStatus.Failed)) {
      log.error(`job '${job.name}': partition ${outcome.partition} of ${report.table} not compacted`, { error: outcome.error });
    }
    // After logging, so the invocation counts as an error in CloudWatch with the partitions' errors beside it.
    const failure = compactionFailure(report);
    if (failure !== undefined) throw failure;
    return summary;
  };

  const handler = async (event: unknown, context?: CompactionInvocationContext): Promise<CompactionSummary | CompactionStepAnswers[CompactionStepName]> => {
    const { store, catalog } = await adaptersOnce();
    const remaining = context === undefined ? undefined : context.getRemainingTimeInMillis() - stopBefore;
    const budget = remaining === undefined ? undefined : remaining <= 0 ? AbortSignal.abort() : AbortSignal.timeout(remaining);
    if (isStepEvent(event)) {
      const step = parseStepEvent(event);
      const table = (run: RunClock): TableContextOptions => {
        const left = run.deadline === undefined ? undefined : Date.parse(run.deadline) - (options.now?.() ?? new Date()).getTime();
        return {
          job,
          store,
          catalog,
          now: new Date(run.now),
          ...settings,
          ...(options.limits === undefined ? {} : { limits: options.limits }),
          ...(left === undefined ? {} : { deadline: left <= 0 ? AbortSignal.abort(new Error(`the run's deadline ${run.deadline} has passed`)) : AbortSignal.timeout(left) }),
        };
      };
      const run = steps[step.step] as (event: CompactionStepEvent, tools: StepTools) => Promise<CompactionStepAnswers[CompactionStepName]>;
      return run(step, { table, budget, publish, now: () => options.now?.() ?? new Date() });
    }
    let total = 0;
    const report = await compactTable({
      job,
      store,
      catalog,
      now: options.now?.() ?? new Date(),
      ...settings,
      ...(options.limits === undefined ? {} : { limits: options.limits }),
      ...(budget === undefined ? {} : { signal: budget }),
      onProgress: (progress) => {
        total = progress.total;
      },
    });
    return publish(report, total - report.partitions.seen);
  };
  return handler as CompactionHandler;
}
