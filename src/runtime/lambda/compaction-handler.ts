import { compactTable } from '../../compaction/compact-table.ts';
import { compactionFailure, PartitionStatus, type CompactionReport } from '../../compaction/compaction-report.ts';
import type { CompactionSettings } from '../../compaction/compaction-settings.ts';
import type { Job } from '../../job/define-job.ts';
import { compactionMetrics, type CompactionMetrics } from '../../observability/compaction-metrics.ts';
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
  readonly adapters?: () => HandlerAdapters | Promise<HandlerAdapters>;
  /** The clock of a run; the invocation's own time unless given. */
  readonly now?: () => Date;
  /** Stop taking new partitions this long before the function's timeout; 60 s unless given. */
  readonly stopBeforeTimeoutMs?: number;
  /** Called with each run's metrics, failed partitions included, before the invocation answers or throws (EMF, tests). */
  readonly onRun?: (run: CompactionMetrics) => void;
}

/**
 * What an invocation answers: the run's totals, and how many partitions it did not reach
 * before its time ran out (the next run takes them).
 *
 * @example
 * ```ts
 * const summary: CompactionSummary = { ...totals, unreached: 0 };
 * ```
 */
export type CompactionSummary = Omit<CompactionReport, 'details'> & { readonly unreached: number };

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
 * A scheduled compaction: the event is not read (EventBridge's scheduled event).
 *
 * @example
 * ```ts
 * const summary = await handler({}, context);
 * ```
 */
export type CompactionHandler = (event?: unknown, context?: CompactionInvocationContext) => Promise<CompactionSummary>;

const defaultAdapters = async (): Promise<HandlerAdapters> => {
  const { awsAdaptersFromEnvironment } = await import('./aws-adapters.ts');
  return awsAdaptersFromEnvironment();
};

/**
 * The Lambda handler that compacts the job's table on a schedule (the job's stack runs it
 * hourly, one at a time: reserved concurrency 1). Each invocation runs `compactTable` over
 * S3 and Glue with the invocation's time as its clock, stops taking partitions a minute
 * before the function's timeout, logs the totals (and each failed partition) as JSON, and
 * answers the totals. When a partition failed it throws `CompactionError` after logging, so
 * the invocation counts as an error in CloudWatch; the partition stays readable as before
 * and the next run retries it.
 *
 * @example
 * ```ts
 * // the compaction function's bundle (compaction-entry.ts)
 * export const compact = createCompactionHandler(job);
 * ```
 */
export function createCompactionHandler(job: Job, options: CompactionHandlerOptions = {}): CompactionHandler {
  let adapters: Promise<HandlerAdapters> | undefined;
  const adaptersOnce = (): Promise<HandlerAdapters> =>
    (adapters ??= Promise.resolve((options.adapters ?? defaultAdapters)())).catch((error: unknown) => {
      // A failed cold start must not poison the container: the next invocation tries again.
      adapters = undefined;
      throw error;
    });
  const stopBefore = options.stopBeforeTimeoutMs ?? 60_000;

  return async (_event, context) => {
    const { store, catalog } = await adaptersOnce();
    const budget = context === undefined ? undefined : context.getRemainingTimeInMillis() - stopBefore;
    const signal = budget === undefined ? undefined : budget <= 0 ? AbortSignal.abort() : AbortSignal.timeout(budget);
    let total = 0;
    const report = await compactTable({
      job,
      store,
      catalog,
      now: options.now?.() ?? new Date(),
      targetBytes: options.targetBytes,
      horizonMs: options.horizonMs,
      graceMs: options.graceMs,
      signal,
      onProgress: (progress) => {
        total = progress.total;
      },
    });
    options.onRun?.(compactionMetrics(report, { job: job.name, at: Date.now() }));
    const { details, ...totals } = report;
    const summary: CompactionSummary = { ...totals, unreached: total - report.partitions.seen };
    const log = handlerLogger();
    log.info(`job '${job.name}': compacted ${report.partitions.compacted} of ${total} partitions of ${report.table}`, { summary });
    for (const outcome of details.filter((o) => o.status === PartitionStatus.Failed)) {
      log.error(`job '${job.name}': partition ${outcome.partition} of ${report.table} not compacted`, { error: outcome.error });
    }
    // After logging, so the invocation counts as an error in CloudWatch with the partitions' errors beside it.
    const failure = compactionFailure(report);
    if (failure !== undefined) throw failure;
    return summary;
  };
}
