import type { Table } from 'apache-arrow';
import { rowsToArrowTable } from '../src/format/arrow-table.ts';
import type { Job } from '../src/job/define-job.ts';
import { compileSteps, type RecordMeta } from '../src/job/steps.ts';
import type { Workload } from './workload.ts';

/**
 * What each stage receives, computed once from a clean batch by running the stages before
 * it, so every stage is timed on exactly its own input and nothing else.
 */
export interface StageInputs {
  /** Record bytes after base64. */
  readonly bytes: readonly Uint8Array[];
  /** Parsed JSON documents. */
  readonly documents: readonly unknown[];
  /** Documents validated by the job's input schema. */
  readonly values: readonly unknown[];
  /** Per-record metadata the steps see. */
  readonly metas: readonly RecordMeta[];
  /** What the steps emit, before the row schema. */
  readonly outputs: readonly unknown[];
  /** Rows after the row schema: what the Parquet writers get. */
  readonly rows: readonly Record<string, unknown>[];
  /** The rows as an Arrow table of the job's data columns. */
  readonly table: Table;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * @example
 * ```ts
 * const inputs = stageInputs(job, clean);
 * inputs.rows.length; // 10000
 * ```
 */
export function stageInputs(job: Job, workload: Workload): StageInputs {
  if (workload.kinesisRecords !== workload.userRecords) throw new Error('stage inputs come from a batch of plain (not KPL-aggregated) records');
  const bytes = workload.records.map((r) => r.data);
  const documents = bytes.map((b) => JSON.parse(utf8.decode(b)) as unknown);
  const values = documents.map((d, i) => {
    const parsed = job.source.records.safeParse(d);
    if (!parsed.success) throw new Error(`record ${i} of the clean batch fails the input schema`);
    return parsed.data;
  });
  const metas: RecordMeta[] = workload.records.map((r) => ({
    shardId: r.shardId,
    sequenceNumber: r.sequenceNumber,
    partitionKey: r.partitionKey,
    arrivalTime: r.arrivalTime,
  }));
  const outputs: unknown[] = [];
  const run = compileSteps(job.steps.ops, (value) => outputs.push(value));
  values.forEach((v, i) => run(v, metas[i]!));
  const rows = outputs.map((o) => job.output.rows.parse(o) as Record<string, unknown>);
  return { bytes, documents, values, metas, outputs, rows, table: rowsToArrowTable(rows, job.output.dataColumns) };
}
