import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ShardIteratorType,
  type GetRecordsOutput,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { BatchError, CheckpointError, SourceError, SluiceError } from '../errors.ts';
import type { CheckpointScope, CheckpointStore, ShardCheckpoint } from '../checkpoint/checkpoint-store.ts';
import { abortableDelay } from './abortable-delay.ts';
import { backoffDelayMs, Jitter, type BackoffPolicy } from './backoff.ts';
import { messageOf } from '../error-message.ts';
import { classifyKinesisError, KinesisFailure } from './kinesis-failure.ts';
import { toStreamRecord } from './kinesis-record.ts';
import { retryKinesisCall } from './kinesis-retry.ts';
import { PollerEventType, type PollerEvent } from './poller-events.ts';
import type { ShardInfo } from './shard-lineage.ts';
import type { ShardLeaseKeeper } from './shard-lease-keeper.ts';
import { compareSequenceNumbers, type StreamRecord } from '../decode/stream-record.ts';

/**
 * Where a shard without a checkpoint starts: its oldest record, or records arriving from now.
 *
 * @example
 * ```ts
 * pollShards({ ...options, startingPosition: StartingPosition.Latest });
 * ```
 */
export const StartingPosition = {
  TrimHorizon: 'TRIM_HORIZON',
  Latest: 'LATEST',
} as const;
export type StartingPosition = (typeof StartingPosition)[keyof typeof StartingPosition];

/**
 * The records of one micro-batch, all from one shard, in sequence order.
 *
 * @example
 * ```ts
 * const onBatch = async ({ shardId, records }: ShardBatch) => { await writeFiles(shardId, records); };
 * ```
 */
export interface ShardBatch {
  readonly shardId: string;
  readonly records: StreamRecord[];
  /**
   * Commits the checkpoint through `sequenceNumber` (a record of this batch) before the
   * batch is done: what the event source mapping does after a partial success. If the
   * batch then fails, it is re-read from right after the last such commit.
   */
  checkpoint(sequenceNumber: string): Promise<void>;
}

/**
 * Everything a shard consumer needs that is the same for every shard.
 *
 * @example
 * ```ts
 * const outcome = await consumeShard(shard, { checkpoint: loaded.get(shard.shardId), context });
 * ```
 */
export interface ShardConsumerContext {
  readonly client: KinesisClient;
  readonly stream: string;
  readonly scope: CheckpointScope;
  readonly checkpoints: CheckpointStore;
  readonly batchSize: number;
  readonly batchWindowMs: number;
  readonly startingPosition: StartingPosition;
  readonly untilCaughtUp: boolean;
  readonly maxBatchAttempts: number;
  readonly onBatch: (batch: ShardBatch) => Promise<void>;
  readonly log: (event: PollerEvent) => void;
  /** Several workers: each shard is read under a lease (see `ShardLeaseKeeper`). */
  readonly lease?: ShardLeaseKeeper;
  /** Aborted when the caller stops the poller or another shard failed. */
  readonly stop: AbortSignal;
}

/**
 * How a shard consumer finished.
 *
 * @example
 * ```ts
 * if (outcome.checkpoint.ended) startChildrenOf(shard);
 * ```
 */
export interface ShardOutcome {
  /** The shard's checkpoint when the consumer returned; `ended` once it was read to its end. */
  readonly checkpoint: ShardCheckpoint;
  readonly batches: number;
  readonly records: number;
}

/** Wait before polling a caught-up shard again: pacing, well under the 5 reads/s a shard allows. */
const IDLE_MS = 200;
const BATCH_RETRY: BackoffPolicy = { baseMs: 100, maxMs: 5_000, jitter: Jitter.None };
const KINESIS_CALL_ATTEMPTS = 10;
/** A fresh iterator expiring again and again means a clock or server problem, not age. */
const MAX_CONSECUTIVE_EXPIRIES = 5;
/** GetRecords returns at most 10,000 records per call. */
const GET_RECORDS_LIMIT = 10_000;

type ReadPosition =
  | { readonly type: typeof ShardIteratorType.AFTER_SEQUENCE_NUMBER | typeof ShardIteratorType.AT_SEQUENCE_NUMBER; readonly sequenceNumber: string }
  | { readonly type: StartingPosition };

/**
 * Reads one shard in micro-batches and commits a checkpoint after each batch `onBatch`
 * accepted (DESIGN §5). A batch closes at `batchSize` records, when `batchWindowMs` passed
 * since its first record, when the shard is caught up, or when the shard ends. A rejected
 * batch is not committed: the shard is re-read from the checkpoint and the batch retried
 * from the same first record with capped exponential backoff, up to `maxBatchAttempts`
 * failures, then a `BatchError` is thrown. Returns when the shard ended, when it is caught
 * up in `untilCaughtUp` mode (open shards only: a closed one is always read to its end so its
 * children can start), or when `stop` aborts (letting an `onBatch` in flight finish first).
 *
 * @example
 * ```ts
 * const outcome = await consumeShard(shard, { checkpoint: loaded.get(shard.shardId), context });
 * ```
 */
export async function consumeShard(
  shard: ShardInfo,
  start: { readonly checkpoint: ShardCheckpoint | undefined; readonly context: ShardConsumerContext },
): Promise<ShardOutcome> {
  const { context } = start;
  const { shardId } = shard;
  let committed = start.checkpoint?.sequenceNumber;
  let position: ReadPosition =
    committed === undefined ? { type: context.startingPosition } : { type: ShardIteratorType.AFTER_SEQUENCE_NUMBER, sequenceNumber: committed };
  let iterator: string | undefined;
  let pending: StreamRecord[] = [];
  let batchOpenedAt = 0;
  let failures = 0;
  let expiries = 0;
  let batches = 0;
  let records = 0;
  context.log({ type: PollerEventType.ShardStarted, shardId, from: committed ?? context.startingPosition });

  const commit = async (checkpoint: ShardCheckpoint) => {
    try {
      await context.checkpoints.commit(context.scope, shardId, checkpoint, context.lease ? { lease: context.lease.current(shardId) } : {});
    } catch (error) {
      if (error instanceof SluiceError) throw error;
      throw new SourceError(`committing the checkpoint of stream '${context.stream}', shard '${shardId}' failed: ${messageOf(error)}`, error);
    }
  };

  while (!context.stop.aborted) {
    if (iterator === undefined) {
      const acquired = await shardIterator(context, shardId, position);
      if (acquired === undefined) break;
      iterator = acquired;
    }
    let output: GetRecordsOutput;
    try {
      output = await getRecords(context, shardId, { iterator, limit: Math.min(GET_RECORDS_LIMIT, context.batchSize - pending.length) });
    } catch (error) {
      if (context.stop.aborted) break;
      if (classifyKinesisError(error) === KinesisFailure.ExpiredIterator && ++expiries <= MAX_CONSECUTIVE_EXPIRIES) {
        // Records already in `pending` stay: the new iterator resumes right after them.
        iterator = undefined;
        continue;
      }
      throw new SourceError(
        `GetRecords on stream '${context.stream}', shard '${shardId}' failed after ${committed ?? 'the starting position'}: ${messageOf(error)}; ` +
          'check the stream and your network, then run again (it resumes from the checkpoint)',
        error,
      );
    }
    expiries = 0;

    const received = (output.Records ?? []).map((record) => toStreamRecord(record, { shardId }));
    const last = received.at(-1);
    if (last !== undefined) {
      if (pending.length === 0) batchOpenedAt = Date.now();
      pending.push(...received);
      position = { type: ShardIteratorType.AFTER_SEQUENCE_NUMBER, sequenceNumber: last.sequenceNumber };
    }
    // Kinesis answers a null iterator once a closed shard is read to its end (kinesalite omits it).
    const ended = output.NextShardIterator === undefined || output.NextShardIterator === null;
    iterator = ended ? undefined : output.NextShardIterator;
    const caughtUp = !ended && received.length === 0 && output.MillisBehindLatest === 0;
    const batchDue =
      pending.length > 0 &&
      (pending.length >= context.batchSize || ended || caughtUp || Date.now() - batchOpenedAt >= context.batchWindowMs);

    if (batchDue) {
      if (context.stop.aborted) break;
      const batch = pending;
      pending = [];
      const first = batch[0] as StreamRecord;
      const lastOfBatch = batch.at(-1) as StreamRecord;
      // A worker that lost its lease must stop before it writes: renew first, fail fast.
      if (context.lease && !(await context.lease.renew(shardId))) break;
      const inBatch = new Set(batch.map((r) => r.sequenceNumber));
      const checkpointWithin = async (sequenceNumber: string) => {
        if (!inBatch.has(sequenceNumber)) {
          throw new CheckpointError(`shard '${shardId}': ${sequenceNumber} is not a record of the batch being processed; checkpoint only records of this batch`);
        }
        if (committed !== undefined && compareSequenceNumbers(sequenceNumber, committed) <= 0) return;
        await commit({ sequenceNumber, ended: false });
        committed = sequenceNumber;
      };
      try {
        await context.onBatch({ shardId, records: batch.slice(), checkpoint: checkpointWithin });
      } catch (error) {
        failures += 1;
        const range = { firstSequenceNumber: first.sequenceNumber, lastSequenceNumber: lastOfBatch.sequenceNumber };
        if (failures >= context.maxBatchAttempts) {
          context.log({ type: PollerEventType.BatchFailed, shardId, attempt: failures, ...range, error });
          throw new BatchError(
            `job '${context.scope.job}', stream '${context.stream}', shard '${shardId}': the batch of ${batch.length} records ` +
              `(sequence numbers ${range.firstSequenceNumber} to ${range.lastSequenceNumber}) failed ${failures} times, last with: ${messageOf(error)}. ` +
              // A batch may have checkpointed part of itself, so name the checkpoint, not the batch start.
              `The checkpoint stays at ${committed ?? 'the starting position (nothing committed)'}: fix the cause and run again to resume after it`,
            error,
          );
        }
        const retryInMs = backoffDelayMs(BATCH_RETRY, failures);
        context.log({ type: PollerEventType.BatchFailed, shardId, attempt: failures, ...range, error, retryInMs });
        // A commit that failed may still have taken effect: resume from the durable checkpoint,
        // never from what this worker believes, or a shorter retry could overwrite a file
        // whose later rows the durable checkpoint already counts as done.
        committed = (await durableCheckpoint(context, shardId)) ?? committed;
        // Re-read from the checkpoint, as the event source mapping would. Without a checkpoint,
        // AT the failed batch's first record: re-reading from LATEST would skip the batch.
        position =
          committed === undefined
            ? { type: ShardIteratorType.AT_SEQUENCE_NUMBER, sequenceNumber: first.sequenceNumber }
            : { type: ShardIteratorType.AFTER_SEQUENCE_NUMBER, sequenceNumber: committed };
        iterator = undefined;
        await abortableDelay(retryInMs, { signal: context.stop });
        continue;
      }
      failures = 0;
      await commit({ sequenceNumber: lastOfBatch.sequenceNumber, ended });
      committed = lastOfBatch.sequenceNumber;
      batches += 1;
      records += batch.length;
      context.log({
        type: PollerEventType.BatchCommitted,
        shardId,
        records: batch.length,
        firstSequenceNumber: first.sequenceNumber,
        lastSequenceNumber: lastOfBatch.sequenceNumber,
      });
    } else if (ended) {
      await commit(checkpointAt(committed, { ended: true }));
    }

    if (ended) {
      context.log({ type: PollerEventType.ShardEnded, shardId, ...(committed === undefined ? {} : { lastSequenceNumber: committed }) });
      return { checkpoint: checkpointAt(committed, { ended: true }), batches, records };
    }
    if (caughtUp) {
      context.log({ type: PollerEventType.ShardCaughtUp, shardId });
      if (context.untilCaughtUp && !shard.closed) break;
      if (context.lease && !(await context.lease.renew(shardId))) break;
      await abortableDelay(IDLE_MS, { signal: context.stop });
    }
  }
  return { checkpoint: checkpointAt(committed, { ended: false }), batches, records };
}

function checkpointAt(sequenceNumber: string | undefined, state: { readonly ended: boolean }): ShardCheckpoint {
  return sequenceNumber === undefined ? { ended: state.ended } : { sequenceNumber, ended: state.ended };
}

/** An iterator at `position`, or undefined when stopping. */
async function shardIterator(context: ShardConsumerContext, shardId: string, position: ReadPosition): Promise<string | undefined> {
  try {
    const output = await retryKinesisCall(
      () =>
        context.client.send(
          new GetShardIteratorCommand({
            StreamName: context.stream,
            ShardId: shardId,
            ShardIteratorType: position.type,
            ...('sequenceNumber' in position ? { StartingSequenceNumber: position.sequenceNumber } : {}),
          }),
          { abortSignal: context.stop },
        ),
      { maxAttempts: KINESIS_CALL_ATTEMPTS, signal: context.stop, onRetry: retryLogger(context, { operation: 'GetShardIterator', shardId }) },
    );
    if (output.ShardIterator === undefined) throw new Error('the response carried no ShardIterator');
    return output.ShardIterator;
  } catch (error) {
    if (context.stop.aborted) return undefined;
    const at = 'sequenceNumber' in position ? `${position.type} ${position.sequenceNumber}` : position.type;
    throw new SourceError(
      `GetShardIterator on stream '${context.stream}', shard '${shardId}' at ${at} failed: ${messageOf(error)}; ` +
        'check that the stream exists and is reachable, then run again',
      error,
    );
  }
}

function getRecords(
  context: ShardConsumerContext,
  shardId: string,
  request: { readonly iterator: string; readonly limit: number },
): Promise<GetRecordsOutput> {
  return retryKinesisCall(
    () => context.client.send(new GetRecordsCommand({ ShardIterator: request.iterator, Limit: request.limit }), { abortSignal: context.stop }),
    { maxAttempts: KINESIS_CALL_ATTEMPTS, signal: context.stop, onRetry: retryLogger(context, { operation: 'GetRecords', shardId }) },
  );
}

function retryLogger(context: ShardConsumerContext, where: { readonly operation: string; readonly shardId: string }) {
  return (retry: { readonly attempt: number; readonly delayMs: number; readonly error: unknown }) =>
    context.log({ type: PollerEventType.KinesisRetry, ...where, ...retry });
}

/** The shard's checkpoint as the store holds it now. */
async function durableCheckpoint(context: ShardConsumerContext, shardId: string): Promise<string | undefined> {
  try {
    return (await context.checkpoints.load(context.scope)).get(shardId)?.sequenceNumber;
  } catch (error) {
    if (error instanceof SluiceError) throw error;
    throw new SourceError(`reading the checkpoint of stream '${context.stream}', shard '${shardId}' failed: ${messageOf(error)}`, error);
  }
}
