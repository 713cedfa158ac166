import type { Job } from '../job/define-job.ts';
import type { StreamRecord } from '../source/stream-record.ts';
import { processBatch, type RejectFile, type RowCollector } from './process-batch.ts';

export type { RejectFile } from './process-batch.ts';

/** The rows of one output file: one partition of one batch. */
export interface PartitionFile {
  /** Unescaped partition values in key order (the default partition name for null). */
  readonly values: readonly string[];
  /** Escaped `key=value/...` path. */
  readonly path: string;
  /** Object key, fixed by the first record that landed in it. */
  readonly key: string;
  /** Validated rows (the row schema's output), in record order. */
  readonly rows: Record<string, unknown>[];
}

export interface BatchOutput {
  readonly files: PartitionFile[];
  readonly rejectFiles: RejectFile[];
  readonly records: number;
  readonly rows: number;
  readonly rejects: number;
}

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
