import type { Job } from '../job/define-job.ts';
import type { StreamRecord } from '../decode/stream-record.ts';
import { processBatch, type BatchOf, type OutputFile, type RowCollector } from './process-batch.ts';

export type { RejectFile } from './process-batch.ts';

/** The rows of one output file: one partition of one batch. */
export interface PartitionFile extends OutputFile {
  /** Validated rows (the row schema's output), in record order. */
  readonly rows: Record<string, unknown>[];
}

/** A batch's files with their rows, its reject files and its counts. */
export type BatchOutput = BatchOf<PartitionFile>;

const keepRows: RowCollector<Record<string, unknown>[]> = {
  columnsOnly: false,
  open: () => [],
  add: (rows, row) => void rows.push(row),
};

/**
 * Runs one batch of one shard through a job: KPL de-aggregation, decode, validate, steps,
 * row validation, partitioning (see `processBatch`), and keeps every validated row as an
 * object. Pure and deterministic: no I/O, no clock; the same records give the same files,
 * keys and rows. A bad record becomes a reject with its reason and never fails the batch.
 * Writers that only need columns use `runBatchToTables`, which keeps no row.
 *
 * @example
 * ```ts
 * const out = runBatch(job, records);
 * out.files.map((f) => f.key); // ['iot/sensor_readings/year=2026/.../shardId-000000000000-4959....parquet']
 * ```
 */
export function runBatch(job: Job, records: readonly StreamRecord[]): BatchOutput {
  const out = processBatch(job, records, keepRows);
  return { ...out, files: out.files.map(({ contents, ...file }) => ({ ...file, rows: contents })) };
}
