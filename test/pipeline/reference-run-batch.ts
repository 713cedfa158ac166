/**
 * The plain path through a batch, kept as the reference `runBatch` must equal: every record
 * decoded by `decodeRecord` (strict UTF-8, JSON.parse, zod), every output checked by the row
 * schema's own `safeParse`, partition values, file lookups and reject files computed per row
 * and per reject, metadata built for every record. No compiled decoder, no compiled row
 * check, no caches: nothing here can be fast and wrong.
 */
import type { Job } from '../../src/job/define-job.ts';
import { compileSteps, StepFailure, type RecordMeta } from '../../src/job/steps.ts';
import { messageOf } from '../../src/error-message.ts';
import { HIVE_DEFAULT_PARTITION, partitionPath } from '../../src/partition/hive-escape.ts';
import { partitionKeyProblem, partitionValueProblem } from '../../src/partition/partition-limits.ts';
import { dataFileKey, rejectFileKey } from '../../src/partition/object-keys.ts';
import { hourPartition, isPartitionableTime, TIME_PARTITION_KEYS } from '../../src/partition/time-partition.ts';
import type { BatchOutput, PartitionFile, RejectFile } from '../../src/pipeline/run-batch.ts';
import { decodeRecord, formatIssues, RejectStage } from '../../src/decode/decode.ts';
import { deaggregate } from '../../src/decode/kpl-aggregation.ts';
import { recordId, type StreamRecord } from '../../src/decode/stream-record.ts';

class RowFailure {
  constructor(
    readonly stage: RejectStage,
    readonly reason: string,
  ) {}
}

const describe = (value: unknown): string => {
  if (value instanceof Date) return `Date(${Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString()})`;
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

/** `runBatch` the plain way: what the fast one must give, file for file, row for row, reject for reject. */
export function referenceRunBatch(job: Job, records: readonly StreamRecord[]): BatchOutput {
  const table = job.output;
  const partitioning = table.partitionBy;
  const files = new Map<string, PartitionFile>();
  const rejectFiles = new Map<string, RejectFile>();
  let rowCount = 0;
  let rejectCount = 0;
  let userRecords = 0;
  let newestEventMs: number | null = null;
  let outputs: Array<{ values: string[]; row: Record<string, unknown> }> = [];
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
        throw new RowFailure(RejectStage.EventTime, `output #${outputIndex}: event time field '${partitioning.field}' is not a usable timestamp (got ${describe(value)})`);
      }
    }
    const values: string[] = hourPartition(epochMs);
    for (const key of table.partitionKeys) {
      const value = row[key];
      const text = value === null || value === undefined || value === '' ? HIVE_DEFAULT_PARTITION : String(value);
      const problem = text === HIVE_DEFAULT_PARTITION ? undefined : partitionValueProblem(key, text);
      if (problem !== undefined) throw new RowFailure(RejectStage.Partition, `output #${outputIndex}: ${problem}`);
      values.push(text);
    }
    if (table.partitionKeys.length > 0) {
      const path = partitionPath(table.allPartitionKeys.map((k, i) => [k, values[i]!] as const));
      const problem = partitionKeyProblem(path, { prefix: table.prefix, table: table.name, shardId: current.shardId, recordId: recordId(current) });
      if (problem !== undefined) throw new RowFailure(RejectStage.Partition, `output #${outputIndex}: ${problem}`);
    }
    return values;
  };

  const run = compileSteps(job.steps.ops, (value) => {
    outputIndex++;
    const parsed = table.rows.safeParse(value);
    if (!parsed.success) {
      throw new RowFailure(RejectStage.Row, `output #${outputIndex} does not match the row schema: ${formatIssues(parsed.error.issues)}`);
    }
    const row = parsed.data as Record<string, unknown>;
    outputs.push({ values: partitionValues(row), row });
  });

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

  const processRecord = (record: StreamRecord): void => {
    current = record;
    const decoded = decodeRecord(record.data, job.source.records);
    if (!decoded.ok) return reject(record, decoded.stage, decoded.reason);
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
      if (error instanceof StepFailure) reject(record, RejectStage.Step, `step '${error.step.name}' threw: ${messageOf(error.error)}`);
      else if (error instanceof RowFailure) reject(record, error.stage, error.reason);
      else reject(record, RejectStage.Step, `processing failed: ${messageOf(error)}`);
      return;
    }
    for (const { values, row } of outputs) {
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
      if (partitioning.kind !== 'arrival-hour') {
        const value = row[partitioning.field];
        const eventMs = value instanceof Date ? value.getTime() : Date.parse(String(value));
        newestEventMs = newestEventMs === null ? eventMs : Math.max(newestEventMs, eventMs);
      }
    }
  };

  for (const received of records) {
    const expanded = deaggregate(received);
    if (!expanded.ok) {
      userRecords++;
      reject(received, RejectStage.Kpl, expanded.reason);
      continue;
    }
    userRecords += expanded.records.length;
    for (const record of expanded.records) processRecord(record);
  }
  return {
    files: [...files.values()],
    rejectFiles: [...rejectFiles.values()],
    records: records.length,
    userRecords,
    rows: rowCount,
    rejects: rejectCount,
    newestEventMs,
  };
}
