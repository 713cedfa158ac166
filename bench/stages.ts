import { rowsToArrowTable } from '../src/format/arrow-table.ts';
import { encodeParquet } from '../src/format/parquet-encode.ts';
import type { Job } from '../src/job/define-job.ts';
import { compileSteps } from '../src/job/steps.ts';
import { runBatch } from '../src/pipeline/run-batch.ts';
import { runBatchToTables } from '../src/pipeline/run-batch-to-tables.ts';
import { dictionaryChoice } from '../src/format/dictionary-choice.ts';
import { parseDeviceTime } from '../src/schema/device-time.ts';
import { rowValidator } from '../src/pipeline/row-validator.ts';
import { recordsOfEvent } from '../src/runtime/lambda/kinesis-event.ts';
import { recordDecoder } from '../src/decode/record-decoder.ts';
import { naiveFloor } from './naive-floor.ts';
import { medianMs, type RoundOptions, type RoundTask } from './rounds.ts';
import type { StageInputs } from './stage-inputs.ts';
import { throughput, type Throughput } from './throughput.ts';
import type { Workload } from './workload.ts';

/**
 * The stages the targets' explanations reason about (targets.ts), tagged so they are found
 * by what they are rather than by their printed name.
 */
export const StageRole = {
  NaiveFloor: 'naive-floor',
  EventRecords: 'event-records',
  Decode: 'decode',
  ParquetEncode: 'parquet-encode',
} as const;
export type StageRole = (typeof StageRole)[keyof typeof StageRole];

/** One stage of the batch path, timed alone on a whole batch. */
export interface StageResult {
  readonly name: string;
  readonly role?: StageRole;
  /** What exactly is timed, for the reader of the table. */
  readonly what: string;
  readonly throughput: Throughput;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Each stage sluice runs on a batch, on its own, in path order. Every task folds its
 * results into a number it returns, so V8 cannot drop the work as dead code.
 */
function stageTasks(job: Job, workload: Workload, inputs: StageInputs): Array<RoundTask & { what: string; role?: StageRole }> {
  const columns = job.output.dataColumns;
  const compression = job.output.compression;
  const decode = recordDecoder(job.source.records);
  const rows = rowValidator(job.output.rows);
  // The Sense HAT messages' device clock, in record order, as the 'to-row' step reads it.
  const deviceTimes = inputs.values.map((v) => (v as { timestamp?: unknown }).timestamp).filter((t): t is string => typeof t === 'string');
  return [
    {
      name: 'event -> records (base64)',
      what: "recordsOfEvent(event): every record's base64 into one buffer, shard, sequence number, arrival time",
      role: StageRole.EventRecords,
      fn: () => recordsOfEvent(workload.event).length,
    },
    {
      name: 'UTF-8 + JSON.parse',
      what: 'strict TextDecoder + JSON.parse, as decodeRecord does',
      fn: () => {
        let n = 0;
        for (const b of inputs.bytes) if (JSON.parse(utf8.decode(b)) !== null) n++;
        return n;
      },
    },
    {
      name: 'input validation',
      what: 'job.source.records.safeParse (zod) on the parsed documents',
      fn: () => {
        let n = 0;
        for (const d of inputs.documents) if (job.source.records.safeParse(d).success) n++;
        return n;
      },
    },
    {
      name: 'compiled decode + validate',
      role: StageRole.Decode,
      what: 'recordDecoder: the decoder compiled from the input schema, on the bytes (decodeRecord decides what it does not)',
      fn: () => {
        let n = 0;
        for (const b of inputs.bytes) if (decode(b).ok) n++;
        return n;
      },
    },
    {
      name: 'steps',
      what: "the job's compiled steps (compileSteps): map 'to-row' + filter",
      fn: () => {
        let n = 0;
        const run = compileSteps(job.steps.ops, () => void n++);
        for (let i = 0; i < inputs.values.length; i++) run(inputs.values[i], inputs.metas[i]!);
        return n;
      },
    },
    {
      name: 'row validation',
      what: 'job.output.rows.safeParse on each step output (zod, uncompiled)',
      fn: () => {
        let n = 0;
        for (const o of inputs.outputs) if (job.output.rows.safeParse(o).success) n++;
        return n;
      },
    },
    {
      name: 'row validation (compiled)',
      what: 'rowValidator(job.output.rows).safeParse: z.compile fast path, zod on failure',
      fn: () => {
        let n = 0;
        for (const o of inputs.outputs) if (rows.safeParse(o).success) n++;
        return n;
      },
    },
    {
      name: 'device time parse',
      what: "parseDeviceTime on each record's timestamp (part of the steps)",
      fn: () => {
        let n = 0;
        for (const t of deviceTimes) n += parseDeviceTime(t).getTime() > 0 ? 1 : 0;
        return n;
      },
    },
    {
      name: 'Arrow build',
      what: 'rowsToArrowTable(rows, dataColumns): the column builders on rows already made',
      fn: () => rowsToArrowTable(inputs.rows, columns).numRows,
    },
    {
      name: 'dictionary choice',
      what: 'dictionaryChoice(table): which columns repeat enough for dictionary encoding (part of Parquet encode)',
      fn: () => dictionaryChoice(inputs.table).columns.length,
    },
    {
      name: `Parquet encode (${compression})`,
      role: StageRole.ParquetEncode,
      what: 'encodeParquet(table): dictionary choice, Arrow IPC -> parquet-wasm',
      fn: () => encodeParquet(inputs.table, { compression }).byteLength,
    },
    {
      name: 'runBatch (pure pipeline)',
      what: 'KPL check, compiled decode, steps, compiled row check, partitions, rows kept as objects; no Arrow, no I/O',
      fn: () => runBatch(job, workload.records).rows,
    },
    {
      name: 'naive floor: base64 + JSON.parse',
      what: "naiveFloor(event): Buffer.from(kinesis.data, 'base64') + JSON.parse per record, nothing checked, nothing kept",
      role: StageRole.NaiveFloor,
      fn: () => naiveFloor(workload.event),
    },
    {
      name: 'runBatchToTables',
      what: "runBatch's work with each row appended to its file's columns as it comes, tables finished: what the handler encodes",
      fn: () => runBatchToTables(job, workload.records).rows,
    },
  ];
}

/**
 * Times every stage on the clean batch: median of `rounds` after `warmups`, records/s and
 * MB/s of the batch's JSON.
 *
 * @example
 * ```ts
 * const stages = await measureStages(job, clean, stageInputs(job, clean), DEFAULT_ROUNDS);
 * ```
 */
export async function measureStages(job: Job, workload: Workload, inputs: StageInputs, rounds: RoundOptions): Promise<StageResult[]> {
  const tasks = stageTasks(job, workload, inputs);
  const medians = await medianMs(tasks, rounds);
  const batch = { records: workload.userRecords, bytes: workload.jsonBytes };
  return tasks.map((t) => ({ name: t.name, what: t.what, ...(t.role ? { role: t.role } : {}), throughput: throughput(medians.get(t.name)!, batch) }));
}
