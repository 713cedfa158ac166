import { ListShardsCommand, type KinesisClient, type ListShardsCommandInput } from '@aws-sdk/client-kinesis';
import { CheckpointError, findCause, LeaseLostError, SluiceError, SourceError, UsageError } from '../errors.ts';
import type { CheckpointScope, CheckpointStore, ShardCheckpoint } from '../checkpoint/checkpoint-store.ts';
import { abortableDelay } from './abortable-delay.ts';
import { messageOf } from '../error-message.ts';
import { retryKinesisCall } from './kinesis-retry.ts';
import { PollerEventType, type PollerEvent } from './poller-events.ts';
import { consumeShard, StartingPosition, type ShardBatch, type ShardConsumerContext } from './shard-consumer.ts';
import { ShardLeaseKeeper, type ShardLeaseOptions } from './shard-lease-keeper.ts';
import { readyShards, toShardInfo, type ShardInfo } from './shard-lineage.ts';

export { StartingPosition, type ShardBatch } from './shard-consumer.ts';
export { PollerEventType, type PollerEvent } from './poller-events.ts';

/**
 * Options for {@link pollShards}.
 *
 * @example
 * ```ts
 * const options: PollShardsOptions = {
 *   client, stream: 'iot-sensor', scope: { job: 'sensor-readings', stream: 'iot-sensor' },
 *   checkpoints: new LocalFileCheckpointStore({ dir: '.sluice/checkpoints' }),
 *   batchSize: 1_000, batchWindowMs: 1_000, onBatch: async (batch) => { ... },
 * };
 * ```
 */
export interface PollShardsOptions {
  readonly client: KinesisClient;
  readonly stream: string;
  readonly scope: CheckpointScope;
  readonly checkpoints: CheckpointStore;
  /** Most records per batch (1 to 10,000). */
  readonly batchSize: number;
  /** Longest wait, from a batch's first record, for more records to fill it. */
  readonly batchWindowMs: number;
  /** Where shards without a checkpoint start; TRIM_HORIZON by default. */
  readonly startingPosition?: StartingPosition;
  /** Resolve once every shard is ended or caught up, instead of polling until `signal` aborts. */
  readonly untilCaughtUp?: boolean;
  /** Stops polling: no new batch starts, a batch in flight finishes and is committed. */
  readonly signal?: AbortSignal;
  /** Failures of one batch before the poller gives up with a `BatchError`; 3 by default. */
  readonly maxBatchAttempts?: number;
  /** Processes a batch; resolving means its output is durable and the checkpoint may move past it. */
  readonly onBatch: (batch: ShardBatch) => Promise<void>;
  readonly log?: (event: PollerEvent) => void;
  /**
   * Share the stream with other workers: each shard is read under a lease in the checkpoint
   * store, renewed before every batch, and every commit is fenced by it. A shard whose
   * lease another worker holds is left to that worker.
   */
  readonly lease?: ShardLeaseOptions;
}

/**
 * What a {@link pollShards} call did.
 *
 * @example
 * ```ts
 * const { batches, records, shards } = await pollShards(options);
 * ```
 */
export interface PollSummary {
  /** Batches delivered and committed. */
  readonly batches: number;
  /** Records in those batches. */
  readonly records: number;
  /** Shards this call read from. */
  readonly shards: number;
}

const KINESIS_CALL_ATTEMPTS = 10;
const MAX_BATCH_SIZE = 10_000;

/**
 * The standalone shard consumer used outside Lambda (DESIGN §5): lists the stream's shards,
 * reads every shard whose parents are drained (one loop per shard, concurrently), hands
 * micro-batches to `onBatch` and commits each shard's checkpoint only after `onBatch`
 * resolved. Children of a split or merge start once their parents are checkpointed as ended,
 * so the records of a partition key are delivered in order across resharding. A restart
 * resumes after the checkpoints. Rejects with the first `BatchError`, `SourceError` or
 * `CheckpointError` met, after the other shards stopped.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * process.once('SIGINT', () => controller.abort());
 * const summary = await pollShards({
 *   client, stream: 'iot-sensor', scope: { job: 'sensor-readings', stream: 'iot-sensor' },
 *   checkpoints, batchSize: 1_000, batchWindowMs: 1_000, signal: controller.signal,
 *   onBatch: async ({ shardId, records }) => { await writeBatch(shardId, records); },
 * });
 * ```
 */
export async function pollShards(options: PollShardsOptions): Promise<PollSummary> {
  validate(options);
  const stopController = new AbortController();
  const stopOnCaller = () => stopController.abort(options.signal?.reason);
  if (options.signal?.aborted) stopOnCaller();
  options.signal?.addEventListener('abort', stopOnCaller, { once: true });

  const log = (event: PollerEvent) => {
    // A throwing logger must not take the consumer down with it.
    try {
      options.log?.(event);
    } catch {
      /* ignored on purpose */
    }
  };
  const lease = options.lease
    ? new ShardLeaseKeeper({ ...options.lease, checkpoints: options.checkpoints, scope: options.scope, log })
    : undefined;
  const context: ShardConsumerContext = {
    client: options.client,
    stream: options.stream,
    scope: options.scope,
    checkpoints: options.checkpoints,
    batchSize: options.batchSize,
    batchWindowMs: options.batchWindowMs,
    startingPosition: options.startingPosition ?? StartingPosition.TrimHorizon,
    untilCaughtUp: options.untilCaughtUp ?? false,
    maxBatchAttempts: options.maxBatchAttempts ?? 3,
    onBatch: options.onBatch,
    log,
    stop: stopController.signal,
    ...(lease ? { lease } : {}),
  };

  try {
    const loaded = await loadCheckpoints(options);
    const ended = new Set([...loaded].filter(([, checkpoint]) => checkpoint.ended).map(([shardId]) => shardId));
    const started = new Set<string>();
    /** Open shards left caught up; if they are closed by the next listing they must be read to their end. */
    const caughtUpOpen = new Set<string>();
    const running: Promise<void>[] = [];
    const read = new Set<string>();
    let failure: unknown;
    let batches = 0;
    let records = 0;

    const launch = (listed: readonly ShardInfo[]) => {
      for (const shard of listed) {
        if (shard.closed && caughtUpOpen.delete(shard.shardId)) started.delete(shard.shardId);
      }
      for (const shard of readyShards(listed, { ended, started })) {
        started.add(shard.shardId);
        running.push(run(shard));
      }
    };
    const run = async (shard: ShardInfo) => {
      try {
        if (lease && !(await acquireOrWait(lease, shard.shardId, { context, durationMs: options.lease!.durationMs }))) return;
        read.add(shard.shardId);
        // Another worker may have moved the checkpoint since this poller loaded it.
        const checkpoint = lease ? (await loadCheckpoints(options)).get(shard.shardId) : loaded.get(shard.shardId);
        const outcome = await consumeShard(shard, { checkpoint, context }).finally(() => lease?.release(shard.shardId));
        batches += outcome.batches;
        records += outcome.records;
        loaded.set(shard.shardId, outcome.checkpoint);
        if (outcome.checkpoint.ended) {
          ended.add(shard.shardId);
          // The children of a shard that just ended may not have been listed yet.
          if (!stopController.signal.aborted) launch(await listShards(options, context));
        } else if (!stopController.signal.aborted) {
          caughtUpOpen.add(shard.shardId);
        }
      } catch (error) {
        const lost = findCause(error, (e): e is LeaseLostError => e instanceof LeaseLostError);
        if (lost) {
          // Taken over: the new holder resumes from the last committed checkpoint; this worker just stops the shard.
          log({ type: PollerEventType.ShardLeaseLost, shardId: shard.shardId, ...(lost.holder ? { holder: lost.holder } : {}) });
          return;
        }
        failure ??= error;
        stopController.abort(error);
      }
    };

    launch(await listShards(options, context));
    for (;;) {
      // `running` grows while we wait: children are launched before their parent's run settles.
      for (let index = 0; index < running.length; index++) await running[index];
      if (failure !== undefined) throw failure;
      if (!context.untilCaughtUp || stopController.signal.aborted) break;
      // Children created while we read: one more listing, and more only if it found any.
      const before = running.length;
      launch(await listShards(options, context));
      if (running.length === before) break;
    }
    return { batches, records, shards: read.size };
  } finally {
    options.signal?.removeEventListener('abort', stopOnCaller);
  }
}

/**
 * Takes the shard's lease. When another worker holds it: give up at once in catch-up
 * mode; otherwise keep trying, so a worker that died is taken over once its lease lapses.
 */
async function acquireOrWait(
  lease: ShardLeaseKeeper,
  shardId: string,
  options: { context: ShardConsumerContext; durationMs: number },
): Promise<boolean> {
  for (;;) {
    if (await lease.acquire(shardId)) return true;
    if (options.context.untilCaughtUp || options.context.stop.aborted) return false;
    await abortableDelay(options.durationMs / 2, { signal: options.context.stop });
  }
}

function validate(options: PollShardsOptions): void {
  const { batchSize, batchWindowMs, maxBatchAttempts } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
    throw new UsageError(`batchSize must be an integer from 1 to ${MAX_BATCH_SIZE} (GetRecords' limit), not ${batchSize}`);
  }
  if (!Number.isFinite(batchWindowMs) || batchWindowMs < 0) {
    throw new UsageError(`batchWindowMs must be a number of milliseconds >= 0, not ${batchWindowMs}`);
  }
  if (maxBatchAttempts !== undefined && (!Number.isInteger(maxBatchAttempts) || maxBatchAttempts < 1)) {
    throw new UsageError(`maxBatchAttempts must be an integer >= 1, not ${maxBatchAttempts}`);
  }
}

async function loadCheckpoints(options: PollShardsOptions): Promise<Map<string, ShardCheckpoint>> {
  try {
    return await options.checkpoints.load(options.scope);
  } catch (error) {
    if (error instanceof SluiceError) throw error;
    throw new CheckpointError(
      `loading checkpoints of job '${options.scope.job}', stream '${options.scope.stream}' failed: ${messageOf(error)}`,
      error,
    );
  }
}

/** Every shard of the stream, following NextToken (which must be sent without StreamName). */
async function listShards(options: PollShardsOptions, context: ShardConsumerContext): Promise<ShardInfo[]> {
  const shards: ShardInfo[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const input: ListShardsCommandInput = nextToken === undefined ? { StreamName: options.stream } : { NextToken: nextToken };
      const output = await retryKinesisCall(() => options.client.send(new ListShardsCommand(input), { abortSignal: context.stop }), {
        maxAttempts: KINESIS_CALL_ATTEMPTS,
        signal: context.stop,
        onRetry: (retry) => context.log({ type: PollerEventType.KinesisRetry, operation: 'ListShards', ...retry }),
      });
      shards.push(...(output.Shards ?? []).map(toShardInfo));
      nextToken = output.NextToken;
    } while (nextToken !== undefined);
  } catch (error) {
    if (context.stop.aborted) return [];
    throw new SourceError(
      `ListShards on Kinesis stream '${options.stream}' failed: ${messageOf(error)}; check that the stream exists and the endpoint is right`,
      error,
    );
  }
  return shards;
}
