import { CompactionFanOut, runSecondsOf } from '../deploy/compaction-state-machine.ts';
import { COMPACTION_FUNCTION_SIZING } from '../deploy/compaction-function.ts';
import { CompactionDefaults } from '../src/compaction/compaction-settings.ts';
import { UnitLimitDefaults } from '../src/compaction/unit-limits.ts';
import type { CompactionMeasurement, CompactionRun } from './compaction.ts';
import { COMPACTION_PRICES } from './compaction-prices.ts';

/**
 * What compaction costs at 1, 10 and 100 shards at Kinesis's write limit, computed from the
 * per-row figures this run measured (bench/compaction.ts) and the protocol's requests
 * (src/compaction: plan, units, commit), next to what Firehose charges for the same records.
 * Every assumption that is not a measurement is a named constant below, with its reason.
 */

/** A shard takes at most 1,000 records (or 1 MB) a second: the write limit of Kinesis Data Streams. */
const RECORDS_PER_SHARD_SECOND = 1000;
/** The shard counts asked about, and one beyond them, to show where the defaults stop fitting. */
const SHARDS = [1, 10, 100, 1000] as const;
/** The sample jobs' batch (size 1000, window 1 s): at the write limit, one batch a second per shard, one base file each. */
const RECORDS_PER_BATCH = 1000;
const HOUR_S = 3600;
/** A small object's GET or PUT from Lambda in the same region takes about this long (first byte), a LIST page a little more. */
const REQUEST_S = 0.02;
const LIST_PAGE_S = 0.05;
/** An upload stream from one function, two parts in flight. */
const UPLOAD_BYTES_PER_S = 50e6;
/** Registered partitions each run looks at (a month of hours): each costs two LISTs and one GET, even when skipped. */
const REGISTERED_PARTITIONS = 24 * 30;
/** A unit should finish well within Lambda's 15 minutes: beyond 80 % of it, the table says what to set instead. */
const TIMEOUT_SHARE = 0.8;
/** What the plan step holds per input key (its listing, the plan document): a generous figure for a JS object and its JSON. */
const PLAN_BYTES_PER_INPUT = 600;
/** Lambda gives a full vCPU at 1,769 MB; the compaction function has that much, so this machine's single-thread time is taken as is. */
const FULL_VCPU_MB = 1769;
const MIB = 1024 * 1024;

/** One row of the sizing table. */
export interface SizingRow {
  readonly job: string;
  readonly shards: number;
  readonly rowsPerHour: number;
  readonly filesBefore: number;
  readonly filesAfter: number;
  readonly units: number;
  /** Lambda invocations per hour: plan, units, commit, report. */
  readonly invocations: number;
  readonly memoryMb: number;
  /** This run's peak RSS of a unit, which does not grow with the partition. */
  readonly unitPeakMb: number;
  readonly unitSeconds: number;
  readonly planSeconds: number;
  /** The run, start to end: the plan, the units (as many at once as the state machine allows), the commit. */
  readonly runSeconds: number;
  readonly s3Requests: { readonly putClass: number; readonly get: number };
  readonly glueRequests: number;
  readonly stateTransitions: number;
  readonly dollarsPerHour: { readonly lambda: number; readonly s3: number; readonly glue: number; readonly stepFunctions: number; readonly total: number };
  /** Firehose ingestion + Parquet conversion for the same records: each billed as 5 KB, and (lower bound) at its size. */
  readonly firehosePerHour: { readonly rounded: number; readonly unrounded: number };
  /** `undefined` when a unit and the plan fit comfortably in Lambda's limits, else what the user sets instead. */
  readonly advice?: string;
}

/** The measured figures the model scales, per job. */
interface PerRow {
  readonly secondsPerRow: number;
  readonly inputBytesPerFile: number;
  /** Output rows per input row (1 for a plain table; fewer once partials merge). */
  readonly outputRowsPerRow: number;
  readonly outputBytesPerRow: number;
}

function perRow(run: CompactionRun, records: number): PerRow {
  const { report } = run;
  return {
    // Per record of the stream: for an aggregate table, its partial rows are fewer than the records they summarise.
    secondsPerRow: run.ms / 1000 / records,
    inputBytesPerFile: report.bytes.before / report.files.before,
    outputRowsPerRow: report.rows.after / records,
    outputBytesPerRow: report.bytes.after / Math.max(1, report.rows.after),
  };
}

/**
 * The sizing table: for each job measured and each shard count, one hour partition's run.
 *
 * @example
 * ```ts
 * const rows = compactionSizing(largest, { targetBytes: 128 * 1024 * 1024, meanRecordBytes: 174 });
 * ```
 */
export function compactionSizing(measured: CompactionMeasurement, options: { readonly targetBytes?: number; readonly meanRecordBytes: number }): SizingRow[] {
  const targetBytes = options.targetBytes ?? CompactionDefaults.targetBytes;
  const memoryMb = COMPACTION_FUNCTION_SIZING.memorySize;
  const cpuFactor = Math.max(1, FULL_VCPU_MB / memoryMb);
  const prices = COMPACTION_PRICES;
  return measured.runs.flatMap((run) =>
    SHARDS.map((shards): SizingRow => {
      const m = perRow(run, measured.records);
      const records = shards * RECORDS_PER_SHARD_SECOND * HOUR_S;
      // One base file per batch and table (the measured hour was written the same way: its bytes per file apply).
      const files = Math.ceil(records / RECORDS_PER_BATCH);
      const inputBytes = files * m.inputBytesPerFile;
      const units = Math.max(1, Math.ceil(inputBytes / targetBytes));
      const outputBytes = records * m.outputRowsPerRow * m.outputBytesPerRow;
      const filesPerUnit = files / units;
      const partsPerOutput = outputBytes / units > 8 * MIB ? Math.ceil(outputBytes / units / (8 * MIB)) + 2 : 1;
      // A unit: its rows at this machine's pace, its inputs fetched `readAheadFiles` at a time, its output uploaded.
      const unitSeconds =
        (records / units) * m.secondsPerRow * cpuFactor + (filesPerUnit * REQUEST_S) / UnitLimitDefaults.readAheadFiles + outputBytes / units / UPLOAD_BYTES_PER_S + (partsPerOutput + 4) * REQUEST_S;
      // The plan: every registered partition looked at, this one listed in full, its units and plan written.
      const listPages = Math.ceil(files / 1000);
      const planSeconds = REGISTERED_PARTITIONS * 3 * REQUEST_S + listPages * LIST_PAGE_S + (units + 1) * REQUEST_S;
      const commitSeconds = (units + 5) * REQUEST_S;
      const runSeconds = planSeconds + Math.ceil(units / CompactionFanOut.units) * unitSeconds + commitSeconds;
      const s3 = {
        putClass: REGISTERED_PARTITIONS * 2 + listPages + (units + 1) + units * (partsPerOutput + 1) + 2 + Math.ceil(files / 1000),
        get: REGISTERED_PARTITIONS + units * (2 + filesPerUnit) + 2 + units,
      };
      const glueRequests = Math.ceil(REGISTERED_PARTITIONS / 1000) + 1;
      // Plan, Partitions, Report; per partition Units, each Unit, Commit.
      const stateTransitions = 3 + 2 + units;
      const invocations = 1 + units + 1 + 1;
      const gbSeconds = ((planSeconds + units * unitSeconds + commitSeconds + 1) * memoryMb) / 1024;
      const lambda = gbSeconds * prices.lambdaArm64PerGbSecond + invocations * prices.lambdaPerRequest;
      const s3Dollars = (s3.putClass - Math.ceil(files / 1000)) * prices.s3PutPerRequest + Math.ceil(files / 1000) * prices.s3DeleteObjectsPerRequest + s3.get * prices.s3GetPerRequest;
      const glue = glueRequests * prices.gluePerRequest;
      const stepFunctions = stateTransitions * prices.stepFunctionsPerTransition;
      const firehosePerGb = prices.firehoseIngestionPerGb + prices.firehoseFormatConversionPerGb;
      const billedRecordBytes = Math.ceil(options.meanRecordBytes / prices.firehoseRecordIncrementBytes) * prices.firehoseRecordIncrementBytes;
      const advice = adviceFor({ unitSeconds, planSeconds, runSeconds, planBytes: files * PLAN_BYTES_PER_INPUT, memoryMb, targetBytes, units });
      return {
        job: run.job,
        shards,
        rowsPerHour: records,
        filesBefore: files,
        filesAfter: units,
        units,
        invocations,
        memoryMb,
        unitPeakMb: measured.peakRssMb,
        unitSeconds,
        planSeconds,
        runSeconds,
        s3Requests: { putClass: Math.round(s3.putClass), get: Math.round(s3.get) },
        glueRequests,
        stateTransitions,
        dollarsPerHour: { lambda, s3: s3Dollars, glue, stepFunctions, total: lambda + s3Dollars + glue + stepFunctions },
        firehosePerHour: { rounded: (records * billedRecordBytes * firehosePerGb) / 1e9, unrounded: (records * options.meanRecordBytes * firehosePerGb) / 1e9 },
        ...(advice === undefined ? {} : { advice }),
      };
    }),
  );
}

/** The hourly schedule's window: a run must end before the next is due. */
const RUN_WINDOW_S = runSecondsOf('rate(1 hour)');

/** What to set when a step would outgrow Lambda's 15 minutes or its memory, or a run its hour. */
function adviceFor(x: { unitSeconds: number; planSeconds: number; runSeconds: number; planBytes: number; memoryMb: number; targetBytes: number; units: number }): string | undefined {
  const limit = TIMEOUT_SHARE * COMPACTION_FUNCTION_SIZING.timeout;
  const advice: string[] = [];
  if (x.unitSeconds > limit) {
    const smaller = Math.floor((x.targetBytes * limit) / x.unitSeconds / MIB);
    advice.push(`a unit takes ${x.unitSeconds.toFixed(0)} s: set --target-size ${smaller}MiB or less (more, smaller units), or run the same units on a larger engine (ECS, Fargate)`);
  }
  if (x.planSeconds > limit || x.planBytes > (x.memoryMb * MIB) / 2) {
    advice.push(
      `the plan step lists and holds ${(x.planBytes / PLAN_BYTES_PER_INPUT / 1e6).toFixed(1)} M files per hour partition (${(x.planBytes / 1e9).toFixed(1)} GB): ` +
        'write fewer, larger base files (a longer batch.windowSeconds and a larger batch.size), or partition the table further (partitionKeys)',
    );
  }
  if (x.runSeconds > RUN_WINDOW_S) {
    const needed = Math.ceil((x.units * x.unitSeconds) / Math.max(1, RUN_WINDOW_S - x.planSeconds));
    advice.push(`${x.units} units, ${CompactionFanOut.units} at a time, take ${(x.runSeconds / 60).toFixed(0)} min: raise the units at once to ${needed} or more (CompactionFanOut.units; the function's reserved concurrency follows)`);
  }
  return advice.length === 0 ? undefined : advice.join('; ');
}
