import { hostname } from 'node:os';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { Catalog } from '../catalog/catalog.ts';
import type { CheckpointStore } from '../checkpoint/checkpoint-store.ts';
import type { Job } from '../job/define-job.ts';
import { streamName } from '../job/source.ts';
import { abortableDelay } from '../source/abortable-delay.ts';
import { backoffDelayMs, Jitter } from '../source/backoff.ts';
import { pollShards, type PollerEvent } from '../source/shard-poller.ts';
import type { ObjectStore } from '../store/object-store.ts';
import type { StreamRecord } from '../source/stream-record.ts';
import type { BatchReport } from './batch-processor.ts';
import { Chaos, ChaosStep, chaoticCatalog, chaoticCheckpoints, chaoticStore, isChaosError, isWorkerCrash } from './chaos.ts';
import { deliverBatch, type DeliveryOutcome, type FailedRange } from './event-source-mapping.ts';
import { eventOfRecords, type EventSource } from './lambda/kinesis-event.ts';
import { createKinesisHandler, type KinesisHandler } from './lambda/kinesis-handler.ts';
import { LocalFailureDestination } from './local-failure-destination.ts';
import { tableDescriptor } from './table-descriptor.ts';

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
  /** Called after each batch the handler committed. */
  readonly onBatch?: (report: BatchReport) => void;
  /** Called for poller events, retries, destination sends and restarts. */
  readonly onEvent?: (event: RunEvent) => void;
}

export type RunEvent =
  | PollerEvent
  | { readonly type: 'handler-error'; readonly shardId: string; readonly first: string; readonly last: string; readonly error: unknown }
  | { readonly type: 'sent-to-destination'; readonly range: FailedRange }
  | { readonly type: 'worker-restart'; readonly restarts: number; readonly error: unknown };

/** Totals of a run. */
export interface RunSummary {
  /** Batches the handler committed (retries included). */
  readonly batches: number;
  readonly records: number;
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
  await options.catalog.ensureTable(tableDescriptor(job, options.store));
  const store = chaos ? chaoticStore(options.store, chaos) : options.store;
  const catalog = chaos ? chaoticCatalog(options.catalog, chaos) : options.catalog;
  const checkpoints = chaos ? chaoticCheckpoints(options.checkpoints, chaos) : options.checkpoints;
  const stream = streamName(job.source.stream);
  const source: EventSource = {
    streamArn: `arn:aws:kinesis:local:000000000000:stream/${stream}`,
    region: 'local',
    functionArn: `arn:aws:lambda:local:000000000000:function:${job.name}`,
  };
  // The same worker restarted (after Ctrl-C, a kill or a crash) re-takes its own leases at once;
  // other workers on the stream need their own names.
  const lease = { owner: options.worker ?? `${hostname()}:${job.name}`, durationMs: LEASE_MS };
  const destination = new LocalFailureDestination({ dir: options.failuresDir, streamArn: source.streamArn, functionArn: source.functionArn });
  const totals = { batches: 0, records: 0, rows: 0, rejects: 0, files: 0, bytes: 0, retries: 0, sentToDestination: 0, restarts: 0 };
  const emit = (event: RunEvent) => options.onEvent?.(event);

  let handler: KinesisHandler;
  const coldStart = () => {
    handler = createKinesisHandler(job, {
      adapters: () => ({ store, catalog }),
      onBatch: (report) => {
        totals.batches++;
        totals.records += report.records;
        totals.rows += report.rows;
        totals.rejects += report.rejects;
        totals.files += report.files.length;
        totals.bytes += report.bytes;
        options.onBatch?.(report);
      },
      onError: (error, context) => {
        emit({ type: 'handler-error', ...context, error });
        // A worker that died inside the handler is a Lambda container gone: the next invocation is a cold start.
        if (isWorkerCrash(error)) coldStart();
      },
    });
  };
  coldStart();

  const invoke = async (records: readonly StreamRecord[]) => {
    const answer = await handler(eventOfRecords(records, source));
    chaos?.strike(ChaosStep.HandlerReturn);
    return answer;
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
          const outcome: DeliveryOutcome = await deliverBatch(records, job.retry, {
            invoke,
            checkpoint: (through) => checkpoint(through.sequenceNumber),
            sendToDestination: async (range) => {
              await destination.send(range);
              emit({ type: 'sent-to-destination', range });
            },
            backoff: async (attempt) => {
              await abortableDelay(backoffDelayMs(RETRY_BACKOFF, attempt), options.signal ? { signal: options.signal } : {});
              // A stop ends the retries of a failing batch; its checkpoint stays before it.
              if (options.signal?.aborted) throw new StopRequested();
            },
            now: () => Date.now(),
          });
          totals.retries += outcome.functionErrors + outcome.partialFailures;
          totals.sentToDestination += outcome.sentToDestination;
        },
      });
      return totals;
    } catch (error) {
      if (!chaos || options.signal?.aborted || !isChaosError(error)) throw error;
      // The worker died (or gave up on a failing commit): start over from the durable checkpoint, as a new process would.
      totals.restarts++;
      emit({ type: 'worker-restart', restarts: totals.restarts, error });
      coldStart();
      await abortableDelay(backoffDelayMs(RESTART_BACKOFF, Math.min(totals.restarts, 6)), options.signal ? { signal: options.signal } : {});
    }
  }
}

/** A stop arrived while a batch was being retried. */
class StopRequested extends Error {
  constructor() {
    super('stopped while retrying a batch');
  }
}
