import { abortableDelay } from './abortable-delay.ts';
import { backoffDelayMs, Jitter, type BackoffPolicy } from './backoff.ts';
import { classifyKinesisError, isRetryableKinesisFailure } from './kinesis-failure.ts';

/**
 * Backoff for throttled or dropped Kinesis calls. The SDK already retries a few times inside
 * `send`; this is the outer loop for sustained throttling, so it waits longer.
 *
 * @example
 * ```ts
 * await retryKinesisCall(() => client.send(command), { policy: KINESIS_CALL_BACKOFF, maxAttempts: 10 });
 * ```
 */
export const KINESIS_CALL_BACKOFF: BackoffPolicy = { baseMs: 100, maxMs: 5_000, jitter: Jitter.Equal };

/**
 * Options for {@link retryKinesisCall}.
 *
 * @example
 * ```ts
 * const options: KinesisRetryOptions = { maxAttempts: 10, signal };
 * ```
 */
export interface KinesisRetryOptions {
  /** Calls in total, the first included. */
  readonly maxAttempts: number;
  readonly policy?: BackoffPolicy;
  /** Stops retrying: the last error is rethrown as soon as the signal aborts. */
  readonly signal?: AbortSignal;
  /** Told before each wait, so callers can log throttling they would otherwise never see. */
  readonly onRetry?: (retry: KinesisRetry) => void;
}

/**
 * A failed call about to be repeated.
 *
 * @example
 * ```ts
 * const onRetry = ({ attempt, delayMs, error }: KinesisRetry) => console.warn(`retry ${attempt} in ${delayMs} ms`, error);
 * ```
 */
export interface KinesisRetry {
  /** The attempt that failed, 1 for the first call. */
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: unknown;
}

/**
 * Runs `call`, repeating it after a capped jittered backoff while it fails with throttling or
 * a transient fault. Any other error, the last error after `maxAttempts`, or an abort is
 * rethrown unchanged so the caller can classify it and say where it happened.
 *
 * @example
 * ```ts
 * const shards = await retryKinesisCall(() => client.send(new ListShardsCommand({ StreamName })), { maxAttempts: 10 });
 * ```
 */
export async function retryKinesisCall<T>(call: () => Promise<T>, options: KinesisRetryOptions): Promise<T> {
  const policy = options.policy ?? KINESIS_CALL_BACKOFF;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= options.maxAttempts || !isRetryableKinesisFailure(classifyKinesisError(error))) throw error;
      const delayMs = backoffDelayMs(policy, attempt);
      options.onRetry?.({ attempt, delayMs, error });
      const waited = await abortableDelay(delayMs, options.signal === undefined ? {} : { signal: options.signal });
      if (!waited) throw error;
    }
  }
}
