import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import type { Catalog } from '../../catalog/catalog.ts';
import type { Job } from '../../job/define-job.ts';
import type { ObjectStore } from '../../store/object-store.ts';
import { createBatchProcessor, type BatchProcessor, type BatchReport } from '../batch-processor.ts';
import { handlerLogger } from './handler-logger.ts';
import { recordsOfEvent } from './kinesis-event.ts';

/** The adapters a handler writes through. */
export interface HandlerAdapters {
  readonly store: ObjectStore;
  readonly catalog: Catalog;
}

/**
 * When a handler builds its adapters: while the module loads (Lambda's init phase, which it
 * may run before any event arrives), or on its first batch.
 */
export const PrepareAdapters = {
  AtInit: 'at-init',
  OnFirstBatch: 'on-first-batch',
} as const;
export type PrepareAdapters = (typeof PrepareAdapters)[keyof typeof PrepareAdapters];

export interface KinesisHandlerOptions {
  /**
   * Builds the adapters once per container (SDK clients are created once and reused by warm
   * invocations). Defaults to S3 and Glue from the environment the stack sets (`SLUICE_BUCKET`, ...).
   */
  readonly adapters?: () => HandlerAdapters | Promise<HandlerAdapters>;
  /**
   * When the adapters are built: `on-first-batch` (default), or `at-init`, as the handler is
   * created, so a deployed function loads and sets up the SDK during Lambda's init phase rather
   * than in its first invocation. A failure then is not lost: the first invocation tries again
   * and reports it.
   */
  readonly prepare?: PrepareAdapters;
  /** The clock a batch's duration, data freshness and event-time lag are measured with; `Date.now` by default. */
  readonly now?: () => number;
  /** Called after a committed batch (metrics, tests). */
  readonly onBatch?: (report: BatchReport) => void;
  /** Called when a batch fails, before the handler reports it; logs to CloudWatch (JSON) unless given. */
  readonly onError?: (error: unknown, context: { shardId: string; first: string; last: string }) => void;
}

export type KinesisHandler = (event: KinesisStreamEvent) => Promise<KinesisStreamBatchResponse>;

const defaultAdapters = async (): Promise<HandlerAdapters> => {
  const { awsAdaptersFromEnvironment } = await import('./aws-adapters.ts');
  return awsAdaptersFromEnvironment();
};

/**
 * The Lambda handler of a job behind a Kinesis event source mapping. Per invocation: decode
 * the event's records, run the pipeline, write the Parquet and reject files, register new
 * partitions, then answer. On any infrastructure failure it reports the batch's *first*
 * sequence number in `batchItemFailures`, so the mapping (with ReportBatchItemFailures)
 * keeps its checkpoint before the batch and retries all of it; the retry rewrites the same
 * keys (DESIGN.md §4). Bad records never fail the batch: they go to rejects.
 *
 * @example
 * ```ts
 * // src/handlers/sensor-readings.ts, bundled by esbuild
 * import job from '../../jobs/sensor-readings.ts';
 * export const handler = createKinesisHandler(job);
 * ```
 */
export function createKinesisHandler(job: Job, options: KinesisHandlerOptions = {}): KinesisHandler {
  // Built inside the executor: an adapters function that throws rejects, at init as on a batch.
  const build = (): Promise<BatchProcessor> =>
    new Promise<HandlerAdapters>((resolve) => resolve((options.adapters ?? defaultAdapters)())).then((adapters) =>
      createBatchProcessor({ job, store: adapters.store, catalog: adapters.catalog, ...(options.now ? { now: options.now } : {}) }),
    );
  // A failure at init is not reported there: the first invocation falls back to an attempt of its own and reports that.
  let atInit = options.prepare === PrepareAdapters.AtInit ? build() : undefined;
  atInit?.catch(() => undefined);
  let processor: Promise<BatchProcessor> | undefined;
  const processorOnce = (): Promise<BatchProcessor> => {
    if (atInit) {
      processor = atInit.catch(() => build());
      atInit = undefined;
    }
    const attempt = (processor ??= build());
    return attempt.catch((error: unknown) => {
      // A failed cold start must not poison the container: the next invocation tries again.
      if (processor === attempt) processor = undefined;
      throw error;
    });
  };

  return async (event) => {
    const records = recordsOfEvent(event);
    if (records.length === 0) return { batchItemFailures: [] };
    const first = records[0]!.sequenceNumber;
    try {
      const report = await (await processorOnce())(records);
      options.onBatch?.(report);
      return { batchItemFailures: [] };
    } catch (error) {
      const context = { shardId: records[0]!.shardId, first, last: records.at(-1)!.sequenceNumber };
      if (options.onError) options.onError(error, context);
      else handlerLogger().error(`job '${job.name}': batch failed; reporting ${first} so the whole batch is retried`, { ...context, error: error as Error });
      return { batchItemFailures: [{ itemIdentifier: first }] };
    }
  };
}
