import { setTimeout as sleep } from 'node:timers/promises';
import { BatchCreatePartitionCommand, BatchUpdatePartitionCommand, type GlueClient, type PartitionInput } from '@aws-sdk/client-glue';
import { backoffDelayMs, Jitter, type BackoffPolicy } from '../source/backoff.ts';
import type { TableRef } from './catalog.ts';

/**
 * Glue takes at most this many partitions per BatchCreatePartition call.
 *
 * @example
 * ```ts
 * const calls = Math.ceil(partitions.length / BATCH_CREATE_PARTITION_LIMIT);
 * ```
 */
export const BATCH_CREATE_PARTITION_LIMIT = 100;

/**
 * Per-partition error codes in a BatchCreatePartition answer that say "not now" rather than
 * "never": only those entries are sent again. `AlreadyExistsException` is success (another
 * container, or an earlier try of this batch, registered it), anything else is final.
 */
const entryOutcomes: Readonly<Record<string, 'registered' | 'retry'>> = {
  AlreadyExistsException: 'registered',
  ThrottlingException: 'retry',
  InternalServiceException: 'retry',
  ConcurrentModificationException: 'retry',
  OperationTimeoutException: 'retry',
};

/**
 * How often and how patiently entries Glue answered as throttled or busy are sent again.
 *
 * @example
 * ```ts
 * const retry: PartitionRetryPolicy = { attempts: 5, backoff: { baseMs: 100, maxMs: 2_000, jitter: Jitter.Equal } };
 * ```
 */
export interface PartitionRetryPolicy {
  /** Calls per entry, the first included. */
  readonly attempts: number;
  readonly backoff: BackoffPolicy;
}

/**
 * Five tries within 1.5 s at most (waits of 50-100, 100-200, 200-400, 400-800 ms): enough to ride out a throttling burst shared by many
 * containers, short enough to leave the batch time to fail and be retried by the mapping.
 *
 * @example
 * ```ts
 * new GlueCatalog({ client, partitionRetry: DEFAULT_PARTITION_RETRY });
 * ```
 */
export const DEFAULT_PARTITION_RETRY: PartitionRetryPolicy = {
  attempts: 5,
  backoff: { baseMs: 100, maxMs: 2_000, jitter: Jitter.Equal },
};

/**
 * A partition Glue refused for good, or still answered as busy after every attempt.
 *
 * @example
 * ```ts
 * const failure: PartitionFailure = { values: ['2026', '01', '02', '03'], errorCode: 'InvalidInputException',
 *                                     errorMessage: 'The number of partition keys do not match', attempts: 1 };
 * ```
 */
export interface PartitionFailure {
  readonly values: readonly string[];
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly attempts: number;
}

/**
 * What {@link createPartitions} achieved: partitions that now exist (created, or already
 * there) and the ones that failed.
 *
 * @example
 * ```ts
 * const { registered, failures } = await createPartitions({ client, table, partitions, retry });
 * ```
 */
export interface PartitionBatchResult {
  readonly registered: ReadonlyArray<readonly string[]>;
  readonly failures: readonly PartitionFailure[];
}

/**
 * What {@link createPartitions} sends.
 *
 * @example
 * ```ts
 * const request: CreatePartitionsRequest = { client, table: { database: 'iot', name: 'readings' },
 *                                            partitions: inputs, retry: DEFAULT_PARTITION_RETRY };
 * ```
 */
export interface CreatePartitionsRequest {
  readonly client: GlueClient;
  readonly catalogId?: string;
  readonly table: TableRef;
  /** Distinct partitions (by values), each with `Values` and a `StorageDescriptor`. */
  readonly partitions: readonly PartitionInput[];
  readonly retry: PartitionRetryPolicy;
}

/**
 * Creates partitions with BatchCreatePartition, at most 100 per call and one call at a time
 * (several at once would only share the same per-account throttle). Per-entry errors are
 * sorted by `entryOutcomes`: retryable entries, and only those, are sent again after a
 * capped, jittered backoff. A whole-call error (the table is gone, access denied, or a
 * throttle the SDK's own retries did not absorb) rejects with the SDK's exception; entries
 * of earlier calls stay created.
 *
 * @example
 * ```ts
 * const { failures } = await createPartitions({ client, table: ref, partitions: inputs, retry: DEFAULT_PARTITION_RETRY });
 * if (failures.length > 0) throw new CatalogError(describe(failures));
 * ```
 */
export async function createPartitions(request: CreatePartitionsRequest): Promise<PartitionBatchResult> {
  const registered: Array<readonly string[]> = [];
  const failures: PartitionFailure[] = [];
  for (let start = 0; start < request.partitions.length; start += BATCH_CREATE_PARTITION_LIMIT) {
    const chunk = request.partitions.slice(start, start + BATCH_CREATE_PARTITION_LIMIT);
    const result = await createChunk(request, chunk);
    registered.push(...result.registered);
    failures.push(...result.failures);
  }
  return { registered, failures };
}

async function createChunk(request: CreatePartitionsRequest, chunk: readonly PartitionInput[]): Promise<PartitionBatchResult> {
  const registered: Array<readonly string[]> = [];
  const failures: PartitionFailure[] = [];
  let pending = chunk;
  for (let attempt = 1; pending.length > 0; attempt++) {
    const answer = await request.client.send(
      new BatchCreatePartitionCommand({
        ...(request.catalogId === undefined ? {} : { CatalogId: request.catalogId }),
        DatabaseName: request.table.database,
        TableName: request.table.name,
        PartitionInputList: [...pending],
      }),
    );
    const errors = new Map((answer.Errors ?? []).map((e) => [valuesKey(e.PartitionValues ?? []), e.ErrorDetail ?? {}]));
    const again: PartitionInput[] = [];
    for (const partition of pending) {
      const values = partition.Values ?? [];
      const error = errors.get(valuesKey(values));
      const outcome = error === undefined ? 'registered' : entryOutcomes[error.ErrorCode ?? ''];
      if (outcome === 'registered') {
        registered.push(values);
      } else if (outcome === 'retry' && attempt < request.retry.attempts) {
        again.push(partition);
      } else {
        failures.push({
          values,
          errorCode: error?.ErrorCode ?? 'UnknownError',
          errorMessage: error?.ErrorMessage ?? '',
          attempts: attempt,
        });
      }
    }
    pending = again;
    if (pending.length > 0) await sleep(backoffDelayMs(request.retry.backoff, attempt));
  }
  return { registered, failures };
}

/**
 * Glue takes at most this many entries per BatchUpdatePartition call.
 *
 * @example
 * ```ts
 * const calls = Math.ceil(partitions.length / BATCH_UPDATE_PARTITION_LIMIT);
 * ```
 */
export const BATCH_UPDATE_PARTITION_LIMIT = 100;

/**
 * Per-entry error codes of a BatchUpdatePartition answer: `EntityNotFoundException` means the
 * partition is not registered (the caller creates it), the busy codes are sent again, anything
 * else is final.
 */
const updateOutcomes: Readonly<Record<string, 'missing' | 'retry'>> = {
  EntityNotFoundException: 'missing',
  ThrottlingException: 'retry',
  InternalServiceException: 'retry',
  ConcurrentModificationException: 'retry',
  OperationTimeoutException: 'retry',
};

/**
 * What {@link updatePartitions} achieved: partitions now defined as sent, partitions Glue
 * does not have (to be created), and the ones that failed.
 *
 * @example
 * ```ts
 * const { updated, missing, failures } = await updatePartitions({ client, table, partitions, retry });
 * ```
 */
export interface PartitionUpdateResult {
  readonly updated: ReadonlyArray<readonly string[]>;
  readonly missing: readonly PartitionInput[];
  readonly failures: readonly PartitionFailure[];
}

/**
 * Replaces partitions' definitions (a new location, with the rest of the StorageDescriptor as
 * sent) with BatchUpdatePartition, at most 100 entries per call, one call at a time. Entries
 * Glue answers as busy are sent again after the same backoff as {@link createPartitions};
 * entries of partitions that do not exist come back as `missing`, untouched. A whole-call
 * error rejects with the SDK's exception; entries of earlier calls stay updated. Idempotent:
 * sending the same definitions again changes nothing.
 *
 * @example
 * ```ts
 * const { missing } = await updatePartitions({ client, table: ref, partitions: inputs, retry: DEFAULT_PARTITION_RETRY });
 * if (missing.length > 0) await createPartitions({ client, table: ref, partitions: missing, retry: DEFAULT_PARTITION_RETRY });
 * ```
 */
export async function updatePartitions(request: CreatePartitionsRequest): Promise<PartitionUpdateResult> {
  const updated: Array<readonly string[]> = [];
  const missing: PartitionInput[] = [];
  const failures: PartitionFailure[] = [];
  for (let start = 0; start < request.partitions.length; start += BATCH_UPDATE_PARTITION_LIMIT) {
    let pending = request.partitions.slice(start, start + BATCH_UPDATE_PARTITION_LIMIT);
    for (let attempt = 1; pending.length > 0; attempt++) {
      const answer = await request.client.send(
        new BatchUpdatePartitionCommand({
          ...(request.catalogId === undefined ? {} : { CatalogId: request.catalogId }),
          DatabaseName: request.table.database,
          TableName: request.table.name,
          Entries: pending.map((partition) => ({ PartitionValueList: [...(partition.Values ?? [])], PartitionInput: partition })),
        }),
      );
      const errors = new Map((answer.Errors ?? []).map((e) => [valuesKey(e.PartitionValueList ?? []), e.ErrorDetail ?? {}]));
      const again: PartitionInput[] = [];
      for (const partition of pending) {
        const values = partition.Values ?? [];
        const error = errors.get(valuesKey(values));
        const outcome = error === undefined ? 'updated' : updateOutcomes[error.ErrorCode ?? ''];
        if (outcome === 'updated') updated.push(values);
        else if (outcome === 'missing') missing.push(partition);
        else if (outcome === 'retry' && attempt < request.retry.attempts) again.push(partition);
        else {
          failures.push({ values, errorCode: error?.ErrorCode ?? 'UnknownError', errorMessage: error?.ErrorMessage ?? '', attempts: attempt });
        }
      }
      pending = again;
      if (pending.length > 0) await sleep(backoffDelayMs(request.retry.backoff, attempt));
    }
  }
  return { updated, missing, failures };
}

/**
 * One string per distinct list of values; JSON keeps `['a/b']` and `['a', 'b']` apart.
 *
 * @example
 * ```ts
 * valuesKey(['2026', '01', '02', '03']); // '["2026","01","02","03"]'
 * ```
 */
export function valuesKey(values: readonly string[]): string {
  return JSON.stringify(values);
}
