import type { Catalog, PartitionDescriptor } from '../catalog/catalog.ts';
import { BatchError, SluiceError } from '../errors.ts';
import { rowsToArrowTable } from '../format/arrow-table.ts';
import { encodeParquet } from '../format/parquet-encode.ts';
import { encodeRejects, type Reject } from '../format/rejects-ndjson.ts';
import type { Job } from '../job/define-job.ts';
import { rejectsRootKey, tableRootKey } from '../partition/object-keys.ts';
import { rejectsTableName } from '../format/rejects-table.ts';
import { runBatch } from '../pipeline/run-batch.ts';
import { runBatchToTables, type TableBatchOutput } from '../pipeline/run-batch-to-tables.ts';
import { toPartialRows } from '../aggregate/partials.ts';
import { recordId, type StreamRecord } from '../decode/stream-record.ts';
import type { ObjectStore } from '../store/object-store.ts';
import { countByStage, type BatchMetrics } from '../observability/batch-metrics.ts';

/** What one committed batch wrote. */
export interface BatchReport {
  readonly shardId: string;
  /** Kinesis records in the batch. */
  readonly records: number;
  readonly rows: number;
  readonly rejects: number;
  /** Keys of the Parquet files written. */
  readonly files: readonly string[];
  /** Keys of the reject files written. */
  readonly rejectFiles: readonly string[];
  /** Partitions registered by this batch (not already known to this processor). */
  readonly newPartitions: number;
  readonly bytes: number;
  /** The batch's numbers, as every metric, log and view shows them. */
  readonly metrics: BatchMetrics;
  /** The batch's rejects, when the processor reports them instead of storing them (`rejects: 'report'`); empty otherwise. */
  readonly rejected: readonly Reject[];
}

/**
 * Where a processor's rejects go: stored as reject files (what a run does), or only reported
 * (a replay of rejects, whose originals stay where they are: writing a reject again could
 * overwrite the reject file it came from, which holds others too).
 *
 * @example
 * ```ts
 * createBatchProcessor({ job, store, catalog, rejects: RejectsOutput.Report });
 * ```
 */
export const RejectsOutput = {
  Store: 'store',
  Report: 'report',
} as const;
export type RejectsOutput = (typeof RejectsOutput)[keyof typeof RejectsOutput];

export interface BatchProcessorOptions {
  readonly job: Job;
  readonly store: ObjectStore;
  readonly catalog: Catalog;
  /** The clock the batch's duration, freshness and lag are measured with; `Date.now` by default. */
  readonly now?: () => number;
  /** `store` (default): reject files written and registered; `report`: only returned in the report. */
  readonly rejects?: RejectsOutput;
}

/** Processes one batch of one shard; rejects with `BatchError` when any write or registration fails. */
export type BatchProcessor = (records: readonly StreamRecord[]) => Promise<BatchReport>;

/** `year=YYYY/month=MM/day=DD/hour=HH` -> its four values (a reject file's arrival-hour path). */
const hourPartitionValues = (path: string): string[] => path.split('/').map((segment) => segment.slice(segment.indexOf('=') + 1));

/**
 * A batch's files as Arrow tables. A table's rows are appended to columns as they are
 * validated; an aggregate stores the batch's partial aggregates of each file's rows instead,
 * under the same key, which needs the rows themselves.
 */
function tablesOf(job: Job, records: readonly StreamRecord[]): TableBatchOutput {
  const aggregate = job.output.aggregate;
  if (!aggregate) return runBatchToTables(job, records);
  const output = runBatch(job, records);
  return {
    ...output,
    files: output.files.map(({ rows, ...file }) => ({ ...file, table: rowsToArrowTable(toPartialRows(aggregate, rows), job.output.dataColumns) })),
  };
}

/**
 * The commit protocol for one batch, shared by every runtime: run the pure pipeline, write
 * every Parquet and reject file, then register new partitions. The caller advances the
 * checkpoint (or answers the Lambda event source mapping) only after this resolves; if it
 * rejects, the whole batch is retried from its first record and overwrites the same keys.
 * Partitions this processor registered are remembered, as a warm Lambda container does.
 *
 * @example
 * ```ts
 * const process = createBatchProcessor({ job, store, catalog });
 * const report = await process(records); // then commit the checkpoint
 * ```
 */
export function createBatchProcessor(options: BatchProcessorOptions): BatchProcessor {
  const { job, store, catalog } = options;
  const now = options.now ?? Date.now;
  const storeRejects = (options.rejects ?? RejectsOutput.Store) === RejectsOutput.Store;
  const registered = new Set<string>();
  const registeredRejects = new Set<string>();
  const tableRoot = tableRootKey({ prefix: job.output.prefix, table: job.output.name });
  const rejectsRoot = rejectsRootKey({ prefix: job.output.prefix, table: job.output.name });

  return async (records) => {
    if (records.length === 0) throw new BatchError(`job '${job.name}': a batch has at least one record`);
    const startedAt = now();
    const range = `${records[0]!.shardId} ${recordId(records[0]!)}..${recordId(records.at(-1)!)}`;
    try {
      const output = tablesOf(job, records);
      const writes: Array<Promise<number>> = [];
      for (const file of output.files) {
        const bytes = encodeParquet(file.table, { compression: job.output.compression });
        writes.push(store.put(file.key, bytes, { contentType: 'application/vnd.apache.parquet' }).then(() => bytes.byteLength));
      }
      for (const file of storeRejects ? output.rejectFiles : []) {
        const bytes = encodeRejects(job.name, file.rejects);
        writes.push(store.put(file.key, bytes, { contentType: 'application/x-ndjson' }).then(() => bytes.byteLength));
      }
      // Wait for every write to settle before answering: a write of a failed attempt that
      // landed after the retry's write of the same key would replace newer rows with older ones.
      const settled = await Promise.allSettled(writes);
      const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (failed) throw failed.reason;
      const sizes = settled.map((s) => (s as PromiseFulfilledResult<number>).value);

      const fresh: PartitionDescriptor[] = [];
      // With partition projection Athena computes partitions itself: nothing to register.
      for (const file of job.output.projection ? [] : output.files) {
        if (registered.has(file.path)) continue;
        fresh.push({ values: file.values, location: store.locationOf(`${tableRoot}/${file.path}`) });
      }
      // The rejects table's partitions (arrival hours) are registered like the table's, so a query over it sees every reject.
      const freshRejects: PartitionDescriptor[] = [];
      for (const file of storeRejects ? output.rejectFiles : []) {
        if (registeredRejects.has(file.path)) continue;
        freshRejects.push({ values: hourPartitionValues(file.path), location: store.locationOf(`${rejectsRoot}/${file.path}`) });
      }
      await Promise.all([
        fresh.length > 0 ? catalog.registerPartitions({ database: job.output.database, name: job.output.name }, fresh) : undefined,
        freshRejects.length > 0 ? catalog.registerPartitions({ database: job.output.database, name: rejectsTableName(job.output.name) }, freshRejects) : undefined,
      ]);
      for (const file of output.files) registered.add(file.path);
      for (const file of output.rejectFiles) registeredRejects.add(file.path);
      const committedAt = now();
      let oldestArrivalMs = Number.POSITIVE_INFINITY;
      let newestArrivalMs = Number.NEGATIVE_INFINITY;
      for (const record of records) {
        const arrival = record.arrivalTime.getTime();
        if (arrival < oldestArrivalMs) oldestArrivalMs = arrival;
        if (arrival > newestArrivalMs) newestArrivalMs = arrival;
      }
      const bytes = sizes.reduce((a, b) => a + b, 0);
      const metrics: BatchMetrics = {
        job: job.name,
        shardId: records[0]!.shardId,
        first: recordId(records[0]!),
        last: recordId(records.at(-1)!),
        kinesisRecords: output.records,
        records: output.userRecords,
        rows: output.rows,
        rejects: output.rejects,
        rejectsByStage: countByStage(output.rejectFiles.flatMap((f) => f.rejects.map((r) => r.stage))),
        files: output.files.length,
        rejectFiles: storeRejects ? output.rejectFiles.length : 0,
        bytes,
        partitionsRegistered: fresh.length,
        startedAt,
        committedAt,
        durationMs: committedAt - startedAt,
        oldestArrivalMs,
        newestArrivalMs,
        dataFreshnessMs: committedAt - oldestArrivalMs,
        eventTimeLagMs: output.newestEventMs === null ? null : committedAt - output.newestEventMs,
      };
      return {
        shardId: records[0]!.shardId,
        records: output.records,
        rows: output.rows,
        rejects: output.rejects,
        files: output.files.map((f) => f.key),
        rejectFiles: storeRejects ? output.rejectFiles.map((f) => f.key) : [],
        newPartitions: fresh.length,
        bytes,
        metrics,
        rejected: storeRejects ? [] : output.rejectFiles.flatMap((f) => f.rejects),
      };
    } catch (error) {
      const what = error instanceof SluiceError ? error.message : (error as Error).message;
      throw new BatchError(`job '${job.name}', shard ${range}: batch not committed, it will be retried from its first record: ${what}`, error);
    }
  };
}
