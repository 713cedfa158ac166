import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamSummaryCommand,
  ListStreamsCommand,
  StreamStatus,
  type KinesisClient,
  type StreamDescriptionSummary,
} from '@aws-sdk/client-kinesis';
import { SourceError } from '../errors.ts';
import { abortableDelay } from './abortable-delay.ts';
import { backoffDelayMs, Jitter, type BackoffPolicy } from './backoff.ts';
import { messageOf } from '../error-message.ts';
import { retryKinesisCall } from './kinesis-retry.ts';

/**
 * What {@link ensureStream} should make exist.
 *
 * @example
 * ```ts
 * const request: EnsureStreamRequest = { stream: 'iot-sensor', shards: 2 };
 * ```
 */
export interface EnsureStreamRequest {
  readonly stream: string;
  /** Shard count when the stream has to be created; an existing stream keeps its own. */
  readonly shards: number;
}

/**
 * Options for waiting on a stream's status.
 *
 * @example
 * ```ts
 * const options: StreamWaitOptions = { timeoutMs: 120_000, signal };
 * ```
 */
export interface StreamWaitOptions {
  /** Give up after this long; 60 s by default (AWS takes tens of seconds, kinesalite none). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

const STATUS_POLL: BackoffPolicy = { baseMs: 25, maxMs: 1_000, jitter: Jitter.None };
const DEFAULT_TIMEOUT_MS = 60_000;
const CALL_ATTEMPTS = 8;

/**
 * Creates the stream if it does not exist and waits until it is ACTIVE. An existing stream
 * is fine whatever its shard count. Returns the number of open shards.
 *
 * @example
 * ```ts
 * const shards = await ensureStream(client, { stream: 'iot-sensor', shards: 2 }); // 2
 * ```
 */
export async function ensureStream(client: KinesisClient, request: EnsureStreamRequest, options: StreamWaitOptions = {}): Promise<number> {
  const existing = await describeStream(client, request.stream, options);
  if (existing === undefined) {
    try {
      await retryKinesisCall(() => client.send(new CreateStreamCommand({ StreamName: request.stream, ShardCount: request.shards })), {
        maxAttempts: CALL_ATTEMPTS,
      });
    } catch (error) {
      // Someone else created it between our describe and create: theirs is as good as ours.
      if (errorName(error) !== 'ResourceInUseException') {
        throw new SourceError(`cannot create Kinesis stream '${request.stream}' with ${request.shards} shards: ${messageOf(error)}`, error);
      }
    }
  }
  const active = await waitForStreamActive(client, { stream: request.stream }, options);
  return active.OpenShardCount ?? 0;
}

/**
 * Waits until the stream is ACTIVE, for instance after SplitShard or MergeShards, and returns
 * its summary.
 *
 * @example
 * ```ts
 * await client.send(new SplitShardCommand({ ... }));
 * await waitForStreamActive(client, { stream: 'iot-sensor' });
 * ```
 */
export async function waitForStreamActive(
  client: KinesisClient,
  target: { readonly stream: string },
  options: StreamWaitOptions = {},
): Promise<StreamDescriptionSummary> {
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  for (let attempt = 1; ; attempt++) {
    const summary = await describeStream(client, target.stream, options);
    if (summary?.StreamStatus === StreamStatus.ACTIVE) return summary;
    if (summary === undefined || summary.StreamStatus === StreamStatus.DELETING) {
      throw new SourceError(`Kinesis stream '${target.stream}' does not exist (or is being deleted): create it first`);
    }
    await pollPause(target.stream, `ACTIVE (it is ${summary.StreamStatus ?? 'in no status'})`, { attempt, deadline, options });
  }
}

/**
 * Deletes the stream and waits until it is gone; a stream that does not exist is fine.
 *
 * @example
 * ```ts
 * await deleteStream(client, { stream: 'iot-sensor' });
 * ```
 */
export async function deleteStream(client: KinesisClient, target: { readonly stream: string }, options: StreamWaitOptions = {}): Promise<void> {
  try {
    await retryKinesisCall(() => client.send(new DeleteStreamCommand({ StreamName: target.stream, EnforceConsumerDeletion: true })), {
      maxAttempts: CALL_ATTEMPTS,
    });
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') return;
    throw new SourceError(`cannot delete Kinesis stream '${target.stream}': ${messageOf(error)}`, error);
  }
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  for (let attempt = 1; (await describeStream(client, target.stream, options)) !== undefined; attempt++) {
    await pollPause(target.stream, 'deleted', { attempt, deadline, options });
  }
}

/**
 * Whether the stream exists (in any status but being deleted), so a caller can refuse to
 * create one by a mistyped name.
 *
 * @example
 * ```ts
 * if (!(await streamExists(client, { stream: 'iot-sensor' }))) throw new UsageError("no stream 'iot-sensor': pass --create");
 * ```
 */
export async function streamExists(client: KinesisClient, target: { readonly stream: string }, options: StreamWaitOptions = {}): Promise<boolean> {
  const summary = await describeStream(client, target.stream, options);
  return summary !== undefined && summary.StreamStatus !== StreamStatus.DELETING;
}

/**
 * The names of the streams the endpoint has, to name the candidates when a stream is missing.
 *
 * @example
 * ```ts
 * await streamNames(client); // ['iot-activity', 'iot-sensor']
 * ```
 */
export async function streamNames(client: KinesisClient): Promise<string[]> {
  const names: string[] = [];
  // Paged by the last name seen: kinesalite has no NextToken, and AWS takes either.
  let after: string | undefined;
  try {
    for (;;) {
      const page = await retryKinesisCall(
        () => client.send(new ListStreamsCommand(after === undefined ? {} : { ExclusiveStartStreamName: after })),
        { maxAttempts: CALL_ATTEMPTS },
      );
      const streams = page.StreamNames ?? [];
      names.push(...streams);
      if (!page.HasMoreStreams || streams.length === 0) break;
      after = streams.at(-1);
    }
  } catch (error) {
    throw new SourceError(`cannot list Kinesis streams: ${messageOf(error)}`, error);
  }
  return names.sort();
}

/** The stream's summary, or undefined when it does not exist. */
async function describeStream(client: KinesisClient, stream: string, options: StreamWaitOptions): Promise<StreamDescriptionSummary | undefined> {
  try {
    const output = await retryKinesisCall(() => client.send(new DescribeStreamSummaryCommand({ StreamName: stream })), {
      maxAttempts: CALL_ATTEMPTS,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    return output.StreamDescriptionSummary;
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') return undefined;
    throw new SourceError(`cannot describe Kinesis stream '${stream}': ${messageOf(error)}`, error);
  }
}

async function pollPause(
  stream: string,
  awaited: string,
  progress: { readonly attempt: number; readonly deadline: number; readonly options: StreamWaitOptions },
): Promise<void> {
  const { signal, timeoutMs } = progress.options;
  if (Date.now() >= progress.deadline) {
    throw new SourceError(
      `Kinesis stream '${stream}' was not ${awaited} after ${timeoutMs ?? DEFAULT_TIMEOUT_MS} ms: check it in the console, or retry with a longer timeout`,
    );
  }
  const completed = await abortableDelay(backoffDelayMs(STATUS_POLL, progress.attempt), signal === undefined ? {} : { signal });
  if (!completed) throw new SourceError(`stopped while waiting for Kinesis stream '${stream}' to be ${awaited}`, signal?.reason);
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}
