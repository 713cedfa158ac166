import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { Catalog } from '../catalog/catalog.ts';
import { compactedRootKey } from '../compaction/compaction-layout.ts';
import { messageOf } from '../error-message.ts';
import type { Job } from '../job/define-job.ts';
import { streamName } from '../job/source.ts';
import type { BatchMetrics } from '../observability/batch-metrics.ts';
import type { MetricsLog } from '../observability/metrics-log.ts';
import { rejectsRootKey, tableRootKey } from '../partition/object-keys.ts';
import { runBatch } from '../pipeline/run-batch.ts';
import { readShardRange } from '../kinesis/shard-reads.ts';
import { compareSequenceNumbers } from '../decode/stream-record.ts';
import type { ObjectStore } from '../store/object-store.ts';
import type { BatchReport } from './batch-processor.ts';
import { eventOfRecords } from './lambda/kinesis-event.ts';
import { createKinesisHandler } from './lambda/kinesis-handler.ts';
import { replayedRootKey } from './reject-replay.ts';
import { ensureJobTables } from './table-descriptor.ts';
import { localEventSource } from './local-event-source.ts';

/**
 * What a replay did with one of the range's batches.
 *
 * @example
 * ```ts
 * outcome.status === ReplayStatus.Compacted; // left alone: compaction already merged its files
 * ```
 */
export const ReplayStatus = {
  /** Reprocessed by the job as it is now; its earlier output replaced. */
  Replayed: 'replayed',
  /** The stream no longer holds the batch's records. */
  Expired: 'expired',
  /** A partition the batch wrote (or writes now) was compacted: replaying it would count its rows twice, so it is left as it is. */
  Compacted: 'compacted',
  Failed: 'failed',
} as const;
export type ReplayStatus = (typeof ReplayStatus)[keyof typeof ReplayStatus];

/**
 * One batch of a replay.
 *
 * @example
 * ```ts
 * const outcome: ReplayOutcomeOfBatch = { shardId, first, last, status: 'replayed', records: 100, filesWritten: 2, filesRemoved: 1 };
 * ```
 */
export interface ReplayOutcomeOfBatch {
  readonly shardId: string;
  /** Record ids of the batch's first and last record. */
  readonly first: string;
  readonly last: string;
  readonly status: ReplayStatus;
  readonly records?: number;
  /** Files the replay wrote (rows and rejects). */
  readonly filesWritten?: number;
  /** Files of the batch's earlier output the replay made no more, removed after its commit. */
  readonly filesRemoved?: number;
  readonly error?: string;
}

/**
 * Options of {@link replayRange}.
 *
 * @example
 * ```ts
 * const options: ReplayRangeOptions = { job, ...env, from: new Date('2026-12-03T08:00:00Z') };
 * ```
 */
export interface ReplayRangeOptions {
  readonly job: Job;
  readonly kinesis: KinesisClient;
  readonly store: ObjectStore;
  readonly catalog: Catalog;
  /** The batches committed so far (`sluice run` keeps them): a replay reprocesses exactly those batches. */
  readonly metricsLog: MetricsLog;
  /** Batches with a record that arrived at or after `from` and at or before `to` (now when absent). */
  readonly from: Date;
  readonly to?: Date;
  readonly onBatch?: (outcome: ReplayOutcomeOfBatch) => void;
}

/** A file of the table or its rejects, named by its shard and first record. */
interface KeyedFile {
  readonly key: string;
  readonly shardId: string;
  readonly recordId: string;
  /** The partition folder, relative to the table's (or rejects') root. */
  readonly path: string;
}

/**
 * Reprocesses what the stream holds for a time range into the same table, without duplicates,
 * and with the job as it is now. The range is replayed batch by batch, in the very batches it
 * was first committed in (from the metrics log), so each batch's files are rewritten under the
 * keys the exactly-once rule gives them; the batch's earlier files that the job no longer
 * makes (its code changed: rows moved to another partition, another record now lands first,
 * a record is now a row instead of a reject) are removed once the new ones are committed, so
 * the table holds each record's rows once, as the job makes them now. While a batch is being
 * replayed a query may see both versions of it; a replay interrupted midway is finished by
 * running it again. A batch touching a compacted partition is left alone (reported
 * `compacted`): its rows live in the compacted files, and rewriting them would count them
 * twice. Batches go through the job's real Lambda handler. Rejects with the ports' errors.
 *
 * @example
 * ```ts
 * const outcomes = await replayRange({ job, ...env, from: new Date('2026-12-03T08:00:00Z'), to: new Date('2026-12-03T09:00:00Z') });
 * ```
 */
export async function replayRange(options: ReplayRangeOptions): Promise<ReplayOutcomeOfBatch[]> {
  const { job, store, catalog } = options;
  await ensureJobTables(catalog, job, store);
  const to = (options.to ?? new Date()).getTime();
  const from = options.from.getTime();
  const batches = (await options.metricsLog.batches(job.name)).filter((b) => b.newestArrivalMs >= from && b.oldestArrivalMs <= to);
  if (batches.length === 0) return [];
  const tableRoot = tableRootKey({ prefix: job.output.prefix, table: job.output.name });
  const rejectsRoot = rejectsRootKey({ prefix: job.output.prefix, table: job.output.name });
  const files = [...(await keyedFiles(store, `${tableRoot}/`, '.parquet')), ...(await keyedFiles(store, `${rejectsRoot}/year=`, '.ndjson'))];
  const compacted = await compactedPartitions(store, job);

  // What the handler's last invocation committed (its callbacks run inside the invocation).
  const last: { report?: BatchReport | undefined; error?: string } = {};
  const handler = createKinesisHandler(job, {
    adapters: () => ({ store, catalog }),
    onBatch: (committed) => {
      last.report = committed;
    },
    onError: (error) => {
      last.error = messageOf(error);
    },
  });
  const outcomes: ReplayOutcomeOfBatch[] = [];
  for (const batch of batches) {
    const where = { shardId: batch.shardId, first: batch.first, last: batch.last };
    const earlier = files.filter((f) => f.shardId === batch.shardId && within(f.recordId, batch));
    const range = await readShardRange(options.kinesis, { stream: streamName(job.source.stream), shardId: batch.shardId, first: sequenceOf(batch.first), last: sequenceOf(batch.last) });
    let outcome: ReplayOutcomeOfBatch;
    if ('expired' in range) outcome = { ...where, status: ReplayStatus.Expired };
    else {
      const now = runBatch(job, range.records).files.map((f) => f.path);
      const touched = [...earlier.filter((f) => f.key.endsWith('.parquet')).map((f) => f.path), ...now];
      if (touched.some((path) => compacted.has(path))) outcome = { ...where, status: ReplayStatus.Compacted };
      else {
        last.report = undefined;
        const answer = await handler(eventOfRecords(range.records, localEventSource(job)));
        const report = last.report as BatchReport | undefined; // set by the invocation's callback, which TypeScript cannot see
        if ((answer.batchItemFailures ?? []).length > 0 || report === undefined) outcome = { ...where, status: ReplayStatus.Failed, error: last.error ?? 'the handler reported the batch as failed' };
        else {
          const written = new Set([...report.files, ...report.rejectFiles]);
          const stale = earlier.map((f) => f.key).filter((key) => !written.has(key));
          await store.delete(stale);
          // Rejects replayed from this batch are this batch's records again now: forget them, so a later replay of rejects sees what the job rejects today.
          const ledger: string[] = [];
          for await (const object of store.list(`${replayedRootKey(job)}/${encodeURIComponent(batch.shardId)}/`)) {
            const id = decodeURIComponent(object.key.slice(object.key.lastIndexOf('/') + 1).replace(/\.json$/, ''));
            if (within(id, batch)) ledger.push(object.key);
          }
          await store.delete(ledger);
          await options.metricsLog.appendBatch(report.metrics);
          outcome = { ...where, status: ReplayStatus.Replayed, records: range.records.length, filesWritten: written.size, filesRemoved: stale.length };
        }
      }
    }
    outcomes.push(outcome);
    options.onBatch?.(outcome);
  }
  return outcomes;
}

/** `<seq>` of a record id `<seq>[-<sub-sequence>]`. */
const sequenceOf = (recordId: string): string => recordId.split('-')[0]!;
const subSequenceOf = (recordId: string): number => Number(recordId.split('-')[1] ?? -1);

/** Record ids in order: by sequence number, then sub-sequence number (a plain record before its sub-records). */
function compareRecordIds(a: string, b: string): number {
  return compareSequenceNumbers(sequenceOf(a), sequenceOf(b)) || subSequenceOf(a) - subSequenceOf(b);
}

function within(recordId: string, batch: Pick<BatchMetrics, 'first' | 'last'>): boolean {
  return compareRecordIds(recordId, batch.first) >= 0 && compareRecordIds(recordId, batch.last) <= 0;
}

/** Every `<path>/<shardId>-<record id><extension>` under `prefix`. */
async function keyedFiles(store: ObjectStore, prefix: string, extension: string): Promise<KeyedFile[]> {
  const files: KeyedFile[] = [];
  for await (const object of store.list(prefix)) {
    if (!object.key.endsWith(extension)) continue;
    const slash = object.key.lastIndexOf('/');
    const name = object.key.slice(slash + 1, -extension.length);
    const match = /^(.*)-(\d+(?:-\d{5})?)$/.exec(name);
    if (match === null) continue;
    const relative = object.key.slice(0, slash).slice(prefix.endsWith('/') ? prefix.length : prefix.lastIndexOf('/') + 1);
    files.push({ key: object.key, shardId: match[1]!, recordId: match[2]!, path: relative });
  }
  return files;
}

/** Partition paths that compaction has a state for: their rows may live in compacted files. */
async function compactedPartitions(store: ObjectStore, job: Job): Promise<Set<string>> {
  const root = `${compactedRootKey({ prefix: job.output.prefix, table: job.output.name })}/`;
  const paths = new Set<string>();
  for await (const object of store.list(root)) {
    if (object.key.endsWith('/_state.json')) paths.add(object.key.slice(root.length, -'/_state.json'.length));
  }
  return paths;
}
