import type { Job } from '../job/define-job.ts';
import { compileSteps, StepFailure, type RecordMeta } from '../job/steps.ts';
import type { Reject } from '../format/rejects-ndjson.ts';
import { dataFileKey, rejectFileKey } from '../partition/object-keys.ts';
import { HIVE_DEFAULT_PARTITION, partitionPath } from '../partition/hive-escape.ts';
import { hourPartition, isPartitionableTime, TIME_PARTITION_KEYS } from '../partition/time-partition.ts';
import { decodeRecord, formatIssues, RejectStage } from '../source/decode.ts';
import { deaggregate } from '../source/kpl-aggregation.ts';
import { recordId, type StreamRecord } from '../source/stream-record.ts';
import { messageOf } from '../error-message.ts';

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

/** The rejects of one batch in one arrival hour. */
export interface RejectFile {
  readonly path: string;
  readonly key: string;
  readonly rejects: Reject[];
}

export interface BatchOutput {
  readonly files: PartitionFile[];
  readonly rejectFiles: RejectFile[];
  readonly records: number;
  readonly rows: number;
  readonly rejects: number;
}

/** A record's outputs failed after the steps: which stage, and why. */
class RowFailure {
  constructor(
    readonly stage: RejectStage,
    readonly reason: string,
  ) {}
}

interface PendingRow {
  readonly values: string[];
  readonly row: Record<string, unknown>;
}

const describe = (value: unknown): string => {
  if (value instanceof Date) return `Date(${Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString()})`;
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
};


/**
 * Runs one batch of one shard through a job: KPL de-aggregation, decode, validate, steps, row validation,
 * partitioning. Pure and deterministic: no I/O, no clock; the same records give the same
 * files, keys and rows. A bad record becomes a reject with its reason and never fails the
 * batch; a record's outputs are kept or rejected together.
 *
 * @example
 * ```ts
 * const out = runBatch(job, records);
 * out.files.map((f) => f.key); // ['iot/sensor_readings/year=2026/.../shardId-000000000000-4959....parquet']
 * ```
 */
export function runBatch(job: Job, records: readonly StreamRecord[]): BatchOutput {
  const table = job.output;
  const partitioning = table.partitionBy;
  const files = new Map<string, PartitionFile>();
  const rejectFiles = new Map<string, RejectFile>();
  let rowCount = 0;
  let rejectCount = 0;

  let outputs: PendingRow[] = [];
  let outputIndex = 0;
  let current: StreamRecord;

  const partitionValues = (row: Record<string, unknown>): string[] => {
    let epochMs: number;
    if (partitioning.kind === 'arrival-hour') {
      epochMs = current.arrivalTime.getTime();
    } else {
      const value = row[partitioning.field];
      epochMs = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : Number.NaN;
      if (!isPartitionableTime(epochMs)) {
        throw new RowFailure(
          RejectStage.EventTime,
          `output #${outputIndex}: event time field '${partitioning.field}' is not a usable timestamp (got ${describe(value)})`,
        );
      }
    }
    const values: string[] = hourPartition(epochMs);
    for (const key of table.partitionKeys) {
      const value = row[key];
      values.push(value === null || value === undefined || value === '' ? HIVE_DEFAULT_PARTITION : String(value));
    }
    return values;
  };

  const sink = (value: unknown): void => {
    outputIndex++;
    const parsed = table.rows.safeParse(value);
    if (!parsed.success) {
      throw new RowFailure(RejectStage.Row, `output #${outputIndex} does not match the row schema: ${formatIssues(parsed.error.issues)}`);
    }
    const row = parsed.data as Record<string, unknown>;
    outputs.push({ values: partitionValues(row), row });
  };
  const run = compileSteps(job.steps.ops, sink);

  const reject = (record: StreamRecord, stage: RejectStage, reason: string): void => {
    rejectCount++;
    const values = hourPartition(record.arrivalTime.getTime());
    const path = partitionPath(TIME_PARTITION_KEYS.map((k, i) => [k, values[i]!] as const));
    let file = rejectFiles.get(path);
    if (!file) {
      const key = rejectFileKey({ prefix: table.prefix, table: table.name, partitionPath: path, shardId: record.shardId, firstRecordId: recordId(record) });
      file = { path, key, rejects: [] };
      rejectFiles.set(path, file);
    }
    file.rejects.push({ record, stage, reason });
  };

  for (const received of records) {
    const expanded = deaggregate(received);
    if (!expanded.ok) {
      reject(received, RejectStage.Kpl, expanded.reason);
      continue;
    }
    for (const record of expanded.records) processRecord(record);
  }

  function processRecord(record: StreamRecord): void {
    current = record;
    const decoded = decodeRecord(record.data, job.source.records);
    if (!decoded.ok) {
      reject(record, decoded.stage, decoded.reason);
      return;
    }
    outputs = [];
    outputIndex = 0;
    const meta: RecordMeta = {
      shardId: record.shardId,
      sequenceNumber: record.sequenceNumber,
      partitionKey: record.partitionKey,
      arrivalTime: record.arrivalTime,
      ...(record.subSequenceNumber === undefined ? {} : { subSequenceNumber: record.subSequenceNumber }),
    };
    try {
      run(decoded.value, meta);
    } catch (error) {
      if (error instanceof StepFailure) {
        reject(record, RejectStage.Step, `step '${error.step.name}' threw: ${messageOf(error.error)}`);
      } else if (error instanceof RowFailure) {
        reject(record, error.stage, error.reason);
      } else {
        reject(record, RejectStage.Step, `processing failed: ${messageOf(error)}`);
      }
      return;
    }
    for (const { values, row } of outputs) {
      // Files are found by their raw values; the escaped path is built once per file, not per row.
      const valuesKey = values.join('\u0000');
      let file = files.get(valuesKey);
      if (!file) {
        const path = partitionPath(table.allPartitionKeys.map((k, i) => [k, values[i]!] as const));
        const key = dataFileKey({ prefix: table.prefix, table: table.name, partitionPath: path, shardId: record.shardId, firstRecordId: recordId(record) });
        file = { values, path, key, rows: [] };
        files.set(valuesKey, file);
      }
      file.rows.push(row);
      rowCount++;
    }
  }

  return { files: [...files.values()], rejectFiles: [...rejectFiles.values()], records: records.length, rows: rowCount, rejects: rejectCount };
}
