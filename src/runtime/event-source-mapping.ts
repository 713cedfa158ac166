import type { RetryOptions } from '../job/define-job.ts';
import type { StreamRecord } from '../decode/stream-record.ts';
import { messageOf } from '../error-message.ts';

/**
 * The Lambda event source mapping's delivery of one batch of one shard, reproduced for
 * local runs so a handler behaves on a laptop as it does in AWS: invoke, honour
 * `batchItemFailures` (ReportBatchItemFailures), retry, bisect on function error, give up
 * on MaximumRetryAttempts or MaximumRecordAgeInSeconds by sending the range to the
 * on-failure destination. The checkpoint advances only past records that succeeded (or
 * were sent to the destination), never to a failed record mid-batch.
 */

/** The handler's answer to one event; a rejected promise is a function error. */
export interface HandlerAnswer {
  readonly batchItemFailures?: ReadonlyArray<{ readonly itemIdentifier: string }>;
}

/** Why a range went to the on-failure destination (the mapping's own words). */
export const FailureCondition = {
  RetryAttemptsExhausted: 'RetryAttemptsExhausted',
  RecordAgeExceeded: 'RecordAgeExceeded',
} as const;
export type FailureCondition = (typeof FailureCondition)[keyof typeof FailureCondition];

/** A range of records given up on, as the mapping reports it to an SQS/S3 destination. */
export interface FailedRange {
  readonly condition: FailureCondition;
  readonly records: readonly StreamRecord[];
  /** Invocations made for the range. */
  readonly attempts: number;
  readonly lastError?: string;
}

export interface DeliveryPorts {
  /** Invokes the function with the records (as a Kinesis event). */
  invoke(records: readonly StreamRecord[]): Promise<HandlerAnswer>;
  /** Moves the shard's checkpoint to this record (inclusive). */
  checkpoint(through: StreamRecord): Promise<void>;
  /** Sends a range to the on-failure destination. */
  sendToDestination(range: FailedRange): Promise<void>;
  /** Waits before a retry (capped, jittered backoff). */
  backoff(attempt: number): Promise<void>;
  /** The clock, for record age. */
  now(): number;
}

export interface DeliveryOutcome {
  readonly invocations: number;
  readonly functionErrors: number;
  readonly partialFailures: number;
  readonly bisections: number;
  readonly sentToDestination: number;
}

interface Pending {
  readonly records: readonly StreamRecord[];
  readonly attempts: number;
  readonly lastError?: string;
}


/**
 * Delivers one batch until every record succeeded or was sent to the destination.
 * Resolves then; rejects only when a port itself fails (the caller treats that as a
 * worker crash and restarts from the checkpoint).
 *
 * @example
 * ```ts
 * await deliverBatch(records, job.retry, {
 *   invoke: (rs) => handler(eventOfRecords(rs, source)),
 *   checkpoint: (r) => commit(r.sequenceNumber),
 *   sendToDestination: (range) => failures.write(range),
 *   backoff: (n) => delay(Math.min(1000, 10 * 2 ** n)),
 *   now: Date.now,
 * });
 * ```
 */
export async function deliverBatch(
  records: readonly StreamRecord[],
  retry: Required<RetryOptions>,
  ports: DeliveryPorts,
): Promise<DeliveryOutcome> {
  const outcome = { invocations: 0, functionErrors: 0, partialFailures: 0, bisections: 0, sentToDestination: 0 };
  const queue: Pending[] = records.length > 0 ? [{ records, attempts: 0 }] : [];

  const giveUp = async (item: Pending, condition: FailureCondition): Promise<void> => {
    outcome.sentToDestination += item.records.length;
    await ports.sendToDestination({ condition, records: item.records, attempts: item.attempts, ...(item.lastError ? { lastError: item.lastError } : {}) });
    await ports.checkpoint(item.records.at(-1)!);
  };

  const failed = async (remaining: readonly StreamRecord[], attempts: number, lastError: string): Promise<void> => {
    if (retry.maxAttempts >= 0 && attempts > retry.maxAttempts) {
      await giveUp({ records: remaining, attempts, lastError }, FailureCondition.RetryAttemptsExhausted);
      return;
    }
    if (retry.bisectOnError && remaining.length > 1) {
      const half = Math.ceil(remaining.length / 2);
      outcome.bisections++;
      queue.unshift({ records: remaining.slice(0, half), attempts, lastError }, { records: remaining.slice(half), attempts, lastError });
    } else {
      queue.unshift({ records: remaining, attempts, lastError });
    }
    await ports.backoff(attempts);
  };

  while (queue.length > 0) {
    const item = queue.shift()!;
    const oldest = item.records[0]!.arrivalTime.getTime();
    if (retry.maxRecordAgeSeconds >= 0 && ports.now() - oldest > retry.maxRecordAgeSeconds * 1000) {
      await giveUp(item, FailureCondition.RecordAgeExceeded);
      continue;
    }
    outcome.invocations++;
    let answer: HandlerAnswer;
    try {
      answer = await ports.invoke(item.records);
    } catch (error) {
      outcome.functionErrors++;
      await failed(item.records, item.attempts + 1, messageOf(error));
      continue;
    }
    const failures = answer.batchItemFailures ?? [];
    if (failures.length === 0) {
      await ports.checkpoint(item.records.at(-1)!);
      continue;
    }
    outcome.partialFailures++;
    // The mapping resumes from the lowest failed sequence number; an identifier it cannot
    // find in the batch fails the whole batch.
    const ids = new Set(failures.map((f) => f.itemIdentifier));
    let index = item.records.findIndex((r) => ids.has(r.sequenceNumber));
    if (index < 0) index = 0;
    if (index > 0) await ports.checkpoint(item.records[index - 1]!);
    await failed(item.records.slice(index), item.attempts + 1, `batchItemFailures reported ${item.records[index]!.sequenceNumber}`);
  }
  return outcome;
}
