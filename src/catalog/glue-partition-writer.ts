import { setTimeout as sleep } from 'node:timers/promises';
import { BatchCreatePartitionCommand, BatchUpdatePartitionCommand, type GlueClient, type PartitionInput } from '@aws-sdk/client-glue';
import { backoffDelayMs, Jitter, type BackoffPolicy } from '../kinesis/backoff.ts';
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

/** Glue takes at most this many entries per BatchUpdatePartition call. */
const BATCH_UPDATE_PARTITION_LIMIT = 100;

/** What a batch call's per-entry error code means: done all the same, missing, or worth sending again. */
type EntryOutcome = 'done' | 'missing' | 'retry';

/** The busy codes of both batch calls: "not now" rather than "never". Any code not listed is final. */
const BUSY: Readonly<Record<string, EntryOutcome>> = {
  ThrottlingException: 'retry',
  InternalServiceException: 'retry',
  ConcurrentModificationException: 'retry',
  OperationTimeoutException: 'retry',
};

/** BatchCreatePartition: `AlreadyExistsException` is success (another container, or an earlier try of this batch, registered it). */
const createOutcomes: Readonly<Record<string, EntryOutcome>> = { ...BUSY, AlreadyExistsException: 'done' };

/** BatchUpdatePartition: `EntityNotFoundException` means the partition is not registered (the caller creates it). */
const updateOutcomes: Readonly<Record<string, EntryOutcome>> = { ...BUSY, EntityNotFoundException: 'missing' };

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
 * What {@link createPartitions} and {@link updatePartitions} send.
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
 * sorted by `createOutcomes`: retryable entries, and only those, are sent again after a
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
  const { done, failures } = await sendEntries(request, {
    limit: BATCH_CREATE_PARTITION_LIMIT,
    outcomes: createOutcomes,
    send: async (pending) => {
      const answer = await request.client.send(
        new BatchCreatePartitionCommand({ ...tableOf(request), PartitionInputList: [...pending] }),
      );
      return (answer.Errors ?? []).map((e) => ({ values: e.PartitionValues ?? [], detail: e.ErrorDetail ?? {} }));
    },
  });
  return { registered: done.map((p) => p.Values ?? []), failures };
}

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
 * sent) with BatchUpdatePartition, at most 100 entries per call, one call at a time, busy
 * entries sent again as by {@link createPartitions}; entries of partitions that do not exist
 * come back as `missing`, untouched. A whole-call error rejects with the SDK's exception;
 * entries of earlier calls stay updated. Idempotent: sending the same definitions again
 * changes nothing.
 *
 * @example
 * ```ts
 * const { missing } = await updatePartitions({ client, table: ref, partitions: inputs, retry: DEFAULT_PARTITION_RETRY });
 * if (missing.length > 0) await createPartitions({ client, table: ref, partitions: missing, retry: DEFAULT_PARTITION_RETRY });
 * ```
 */
export async function updatePartitions(request: CreatePartitionsRequest): Promise<PartitionUpdateResult> {
  const { done, missing, failures } = await sendEntries(request, {
    limit: BATCH_UPDATE_PARTITION_LIMIT,
    outcomes: updateOutcomes,
    send: async (pending) => {
      const answer = await request.client.send(
        new BatchUpdatePartitionCommand({
          ...tableOf(request),
          Entries: pending.map((partition) => ({ PartitionValueList: [...(partition.Values ?? [])], PartitionInput: partition })),
        }),
      );
      return (answer.Errors ?? []).map((e) => ({ values: e.PartitionValueList ?? [], detail: e.ErrorDetail ?? {} }));
    },
  });
  return { updated: done.map((p) => p.Values ?? []), missing, failures };
}

function tableOf(request: CreatePartitionsRequest) {
  return { ...(request.catalogId === undefined ? {} : { CatalogId: request.catalogId }), DatabaseName: request.table.database, TableName: request.table.name };
}

interface EntryError {
  readonly values: readonly string[];
  readonly detail: { readonly ErrorCode?: string | undefined; readonly ErrorMessage?: string | undefined };
}

/**
 * The batching both calls share: `limit` entries per call, one call at a time (several at
 * once would only share the same per-account throttle); each entry's error code sorted by
 * `outcomes`, and the busy entries, only those, sent again after the policy's backoff.
 */
async function sendEntries(
  request: CreatePartitionsRequest,
  call: {
    readonly limit: number;
    readonly outcomes: Readonly<Record<string, EntryOutcome>>;
    readonly send: (pending: readonly PartitionInput[]) => Promise<readonly EntryError[]>;
  },
): Promise<{ done: PartitionInput[]; missing: PartitionInput[]; failures: PartitionFailure[] }> {
  const done: PartitionInput[] = [];
  const missing: PartitionInput[] = [];
  const failures: PartitionFailure[] = [];
  for (let start = 0; start < request.partitions.length; start += call.limit) {
    let pending = request.partitions.slice(start, start + call.limit);
    for (let attempt = 1; pending.length > 0; attempt++) {
      const errors = new Map((await call.send(pending)).map((e) => [valuesKey(e.values), e.detail]));
      const again: PartitionInput[] = [];
      for (const partition of pending) {
        const values = partition.Values ?? [];
        const error = errors.get(valuesKey(values));
        const outcome = error === undefined ? 'done' : call.outcomes[error.ErrorCode ?? ''];
        if (outcome === 'done') done.push(partition);
        else if (outcome === 'missing') missing.push(partition);
        else if (outcome === 'retry' && attempt < request.retry.attempts) again.push(partition);
        else failures.push({ values, errorCode: error?.ErrorCode ?? 'UnknownError', errorMessage: error?.ErrorMessage ?? '', attempts: attempt });
      }
      pending = again;
      if (pending.length > 0) await sleep(backoffDelayMs(request.retry.backoff, attempt));
    }
  }
  return { done, missing, failures };
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
