import type { z } from 'zod';
import { toPartialRows, type PartialRow } from '../aggregate/partials.ts';
import type { Job } from '../job/define-job.ts';
import { runBatch } from '../pipeline/run-batch.ts';
import type { RejectStage } from '../decode/decode.ts';
import type { StreamRecord } from '../decode/stream-record.ts';

/**
 * A record the job rejected, and why: what the rejects file would hold for it.
 *
 * @example
 * ```ts
 * const reject: TestReject = { stage: 'validation', reason: 'temperature: expected number, received string', record, text: '{"temperature":"hot"}' };
 * ```
 */
export interface TestReject {
  /** Where in the pipeline the record failed: `json`, `validation`, `step`, `row`, `event-time`, ... ({@link RejectStage}). */
  readonly stage: RejectStage;
  /** The reason, as the rejects file and `sluice rejects` show it. */
  readonly reason: string;
  /** The record as it was delivered. */
  readonly record: StreamRecord;
  /** The record's data read as UTF-8 (invalid bytes replaced), for assertions on what was sent. */
  readonly text: string;
}

/**
 * One output file of a batch: one partition of one shard's batch.
 *
 * @example
 * ```ts
 * const file: TestFile = { key: 'iot/sensor_readings/year=2026/month=11/day=23/hour=08/shardId-000000000000-1000.parquet', partition: 'year=2026/month=11/day=23/hour=08', values: ['2026', '11', '23', '08'], rows };
 * ```
 */
export interface TestFile<Row> {
  /** The object key the Parquet file is written to, in the bucket or the local warehouse. */
  readonly key: string;
  /** The partition's Hive path, `year=YYYY/month=MM/day=DD/hour=HH[/key=value...]`. */
  readonly partition: string;
  /** The partition values in key order, unescaped. */
  readonly values: readonly string[];
  /** The file's rows, in record order. */
  readonly rows: readonly Row[];
}

/**
 * What a batch made of the records, as the job's table and rejects would receive it.
 *
 * @example
 * ```ts
 * const { rows, rejects, partitions, keys } = runJobBatch(job, records);
 * ```
 */
export interface JobBatch<Row> {
  /** Every row written, file by file, each file's in record order: the row schema's output (dates as Date). */
  readonly rows: readonly Row[];
  /** Every record rejected, in record order within each shard. */
  readonly rejects: readonly TestReject[];
  /** The partitions rows were written to (Hive paths), in the order they first appeared. */
  readonly partitions: readonly string[];
  /** The data files' object keys, one per partition of each shard's batch. */
  readonly keys: readonly string[];
  /** The reject files' object keys (under `<prefix>/_rejects/<table>/`). */
  readonly rejectKeys: readonly string[];
  /** The data files with their rows. */
  readonly files: readonly TestFile<Row>[];
  /**
   * For a job with `aggregateTable(...)` output: the partial aggregates the stored table holds
   * (one per window and group in each file), which the merged view adds up. Absent otherwise.
   */
  readonly partials?: readonly PartialRow[];
}

const lossyUtf8 = new TextDecoder('utf-8');

/**
 * Runs records through a job as the deployed function would (decode, validate, the steps, the
 * row schema, partitioning), without writing anything: the pure pipeline behind the Lambda
 * handler and `sluice run`, so what a test sees is what the table gets. Records of several
 * shards run as one batch per shard, as the event source mapping delivers them. A bad record
 * never throws: it comes back among `rejects` with its stage and reason.
 *
 * @example
 * ```ts
 * import { describe, expect, it } from 'vitest';
 * import { recordsFromLines, runJobBatch, streamRecords } from 'sluice/testing';
 * import job from '../jobs/sensor-readings.ts';
 *
 * it('converts Celsius and keeps the hour of the reading', () => {
 *   const { rows, partitions } = runJobBatch(job, streamRecords([{ client_id: 'rpi-1', timestamp: '2026-11-23 08:15:02', temperature: 20 }]));
 *   expect(rows[0]).toMatchObject({ device_id: 'rpi-1', temperature_f: 68 });
 *   expect(partitions).toEqual(['year=2026/month=11/day=23/hour=08']);
 * });
 *
 * it('rejects a message that is not JSON, with a reason', () => {
 *   const { rows, rejects } = runJobBatch(job, recordsFromLines(['{"client_id":']));
 *   expect(rows).toEqual([]);
 *   expect(rejects[0]).toMatchObject({ stage: 'json' });
 * });
 * ```
 */
export function runJobBatch<In extends z.ZodType, Row extends z.ZodObject>(job: Job<In, Row>, records: readonly StreamRecord[]): JobBatch<z.output<Row>> {
  const byShard = new Map<string, StreamRecord[]>();
  for (const record of records) {
    const shard = byShard.get(record.shardId);
    if (shard === undefined) byShard.set(record.shardId, [record]);
    else shard.push(record);
  }
  const files: TestFile<z.output<Row>>[] = [];
  const rejects: TestReject[] = [];
  const rejectKeys: string[] = [];
  for (const shardRecords of byShard.values()) {
    const out = runBatch(job as unknown as Job, shardRecords);
    for (const file of out.files) files.push({ key: file.key, partition: file.path, values: file.values, rows: file.rows as z.output<Row>[] });
    for (const rejectFile of out.rejectFiles) {
      rejectKeys.push(rejectFile.key);
      for (const reject of rejectFile.rejects) rejects.push({ stage: reject.stage, reason: reject.reason, record: reject.record, text: lossyUtf8.decode(reject.record.data) });
    }
  }
  const aggregate = job.output.aggregate;
  return {
    rows: files.flatMap((f) => f.rows),
    rejects,
    partitions: [...new Set(files.map((f) => f.partition))],
    keys: files.map((f) => f.key),
    rejectKeys,
    files,
    ...(aggregate === undefined ? {} : { partials: files.flatMap((f) => toPartialRows(aggregate, f.rows as readonly Record<string, unknown>[])) }),
  };
}
