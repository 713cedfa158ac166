import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { Catalog } from '../catalog/catalog.ts';
import { messageOf } from '../error-message.ts';
import type { Job } from '../job/define-job.ts';
import { streamName } from '../job/source.ts';
import { readShardRange } from '../kinesis/shard-reads.ts';
import type { ObjectStore } from '../store/object-store.ts';
import type { FailedBatch, FailureSource } from './failure-source.ts';
import { eventOfRecords } from './lambda/kinesis-event.ts';
import { createKinesisHandler } from './lambda/kinesis-handler.ts';
import { ensureJobTables } from './table-descriptor.ts';

/**
 * What a redrive did with one failed batch.
 *
 * @example
 * ```ts
 * outcome.status === RedriveStatus.Expired; // the stream no longer holds the range
 * ```
 */
export const RedriveStatus = {
  /** Reprocessed and committed; removed from the destination. */
  Redriven: 'redriven',
  /** An earlier redrive committed it (and stopped before removing it); removed now. */
  AlreadyPresent: 'already-present',
  /** The stream no longer holds the range's first record: it cannot be reprocessed; left in the destination. */
  Expired: 'expired',
  /** Reprocessing failed again; left in the destination with the error. */
  Failed: 'failed',
} as const;
export type RedriveStatus = (typeof RedriveStatus)[keyof typeof RedriveStatus];

/**
 * One failed batch's redrive.
 *
 * @example
 * ```ts
 * const outcome: RedriveOutcome = { shardId: 'shardId-000000000000', first: '4959...', last: '4959...', status: 'redriven', records: 100 };
 * ```
 */
export interface RedriveOutcome {
  readonly shardId: string;
  /** The range's first and last sequence numbers. */
  readonly first: string;
  readonly last: string;
  readonly status: RedriveStatus;
  /** Kinesis records reprocessed (redriven only). */
  readonly records?: number;
  /** Why it failed again. */
  readonly error?: string;
}

/**
 * Options of {@link redrive}.
 *
 * @example
 * ```ts
 * const options: RedriveOptions = { job, kinesis: env.kinesis, store: env.store, catalog: env.catalog, failures: destination };
 * ```
 */
export interface RedriveOptions {
  readonly job: Job;
  readonly kinesis: KinesisClient;
  readonly store: ObjectStore;
  readonly catalog: Catalog;
  /** The on-failure destination: the local failure folder, or the deployed job's SQS queue. */
  readonly failures: FailureSource;
  /** Called after each batch. */
  readonly onOutcome?: (outcome: RedriveOutcome) => void;
}

/**
 * `<prefix>/_redriven/<table>/`: one document per failed range a redrive committed, so a
 * redrive that stopped before removing the range from the destination finds it done.
 *
 * @example
 * ```ts
 * redrivenRootKey(job); // 'iot/_redriven/sensor_readings'
 * ```
 */
export function redrivenRootKey(job: Job): string {
  return `${job.output.prefix}/_redriven/${job.output.name}`;
}

/**
 * Reprocesses the batches the event source mapping gave up on, exactly once (DESIGN.md §4):
 * each range is read back from the stream from its first sequence number through its last and
 * handed, as one Kinesis event, to the job's real handler, so it rewrites the very keys its
 * failed attempts wrote (files are keyed by the first record landing in them) instead of
 * adding new ones. A range is then remembered and removed from the destination. Ranges are
 * taken one at a time, in the destination's order; one that fails again stays for the next
 * redrive. Rejects with the ports' errors.
 *
 * @example
 * ```ts
 * const outcomes = await redrive({ job, kinesis, store, catalog, failures: new LocalFailureDestination({ dir, streamArn, functionArn }) });
 * ```
 */
export async function redrive(options: RedriveOptions): Promise<RedriveOutcome[]> {
  const { job, store, catalog } = options;
  await ensureJobTables(catalog, job, store);
  let lastError: string | undefined;
  const handler = createKinesisHandler(job, {
    adapters: () => ({ store, catalog }),
    onError: (error) => {
      lastError = messageOf(error);
    },
  });
  const outcomes: RedriveOutcome[] = [];
  for (const batch of await options.failures.pending()) {
    const outcome = await redriveOne(batch, { ...options, handler, lastError: () => lastError });
    outcomes.push(outcome);
    options.onOutcome?.(outcome);
  }
  return outcomes;
}

async function redriveOne(
  batch: FailedBatch,
  context: RedriveOptions & { readonly handler: ReturnType<typeof createKinesisHandler>; readonly lastError: () => string | undefined },
): Promise<RedriveOutcome> {
  const info = batch.document.KinesisBatchInfo;
  const where = { shardId: info.shardId, first: info.startSequenceNumber, last: info.endSequenceNumber };
  const ledger = `${redrivenRootKey(context.job)}/${encodeURIComponent(info.shardId)}-${info.startSequenceNumber}-${info.endSequenceNumber}.json`;
  if ((await context.store.get(ledger)) !== undefined) {
    await context.failures.remove(batch);
    return { ...where, status: RedriveStatus.AlreadyPresent };
  }
  const stream = streamName(info.streamArn || context.job.source.stream);
  const range = await readShardRange(context.kinesis, { stream, shardId: info.shardId, first: info.startSequenceNumber, last: info.endSequenceNumber });
  if ('expired' in range) return { ...where, status: RedriveStatus.Expired };
  const answer = await context.handler(
    eventOfRecords(range.records, {
      streamArn: info.streamArn,
      region: 'local',
      functionArn: batch.document.requestContext.functionArn,
    }),
  );
  if ((answer.batchItemFailures ?? []).length > 0) return { ...where, status: RedriveStatus.Failed, error: context.lastError() ?? 'the handler reported the batch as failed' };
  await context.store.put(ledger, new TextEncoder().encode(JSON.stringify({ redrivenAt: new Date().toISOString(), records: range.records.length, document: batch.document })), {
    contentType: 'application/json',
  });
  await context.failures.remove(batch);
  return { ...where, status: RedriveStatus.Redriven, records: range.records.length };
}
