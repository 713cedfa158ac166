/**
 * What a failed Kinesis API call means for the caller: wait and retry, re-acquire an
 * iterator, stop because it was asked to, or give up.
 *
 * @example
 * ```ts
 * if (classifyKinesisError(error) === KinesisFailure.Throttled) await abortableDelay(500, { signal });
 * ```
 */
export const KinesisFailure = {
  /** Over the shard's or account's rate: retry after a backoff. */
  Throttled: 'throttled',
  /** The shard iterator is older than five minutes: get a new one from a known position. */
  ExpiredIterator: 'expired-iterator',
  /** Connection trouble or a server-side fault: retry after a backoff. */
  Transient: 'transient',
  /** The call was cancelled by an AbortSignal. */
  Aborted: 'aborted',
  /** Anything else (missing stream, bad argument, access denied): retrying will not help. */
  Fatal: 'fatal',
} as const;
export type KinesisFailure = (typeof KinesisFailure)[keyof typeof KinesisFailure];

const THROTTLING_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'LimitExceededException',
  'ThrottlingException',
  'KMSThrottlingException',
]);

const SERVER_FAULT_NAMES = new Set(['InternalFailureException', 'InternalFailure', 'ServiceUnavailable', 'ServiceUnavailableException']);

const CONNECTION_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);

interface ErrorFacts {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}

/**
 * Classifies an error thrown by a `KinesisClient.send` call (or by the HTTP layer under it).
 *
 * @example
 * ```ts
 * if (classifyKinesisError(error) === KinesisFailure.ExpiredIterator) iterator = await freshIterator();
 * ```
 */
export function classifyKinesisError(error: unknown): KinesisFailure {
  if (typeof error !== 'object' || error === null) return KinesisFailure.Fatal;
  const facts = error as ErrorFacts;
  const name = typeof facts.name === 'string' ? facts.name : '';
  if (name === 'AbortError') return KinesisFailure.Aborted;
  if (name === 'ExpiredIteratorException') return KinesisFailure.ExpiredIterator;
  if (THROTTLING_NAMES.has(name)) return KinesisFailure.Throttled;
  if (SERVER_FAULT_NAMES.has(name) || name === 'TimeoutError') return KinesisFailure.Transient;
  const status = facts.$metadata?.httpStatusCode;
  if (typeof status === 'number' && status >= 500) return KinesisFailure.Transient;
  if (typeof facts.code === 'string' && CONNECTION_CODES.has(facts.code)) return KinesisFailure.Transient;
  // Node reports some dropped connections only in the message.
  if (typeof facts.message === 'string' && /socket hang up|ECONNRESET|ECONNREFUSED/.test(facts.message)) {
    return KinesisFailure.Transient;
  }
  return KinesisFailure.Fatal;
}

/**
 * Whether waiting and repeating the same call may succeed.
 *
 * @example
 * ```ts
 * if (!isRetryableKinesisFailure(classifyKinesisError(error))) throw error;
 * ```
 */
export function isRetryableKinesisFailure(failure: KinesisFailure): boolean {
  return failure === KinesisFailure.Throttled || failure === KinesisFailure.Transient;
}
