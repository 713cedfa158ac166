/**
 * `npm run bench [-- --json] [--rounds N] [--warmups N] [--spawns N]`: every performance
 * figure sluice claims (DESIGN.md §8), measured in one process in one run on this machine,
 * printed as tables; with `--json` also written to bench/results/<timestamp>.json.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import job from '../jobs/sensor-readings.ts';
import { measureColdStart, type ColdStartResult } from './cold-start.ts';
import { measureCompaction } from './compaction.ts';
import { compactionSizing } from './compaction-sizing.ts';
import { costPerGbOfJson, LAMBDA_MEMORY_MB, PRICES } from './cost.ts';
import { childEnvironment } from './lambda/child-environment.ts';
import { machine } from './machine.ts';
import { compareParquetWriters } from './parquet-comparison.ts';
import { measurePeakRss, type PeakRssResult } from './peak-rss.ts';
import { renderCompaction, renderHeader, renderReport } from './report.ts';
import { writeResults, type BenchResults, type BatchSummary } from './results.ts';
import { DEFAULT_ROUNDS, type RoundOptions } from './rounds.ts';
import { stageInputs } from './stage-inputs.ts';
import { measureStages } from './stages.ts';
import { checkTargets } from './targets.ts';
import { measureWholePaths } from './whole-path.ts';
import { firstRecords, largestDeliverable, workloads, type Workload } from './workload.ts';

/** A trickle stream's batch: what a cold container most often meets first. */
const SMALL_BATCH = 100;
/** Fresh processes per cold-start figure (after one unmeasured spawn). */
const DEFAULT_SPAWNS = 9;
/** Invocations in the memory child: the first is a cold container's, the rest show a warm one. */
const RSS_INVOCATIONS = 3;
/** Hours of the sample stream compacted, 4x apart: throughput and peak memory side by side. */
const COMPACTION_RECORDS = [300_000, 1_200_000] as const;

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    warmups: { type: 'string' },
    spawns: { type: 'string' },
    /** `compaction`: only the compaction tables (throughput, memory, sizing), about a minute. */
    only: { type: 'string' },
  },
});

const count = (value: string | undefined, fallback: number, name: string): number => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} takes a whole number >= 1, not '${value}'`);
  return n;
};
const rounds: RoundOptions = {
  rounds: count(args.rounds, DEFAULT_ROUNDS.rounds, 'rounds'),
  warmups: args.warmups === undefined ? DEFAULT_ROUNDS.warmups : Number(args.warmups),
};
const spawns = count(args.spawns, DEFAULT_SPAWNS, 'spawns');

const progress = (message: string): void => void process.stderr.write(`… ${message}\n`);
const summary = (w: Workload): BatchSummary => ({
  name: w.name,
  userRecords: w.userRecords,
  kinesisRecords: w.kinesisRecords,
  meanRecordBytes: w.jsonBytes / w.userRecords,
  jsonBytes: w.jsonBytes,
  eventBytes: w.eventBytes,
});

const startedAt = new Date();
const started = performance.now();
const host = machine();
const loadAtStart = loadavg();
console.log(renderHeader(host, loadAtStart));

if (args.only !== undefined && args.only !== 'compaction') throw new Error(`--only takes 'compaction', not '${args.only}'`);
progress(`compaction of hours of ${COMPACTION_RECORDS.join(' and ')} records, each in a fresh process`);
const compactionRuns = await measureCompaction(COMPACTION_RECORDS);
const largest = compactionRuns.at(-1)!;
// Firehose bills each record (rounded up to 5 KB): the hour's own mean record.
const compaction = { measurements: compactionRuns, sizing: compactionSizing(largest, { meanRecordBytes: largest.jsonBytes / largest.records }) };
if (args.only === 'compaction') {
  console.log(`\n${renderCompaction(compaction, { prices: PRICES })}`);
  console.log(`\nload average at end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}; run took ${((performance.now() - started) / 1000).toFixed(0)} s`);
  process.exit(0);
}

progress('generating batches');
const { clean, malformed, kpl } = await workloads();
const small = firstRecords(clean, SMALL_BATCH);
const deliverable = largestDeliverable(clean);

progress('stages');
const inputs = stageInputs(job, clean);
const stages = await measureStages(job, clean, inputs, rounds);

progress('whole path and naive floor');
const wholePaths = await measureWholePaths(job, [clean, malformed, kpl], rounds);

progress('Parquet writers and codecs');
const parquet = await compareParquetWriters(job, clean, inputs, rounds);

progress('bundling the handler with esbuild; cold starts and peak RSS in child processes');
const env = await childEnvironment([small, clean, deliverable]);
const coldStarts: ColdStartResult[] = [];
const peakRss: PeakRssResult[] = [];
try {
  for (const batch of [small, clean]) coldStarts.push(await measureColdStart(env, batch, spawns));
  for (const batch of [clean, deliverable]) peakRss.push(await measurePeakRss(env, batch, RSS_INVOCATIONS));
} finally {
  await env.dispose();
}

const results: BenchResults = {
  startedAt: startedAt.toISOString(),
  durationSeconds: (performance.now() - started) / 1000,
  machine: host,
  loadAverage: { start: loadAtStart, end: loadavg() },
  rounds,
  batches: [clean, malformed, kpl, small, ...(deliverable === clean ? [] : [deliverable])].map(summary),
  stages,
  wholePaths,
  parquet,
  bundle: {
    bytes: env.files.handlerBytes,
    buildMs: env.files.buildMs,
    optionsSource: env.files.optionsSource,
    minified: env.files.minified,
    largestInputs: env.files.largestInputs,
  },
  coldStarts,
  peakRss,
  prices: PRICES,
  lambdaMemoryMb: LAMBDA_MEMORY_MB,
  cost: costPerGbOfJson(wholePaths, { meanRecordBytes: clean.jsonBytes / clean.userRecords }),
  targets: checkTargets({ stages, wholePaths, parquet, coldStarts, peakRss }),
  compaction,
};
console.log(`\n${renderReport(results)}`);
if (args.json) console.log(`\nresults written to ${await writeResults(results)}`);
