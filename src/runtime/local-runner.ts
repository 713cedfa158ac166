import { hostname } from 'node:os';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { Catalog } from '../catalog/catalog.ts';
import type { CheckpointStore } from '../checkpoint/checkpoint-store.ts';
import type { Job } from '../job/define-job.ts';
import { streamName } from '../job/source.ts';
import { abortableDelay } from '../kinesis/abortable-delay.ts';
import { backoffDelayMs, Jitter } from '../kinesis/backoff.ts';
import { pollShards, type PollerEvent } from '../kinesis/shard-poller.ts';
import type { ObjectStore } from '../store/object-store.ts';
import { recordId, type StreamRecord } from '../decode/stream-record.ts';
import type { BatchReport } from './batch-processor.ts';
import { Chaos, ChaosStep, chaoticCatalog, chaoticCheckpoints, chaoticStore, isChaosError, isWorkerCrash } from './chaos.ts';
import { deliverBatch, type FailedRange } from './event-source-mapping.ts';
import { eventOfRecords, type EventSource } from './lambda/kinesis-event.ts';
import { createKinesisHandler, type KinesisHandler } from './lambda/kinesis-handler.ts';
import { LocalFailureDestination } from './local-failure-destination.ts';
import { ensureJobTables } from './table-descriptor.ts';
import { localEventSource } from './local-event-source.ts';
import { latestPerBatch, type MetricsLog, type ShardFailure } from '../observability/metrics-log.ts';
import type { BatchMetrics } from '../observability/batch-metrics.ts';
import { messageOf } from '../error-message.ts';

export interface RunJobOptions {
  readonly job: Job;
  readonly kinesis: KinesisClient;
  readonly store: ObjectStore;
  readonly catalog: Catalog;
  readonly checkpoints: CheckpointStore;
  /** Folder of the on-failure destination (ranges given up on). */
  readonly failuresDir: string;
  /** Stop once every shard is read to its end (instead of following the stream). */
  readonly untilCaughtUp?: boolean;
  /** Stops the run after the in-flight batches commit (Ctrl-C). */
  readonly signal?: AbortSignal;
  /** Overrides the job's batch size. */
  readonly batchSize?: number;
  /** Overrides the job's batching window, in seconds. */
  readonly batchWindowSeconds?: number;
  /** Overrides where a new shard starts when it has no checkpoint. */
  readonly startingPosition?: 'TRIM_HORIZON' | 'LATEST';
  /** Failure injection: every step of the commit protocol fails or crashes with this chaos. */
  readonly chaos?: Chaos;
  /**
   * This worker's name in shard leases; `<host>:<job>` unless said otherwise. Workers that
   * share a stream (through a shared checkpoint store) need distinct names.
   */
  readonly worker?: string;
  /**
   * Where each committed batch's metrics and each failing shard are kept for `sluice status`
   * and the dashboard (the project's `.sluice/metrics`); nothing is kept when absent.
   */
  readonly metricsLog?: MetricsLog;
  /** Called after each batch the handler committed. */
  readonly onBatch?: (report: BatchReport) => void;
  /** Called for poller events, retries, destination sends and restarts. */
  readonly onEvent?: (event: RunEvent) => void;
}

export type RunEvent =
  | PollerEvent
  | {
      readonly type: 'handler-error';
      readonly shardId: string;
      readonly first: string;
      readonly last: string;
      readonly error: unknown;
      /** The shard's failure so far (attempts at this first record), when a metrics log keeps it. */
      readonly failing?: ShardFailure;
    }
  | { readonly type: 'metrics-log-error'; readonly error: unknown }
  | { readonly type: 'sent-to-destination'; readonly range: FailedRange }
  | { readonly type: 'worker-restart'; readonly restarts: number; readonly error: unknown };

/**
 * Totals of a run. Each record counts once however often its batch was retried: a batch
 * committed again from the same first record replaces what its earlier commit counted.
 */
export interface RunSummary {
  /** Batches committed. */
  readonly batches: number;
  /** Kinesis records committed. */
  readonly records: number;
  /** User records committed (KPL aggregates counted as the records they carry). */
  readonly userRecords: number;
  readonly rows: number;
  readonly rejects: number;
  readonly files: number;
  readonly bytes: number;
  /** Invocations that failed and were retried. */
  readonly retries: number;
  /** Records given up on and sent to the on-failure destination. */
  readonly sentToDestination: number;
  /** Times the worker died and restarted from the checkpoint (chaos). */
  readonly restarts: number;
  /** The run ended because it was asked to stop (Ctrl-C), not because it caught up. */
  readonly stopped: boolean;
}

// Long enough for any batch's writes; a worker that vanished is taken over after it.
const LEASE_MS = 60_000;
const RETRY_BACKOFF = { baseMs: 10, maxMs: 500, jitter: Jitter.Equal } as const;
const RESTART_BACKOFF = { baseMs: 20, maxMs: 500, jitter: Jitter.Equal } as const;

/**
 * Runs a job against a stream outside Lambda, the way Lambda would run it: sluice's shard
 * poller reads every shard in micro-batches and hands each batch, as a real-shaped Kinesis
 * event, to the job's real Lambda handler, with the event source mapping's semantics
 * (ReportBatchItemFailures, retries, bisection, maximum record age, on-failure destination).
 * The checkpoint moves only past records the handler committed. A stopped, killed or
 * crashed run resumes from the checkpoint and rewrites the same keys, so nothing is lost or
 * duplicated.
 *
 * @example
 * ```ts
 * const env = await openLocalEnvironment({ dir: '.sluice' });
 * const summary = await runJob({ job, ...env, failuresDir: env.paths.failures, untilCaughtUp: true });
 * ```
 */
export async function runJob(options: RunJobOptions): Promise<RunSummary> {
  const { job, chaos } = options;
  await ensureJobTables(options.catalog, job, options.store);
  const store = chaos ? chaoticStore(options.store, chaos) : options.store;
  const catalog = chaos ? chaoticCatalog(options.catalog, chaos) : options.catalog;
  const checkpoints = chaos ? chaoticCheckpoints(options.checkpoints, chaos) : options.checkpoints;
  const stream = streamName(job.source.stream);
  const source: EventSource = localEventSource(job);
  // The same worker restarted (after Ctrl-C, a kill or a crash) re-takes its own leases at once;
  // other workers on the stream need their own names.
  const lease = { owner: options.worker ?? `${hostname()}:${job.name}`, durationMs: LEASE_MS };
  const destination = new LocalFailureDestination({ dir: options.failuresDir, streamArn: source.streamArn, functionArn: source.functionArn });
  const counts = { retries: 0, restarts: 0 };
  // Committed batches by (shard, first record): a batch committed again replaces its earlier count.
  const committed: BatchMetrics[] = [];
  const sent = new Map<string, number>();
  const emit = (event: RunEvent) => options.onEvent?.(event);
  const metricsLog = options.metricsLog;
  const logged = async (write: () => Promise<unknown>): Promise<void> => {
    // Metrics never stop a pipeline: a write that fails is reported and the batch goes on.
    await write().catch((error: unknown) => emit({ type: 'metrics-log-error', error }));
  };

  // A shard's log writes in the order they happen: a commit's clearing of a failure never overtakes the failure's write.
  const queues = new Map<string, Promise<unknown>>();
  const inShardOrder = <T>(shardId: string, write: () => Promise<T>): Promise<T> => {
    const next = (queues.get(shardId) ?? Promise.resolve()).then(write, write);
    queues.set(shardId, next.catch(() => undefined));
    return next;
  };

  // The report of each shard's last invocation, taken by `invoke` once the invocation has answered.
  const reports = new Map<string, BatchReport>();
  let handler: KinesisHandler;
  const coldStart = () => {
    handler = createKinesisHandler(job, {
      adapters: () => ({ store, catalog }),
      onBatch: (report) => reports.set(report.shardId, report),
      onError: (error, context) => {
        counts.retries++;
        const failed = { type: 'handler-error', ...context, error } as const;
        if (metricsLog) {
          // The event waits for the attempt count, so a log of it can say how long the shard has been failing.
          void inShardOrder(context.shardId, () =>
            metricsLog.recordFailure({ job: job.name, shardId: context.shardId, first: context.first, last: context.last, at: Date.now(), error: messageOf(error) }),
          ).then(
              (failing) => emit({ ...failed, failing }),
              (logError: unknown) => {
                emit(failed);
                emit({ type: 'metrics-log-error', error: logError });
              },
            );
        } else emit(failed);
        // A worker that died inside the handler is a Lambda container gone: the next invocation is a cold start.
        if (isWorkerCrash(error)) coldStart();
      },
    });
  };
  coldStart();

  const invoke = async (records: readonly StreamRecord[]) => {
    const shardId = records[0]!.shardId;
    reports.delete(shardId);
    const answer = await handler(eventOfRecords(records, source));
    chaos?.strike(ChaosStep.HandlerReturn);
    // Counted once the invocation answered: a worker that dies before that is retried, and counted then.
    const report = reports.get(shardId);
    reports.delete(shardId);
    if (report && (answer.batchItemFailures ?? []).length === 0) {
      committed.push(report.metrics);
      if (metricsLog) await logged(() => inShardOrder(shardId, () => metricsLog.appendBatch(report.metrics)));
      options.onBatch?.(report);
    }
    return answer;
  };

  const summary = (): RunSummary => {
    const batches = latestPerBatch(committed);
    const sum = (pick: (m: BatchMetrics) => number) => batches.reduce((total, m) => total + pick(m), 0);
    return {
      batches: batches.length,
      records: sum((m) => m.kinesisRecords),
      userRecords: sum((m) => m.records),
      rows: sum((m) => m.rows),
      rejects: sum((m) => m.rejects),
      files: sum((m) => m.files),
      bytes: sum((m) => m.bytes),
      retries: counts.retries,
      sentToDestination: [...sent.values()].reduce((a, b) => a + b, 0),
      restarts: counts.restarts,
      stopped: options.signal?.aborted === true,
    };
  };

  for (;;) {
    try {
      await pollShards({
        client: options.kinesis,
        stream,
        scope: { job: job.name, stream },
        checkpoints,
        batchSize: options.batchSize ?? job.batch.size,
        batchWindowMs: (options.batchWindowSeconds ?? job.batch.windowSeconds) * 1000,
        startingPosition: options.startingPosition ?? job.batch.startingPosition,
        ...(options.untilCaughtUp ? { untilCaughtUp: true } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        log: emit,
        lease,
        onBatch: async ({ records, checkpoint }) => {
          await deliverBatch(records, job.retry, {
            invoke,
            checkpoint: (through) => checkpoint(through.sequenceNumber),
            sendToDestination: async (range) => {
              await destination.send(range);
              // Keyed by the range's first record: a range sent again after a restart counts once.
              sent.set(`${range.records[0]!.shardId}\u0000${recordId(range.records[0]!)}`, range.records.length);
              emit({ type: 'sent-to-destination', range });
            },
            backoff: async (attempt) => {
              await abortableDelay(backoffDelayMs(RETRY_BACKOFF, attempt), options.signal ? { signal: options.signal } : {});
              // A stop ends the retries of a failing batch; its checkpoint stays before it.
              if (options.signal?.aborted) throw new StopRequested();
            },
            now: () => Date.now(),
          });
        },
      });
      return summary();
    } catch (error) {
      if (!chaos || options.signal?.aborted || !isChaosError(error)) throw error;
      // The worker died (or gave up on a failing commit): start over from the durable checkpoint, as a new process would.
      counts.restarts++;
      emit({ type: 'worker-restart', restarts: counts.restarts, error });
      coldStart();
      await abortableDelay(backoffDelayMs(RESTART_BACKOFF, Math.min(counts.restarts, 6)), options.signal ? { signal: options.signal } : {});
    }
  }
}

/** A stop arrived while a batch was being retried. */
class StopRequested extends Error {
  constructor() {
    super('stopped while retrying a batch');
  }
}
