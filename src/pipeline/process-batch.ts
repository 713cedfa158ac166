import type { Job } from '../job/define-job.ts';
import { compileSteps, StepFailure, StepKind, type RecordMeta } from '../job/steps.ts';
import type { Reject } from '../format/rejects-ndjson.ts';
import { dataFileKey, rejectFileKey } from '../partition/object-keys.ts';
import { HIVE_DEFAULT_PARTITION, partitionPath } from '../partition/hive-escape.ts';
import { hourPartition, isPartitionableTime, TIME_PARTITION_KEYS } from '../partition/time-partition.ts';
import { partitionKeyProblem, partitionValueProblem } from '../partition/partition-limits.ts';
import { formatIssues, RejectStage } from '../decode/decode.ts';
import { deaggregate, KPL_MAGIC } from '../decode/kpl-aggregation.ts';
import { recordDecoder } from '../decode/record-decoder.ts';
import { recordId, type StreamRecord } from '../decode/stream-record.ts';
import { messageOf } from '../error-message.ts';
import { isoInstantMs } from '../schema/iso-instant.ts';
import { rowCheck } from './row-check.ts';
import { rowValidator } from './row-validator.ts';

/**
 * Where a batch's validated rows go, file by file: kept as row objects (`runBatch`), or
 * appended to the file's columns as they come (`runBatchToTables`), so that no row outlives
 * its record.
 */
export interface RowCollector<C> {
  /**
   * The collector reads only the values under the row schema's keys (it writes columns):
   * where each record has at most one output (no flatMap), a row the compiled check accepts
   * (`rowCheck`) is handed over as the steps made it, without zod's copy. Otherwise rows
   * are the row schema's output.
   */
  readonly columnsOnly: boolean;
  /** What a new file holds its rows in. */
  readonly open: () => C;
  /** Adds one validated row to a file's contents. */
  readonly add: (contents: C, row: Record<string, unknown>) => void;
}

/** Where one output file goes: one partition of one batch. */
export interface OutputFile {
  /** Unescaped partition values in key order (the default partition name for null). */
  readonly values: readonly string[];
  /** Escaped `key=value/...` path. */
  readonly path: string;
  /** Object key, fixed by the first record that landed in it. */
  readonly key: string;
}

/** The rows of one output file, held as `C`. */
export interface CollectedFile<C> extends OutputFile {
  /** The file's validated rows, in record order. */
  readonly contents: C;
}

/** The rejects of one batch in one arrival hour. */
export interface RejectFile {
  readonly path: string;
  readonly key: string;
  readonly rejects: Reject[];
}

/** What one batch made: its output files (as `F`), its reject files and its counts. */
export interface BatchOf<F extends OutputFile> {
  readonly files: F[];
  readonly rejectFiles: RejectFile[];
  /** Kinesis records in the batch, as delivered. */
  readonly records: number;
  /** User records: each KPL aggregate counted as the records it holds (one when it cannot be read). */
  readonly userRecords: number;
  readonly rows: number;
  readonly rejects: number;
  /** The newest event time of a row written, for jobs partitioned by event time; null otherwise or without rows. */
  readonly newestEventMs: number | null;
}

export type CollectedBatch<C> = BatchOf<CollectedFile<C>>;

/** A record's outputs failed after the steps: which stage, and why. */
class RowFailure {
  constructor(
    readonly stage: RejectStage,
    readonly reason: string,
  ) {}
}

const HOUR_MS = 3_600_000;

/** What a step sees of a record; built without a spread, with the same keys in the same order. */
const metaOf = (record: StreamRecord): RecordMeta =>
  record.subSequenceNumber === undefined
    ? { shardId: record.shardId, sequenceNumber: record.sequenceNumber, partitionKey: record.partitionKey, arrivalTime: record.arrivalTime }
    : {
        shardId: record.shardId,
        sequenceNumber: record.sequenceNumber,
        partitionKey: record.partitionKey,
        arrivalTime: record.arrivalTime,
        subSequenceNumber: record.subSequenceNumber,
      };

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
 * The per-record work is compiled once per schema: records are read by the decoder compiled
 * from the input schema (`recordDecoder`), outputs checked by the row schema as zod compiles
 * it (`rowValidator`); whatever those do not accept goes to zod itself, so rows, rejects and
 * reasons are exactly those of the plain path (`test/pipeline/reference-run-batch.ts`).
 * A record's validated rows go to `collector` once the record is done with; a collector
 * that writes columns gets rows the compiled row check accepts as they are (`rowCheck`).
 *
 * @example
 * ```ts
 * const out = processBatch(job, records, { columnsOnly: false, open: () => [] as unknown[], add: (rows, row) => void rows.push(row) });
 * out.files.map((f) => f.key); // ['iot/sensor_readings/year=2026/.../shardId-000000000000-4959....parquet']
 * ```
 */
export function processBatch<C>(job: Job, records: readonly StreamRecord[], collector: RowCollector<C>): CollectedBatch<C> {
  const table = job.output;
  const partitioning = table.partitionBy;
  const extraKeys = table.partitionKeys;
  const eventTimed = partitioning.kind !== 'arrival-hour';
  const decode = recordDecoder(job.source.records);
  const rows = rowValidator(table.rows);
  // Steps are the only readers of a record's metadata: without steps, records go straight to the sink and none is made.
  const readsMeta = job.steps.ops.length > 0;
  const files = new Map<string, CollectedFile<C>>();
  const rejectFiles = new Map<string, RejectFile>();
  let rowCount = 0;
  let rejectCount = 0;
  let userRecords = 0;
  let newestEventMs = Number.NEGATIVE_INFINITY;

  // The outputs of the record being processed (the first `outputIndex` entries), kept only once all of them pass.
  const pendingValues: (readonly string[])[] = [];
  const pendingRows: Record<string, unknown>[] = [];
  // Event times of the pending outputs: the batch's event-time lag counts rows that are written, not outputs of a rejected record.
  const pendingEventMs: number[] = [];
  let outputIndex = 0;
  let current: StreamRecord;

  // Rows of a batch mostly share an hour: its partition values are computed once per run of rows.
  let cachedHour = Number.NaN;
  let cachedTimeValues: readonly string[] = [];
  const timeValues = (epochMs: number): readonly string[] => {
    const hour = Math.floor(epochMs / HOUR_MS);
    if (hour !== cachedHour) {
      cachedHour = hour;
      cachedTimeValues = hourPartition(epochMs);
    }
    return cachedTimeValues;
  };

  const partitionValues = (row: Record<string, unknown>): readonly string[] => {
    let epochMs: number;
    if (partitioning.kind === 'arrival-hour') {
      epochMs = current.arrivalTime.getTime();
    } else {
      const value = row[partitioning.field];
      epochMs = value instanceof Date ? value.getTime() : typeof value === 'string' ? isoInstantMs(value) : Number.NaN;
      if (!isPartitionableTime(epochMs)) {
        throw new RowFailure(
          RejectStage.EventTime,
          `output #${outputIndex}: event time field '${partitioning.field}' is not a usable timestamp (got ${describe(value)})`,
        );
      }
      pendingEventMs[outputIndex - 1] = epochMs;
    }
    const time = timeValues(epochMs);
    if (extraKeys.length === 0) return time;
    const values = [...time];
    for (const key of extraKeys) {
      const value = row[key];
      values.push(value === null || value === undefined || value === '' ? HIVE_DEFAULT_PARTITION : String(value));
    }
    const problem = limitProblem(values);
    if (problem !== undefined) throw new RowFailure(RejectStage.Partition, `output #${outputIndex}: ${problem}`);
    return values;
  };

  // What keeps a partition's files from being written (a value or key over a store's or Glue's limit), once per distinct values.
  const limitProblems = new Map<string, string | undefined>();
  const limitProblem = (values: readonly string[]): string | undefined => {
    const valuesKey = values.join('\u0000');
    if (limitProblems.has(valuesKey)) return limitProblems.get(valuesKey);
    let problem: string | undefined;
    for (let i = TIME_PARTITION_KEYS.length; i < values.length && problem === undefined; i++) {
      if (values[i] !== HIVE_DEFAULT_PARTITION) problem = partitionValueProblem(table.allPartitionKeys[i]!, values[i]!);
    }
    problem ??= partitionKeyProblem(partitionPath(table.allPartitionKeys.map((k, i) => [k, values[i]!] as const)), {
      prefix: table.prefix,
      table: table.name,
      shardId: current.shardId,
      recordId: recordId(current),
    });
    limitProblems.set(valuesKey, problem);
    return problem;
  };

  // A row handed over as it is must not change before its record commits. After a record's
  // last output only the steps' own wrappers run; a flatMap's next output can run a later
  // step on an object an earlier output still is, so with a flatMap rows are zod's copies.
  const atMostOneOutput = job.steps.ops.every((op) => op.kind !== StepKind.FlatMap);
  const check = collector.columnsOnly && atMostOneOutput ? rowCheck(table.rows) : undefined;
  const sink = (value: unknown): void => {
    outputIndex++;
    let row: Record<string, unknown>;
    if (check !== undefined && check(value)) row = value as Record<string, unknown>;
    else {
      const parsed = rows.safeParse(value);
      if (!parsed.success) {
        throw new RowFailure(RejectStage.Row, `output #${outputIndex} does not match the row schema: ${formatIssues(parsed.error.issues)}`);
      }
      row = parsed.data as Record<string, unknown>;
    }
    pendingValues[outputIndex - 1] = partitionValues(row);
    pendingRows[outputIndex - 1] = row;
  };
  const run = compileSteps(job.steps.ops, sink);

  // Rejects of a batch mostly arrived in one hour: their file is found again without building its path.
  let lastRejectHour = Number.NaN;
  let lastRejectFile: RejectFile | undefined;
  const reject = (record: StreamRecord, stage: RejectStage, reason: string): void => {
    rejectCount++;
    const arrivalMs = record.arrivalTime.getTime();
    const hour = Math.floor(arrivalMs / HOUR_MS);
    let file = hour === lastRejectHour ? lastRejectFile : undefined;
    if (!file) {
      const values = hourPartition(arrivalMs);
      const path = partitionPath(TIME_PARTITION_KEYS.map((k, i) => [k, values[i]!] as const));
      file = rejectFiles.get(path);
      if (!file) {
        const key = rejectFileKey({ prefix: table.prefix, table: table.name, partitionPath: path, shardId: record.shardId, firstRecordId: recordId(record) });
        file = { path, key, rejects: [] };
        rejectFiles.set(path, file);
      }
      lastRejectHour = hour;
      lastRejectFile = file;
    }
    file.rejects.push({ record, stage, reason });
  };

  // The file the last row went to, found again without a lookup while rows keep the same partition values.
  let lastValues: readonly string[] | undefined;
  let lastFile: CollectedFile<C> | undefined;
  const fileFor = (values: readonly string[], record: StreamRecord): CollectedFile<C> => {
    if (values === lastValues) return lastFile!;
    // Files are found by their raw values; the escaped path is built once per file, not per row.
    const valuesKey = values.join('\u0000');
    let file = files.get(valuesKey);
    if (!file) {
      const path = partitionPath(table.allPartitionKeys.map((k, i) => [k, values[i]!] as const));
      const key = dataFileKey({ prefix: table.prefix, table: table.name, partitionPath: path, shardId: record.shardId, firstRecordId: recordId(record) });
      file = { values: [...values], path, key, contents: collector.open() };
      files.set(valuesKey, file);
    }
    lastValues = values;
    lastFile = file;
    return file;
  };

  for (const received of records) {
    // A JSON record's first byte already tells it from a KPL aggregate; `deaggregate` checks the rest of the magic.
    if (received.data[0] !== KPL_MAGIC[0]) {
      userRecords++;
      processRecord(received);
      continue;
    }
    const expanded = deaggregate(received);
    if (!expanded.ok) {
      userRecords++;
      reject(received, RejectStage.Kpl, expanded.reason);
      continue;
    }
    userRecords += expanded.records.length;
    for (const record of expanded.records) processRecord(record);
  }

  function processRecord(record: StreamRecord): void {
    current = record;
    const decoded = decode(record.data);
    if (!decoded.ok) {
      reject(record, decoded.stage, decoded.reason);
      return;
    }
    outputIndex = 0;
    try {
      if (readsMeta) run(decoded.value, metaOf(record));
      else sink(decoded.value);
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
    for (let i = 0; i < outputIndex; i++) {
      collector.add(fileFor(pendingValues[i]!, record).contents, pendingRows[i]!);
      rowCount++;
      if (eventTimed && pendingEventMs[i]! > newestEventMs) newestEventMs = pendingEventMs[i]!;
    }
  }

  return {
    files: [...files.values()],
    rejectFiles: [...rejectFiles.values()],
    records: records.length,
    userRecords,
    rows: rowCount,
    rejects: rejectCount,
    newestEventMs: rowCount > 0 && eventTimed ? newestEventMs : null,
  };
}
