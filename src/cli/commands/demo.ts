import { join } from 'node:path';
import type { Command } from 'commander';
import { openQueryEngine, type QueryResult } from '../../catalog/query-engine.ts';
import { decodeRejects } from '../../format/rejects-ndjson.ts';
import { rejectsTableName } from '../../format/rejects-table.ts';
import { streamName } from '../../job/source.ts';
import { rejectsRootKey, tableRootKey } from '../../partition/object-keys.ts';
import { loadJob } from '../../runtime/load-job.ts';
import { assertOwnsItsTable } from '../../runtime/jobs-folder.ts';
import { aggregateViews } from '../../aggregate/aggregate-views.ts';
import type { Job } from '../../job/define-job.ts';
import { openLocalEnvironment, type LocalEnvironment } from '../../runtime/local-environment.ts';
import { runJob, type RunSummary } from '../../runtime/local-runner.ts';
import { SLUICE_PACKAGE_ROOT } from '../../runtime/sluice-package.ts';
import { putRecords } from '../../kinesis/producer.ts';
import { ensureStream } from '../../kinesis/stream-admin.ts';
import { demoStateDir, resetDemoFolder } from '../demo-folder.ts';
import { createCliLogger, type CliLogger } from '../logger.ts';
import { decimal, wholeNumber } from '../option-parsers.ts';
import { renderTable } from '../print-table.ts';
import { startProgress } from '../progress.ts';
import { ProgressOutcome } from '../progress-outcome.ts';
import { runEventLog, seededChaos } from '../run-events.ts';
import { withMalformed } from '../simulate/malformed.ts';
import { senseHatMessages } from '../simulate/sense-hat.ts';

/** The sample jobs shipped with sluice, whatever the current folder. */
const SAMPLE_JOBS_DIR = join(SLUICE_PACKAGE_ROOT, 'jobs');

/** The Athena-style query the demo prints: per device and hour. */
export const DEMO_QUERY = `SELECT device_id,
       date_trunc('hour', event_time) AS hour,
       count(*) AS readings,
       round(min(temperature_c), 2) AS min_temp_c,
       round(max(temperature_c), 2) AS max_temp_c,
       round(avg(temperature_c), 2) AS avg_temp_c
FROM iot.sensor_readings
GROUP BY device_id, date_trunc('hour', event_time)
ORDER BY device_id, hour`;

/** The merged windows of `sensor-hourly`, as the demo prints them. */
export const HOURLY_QUERY = `SELECT device_id, window_start, window_end, readings,
       round(min_temperature, 2) AS min_temperature,
       round(max_temperature, 2) AS max_temperature,
       round(avg_temperature, 2) AS avg_temperature,
       round(avg_humidity, 2) AS avg_humidity
FROM iot.sensor_hourly
ORDER BY device_id, window_start
LIMIT 12`;

export interface DemoOptions {
  /** The demo's own state folder, cleared first: absent, empty, or made by an earlier demo (see `demo-folder.ts`). */
  readonly dir: string;
  readonly records: number;
  readonly devices: number;
  readonly hours: number;
  readonly shards: number;
  /** Share of deliberately malformed records. */
  readonly malformedRate: number;
  readonly seed: number;
  /** Failure injection probability (0 for none). */
  readonly chaos: number;
  readonly log: CliLogger;
  /** `false`: no progress bar, only progress lines on `log` (none when it is quiet, as under `--json`). Defaults to a bar on a terminal. */
  readonly progress?: boolean;
}

/** What the demo did, read back from the warehouse and catalog (not from counters). */
export interface DemoResult {
  readonly records: number;
  readonly rows: number;
  readonly rejects: number;
  readonly files: number;
  readonly partitions: number;
  readonly warehouse: string;
  readonly query: QueryResult;
  /** The aggregate job `sensor-hourly`, run over the same stream. */
  readonly hourly: HourlyResult;
  /** What the `sensor-readings` run counted as it went (each record once, however often its batch was retried). */
  readonly run: RunSummary;
}

/** What `sensor-hourly` wrote, read back through its merged view. */
export interface HourlyResult {
  readonly view: string;
  /** Merged rows: one per device and 5-minute window. */
  readonly windows: number;
  /** Sum of `readings` over the view: every reading counted once. */
  readonly readings: number;
  /** Partial rows written by the batches (before merging). */
  readonly partials: number;
  readonly files: number;
  readonly query: QueryResult;
}

/**
 * The end-to-end demo: embedded Kinesis, a multi-shard stream, simulated Sense HAT devices
 * over several hours (a few malformed records among them), the `sensor-readings` job and
 * the aggregate job `sensor-hourly` each run until caught up, and a query over each
 * output. Starts from a clean state folder of its own, and refuses one it did not make.
 *
 * @example
 * ```ts
 * const result = await runDemo({ dir: '.sluice', records: 20_000, devices: 8, hours: 4, shards: 2,
 *                                malformedRate: 0.005, seed: 7, log });
 * ```
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const { log } = options;
  const job = await loadJob('sensor-readings', { jobsDir: SAMPLE_JOBS_DIR });
  const hourlyJob = await loadJob('sensor-hourly', { jobsDir: SAMPLE_JOBS_DIR });
  for (const sample of [job, hourlyJob]) await assertOwnsItsTable(sample, { jobsDir: SAMPLE_JOBS_DIR });
  await resetDemoFolder(options.dir, {
    tables: [job, hourlyJob].flatMap((j) => [j.output.name, rejectsTableName(j.output.name)].map((name) => `${j.output.database}.${name}`)),
    jobs: [job.name, hourlyJob.name],
  });
  const env = await openLocalEnvironment({ dir: options.dir });
  try {
    const stream = streamName(job.source.stream);
    await ensureStream(env.kinesis, { stream, shards: options.shards });
    const hourMs = 3_600_000;
    const start = new Date(Math.floor(Date.now() / hourMs) * hourMs - options.hours * hourMs);
    const messages = [...senseHatMessages({ devices: options.devices, records: options.records, hours: options.hours, start, seed: options.seed })];
    const encoded = withMalformed(messages as unknown as Array<Record<string, unknown>>, { rate: options.malformedRate });
    log.info(`producing ${encoded.length} Sense HAT records from ${options.devices} devices over ${options.hours} hours to ${stream} (${options.shards} shards)`);
    const producing = startProgress({ label: `producing to ${stream}`, total: encoded.length, unit: 'records', logger: log, ...quietly(options) });
    let sent = 0;
    try {
      await putRecords(env.kinesis, {
        stream,
        records: encoded.map((e, i) => ({ data: e.data, partitionKey: messages[i]!.client_id })),
      }, {
        onProgress: ({ written }) => {
          producing.advance(written - sent);
          sent = written;
        },
      });
    } finally {
      producing.done();
    }
    const summary = await runUntilCaughtUp(env, job, options);
    log.info(
      `${job.name}: ${summary.batches} batches committed: ${summary.rows} rows, ${summary.rejects} rejects` +
        (options.chaos > 0 ? `; chaos forced ${summary.retries} retries and ${summary.restarts} worker restarts` : ''),
    );
    const hourlySummary = await runUntilCaughtUp(env, hourlyJob, options);
    log.info(`${hourlyJob.name}: ${hourlySummary.batches} batches committed: ${hourlySummary.rows} readings aggregated into partials`);
    return {
      records: encoded.length,
      ...(await readBack(env, job.output)),
      warehouse: env.paths.warehouse,
      hourly: await readBackHourly(env, hourlyJob),
      run: summary,
    };
  } finally {
    await env.close();
  }
}

async function runUntilCaughtUp(env: LocalEnvironment, job: Job, options: DemoOptions) {
  const { log } = options;
  log.info(`running ${job.name} until caught up`);
  const progress = startProgress({ label: job.name, total: options.records, unit: 'records', logger: log, ...quietly(options) });
  const describeEvent = runEventLog(log);
  let outcome: ProgressOutcome = ProgressOutcome.Failed;
  try {
    const summary = await runJob({
      job,
      kinesis: env.kinesis,
      store: env.store,
      catalog: env.catalog,
      checkpoints: env.checkpoints,
      failuresDir: join(env.paths.failures, job.name),
      untilCaughtUp: true,
      ...(options.chaos > 0 ? { chaos: seededChaos({ probability: options.chaos, seed: options.seed }) } : {}),
      onEvent: (event) => progress.interrupt(() => describeEvent(event)),
      metricsLog: env.metricsLog,
      onBatch: (report) => progress.advance(report.records, report.shardId),
    });
    outcome = ProgressOutcome.Done;
    return summary;
  } finally {
    progress.done(undefined, { outcome });
  }
}

/** No bar when the caller asked for none (`--json`): progress lines then go to the log, which `--json` silences. */
const quietly = (options: DemoOptions) => (options.progress === false ? { interactive: false } : {});

/** Parquet files under the table's folders, as the batches wrote them. */
async function parquetFilesOf(env: LocalEnvironment, table: { prefix: string; name: string }): Promise<number> {
  let files = 0;
  for await (const o of env.store.list(`${tableRootKey({ prefix: table.prefix, table: table.name })}/`)) if (o.key.endsWith('.parquet')) files++;
  return files;
}

async function readBackHourly(env: LocalEnvironment, job: Job): Promise<HourlyResult> {
  const { output } = job;
  const view = `${output.aggregate!.view.database}.${output.aggregate!.view.name}`;
  const files = await parquetFilesOf(env, output);
  const engine = await openQueryEngine({ catalog: env.catalog, views: aggregateViews([job]) });
  try {
    const [totals] = (await engine.query(`SELECT count(*) AS windows, sum(readings) AS readings FROM ${view}`)).rows;
    const [partials] = (await engine.query(`SELECT count(*) AS n FROM "${output.database}"."${output.name}"`)).rows;
    const query = await engine.query(HOURLY_QUERY);
    return { view, windows: Number(totals!['windows']), readings: Number(totals!['readings'] ?? 0), partials: Number(partials!['n']), files, query };
  } finally {
    engine.close();
  }
}

async function readBack(
  env: LocalEnvironment,
  table: { database: string; name: string; prefix: string },
): Promise<Omit<DemoResult, 'records' | 'warehouse' | 'hourly' | 'run'>> {
  const files = await parquetFilesOf(env, table);
  let rejects = 0;
  for await (const o of env.store.list(`${rejectsRootKey({ prefix: table.prefix, table: table.name })}/`)) {
    const bytes = await env.store.get(o.key);
    if (bytes) rejects += decodeRejects(bytes).length;
  }
  const partitions = (await env.catalog.listPartitions({ database: table.database, name: table.name })).length;
  const engine = await openQueryEngine({ catalog: env.catalog });
  try {
    const count = await engine.query(`SELECT count(*) AS n FROM "${table.database}"."${table.name}"`);
    const query = await engine.query(DEMO_QUERY);
    return { rows: Number(count.rows[0]!['n']), rejects, files, partitions, query };
  } finally {
    engine.close();
  }
}

/** `sluice demo`. */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description("run the sample jobs end to end on the embedded Kinesis server and print a query result, in a state folder of the demo's own (.sluice/demo, or --dir), cleared first")
    .option('--records <n>', 'Sense HAT records to produce', wholeNumber({ min: 1, max: 5_000_000 }), 20_000)
    .option('--devices <n>', 'simulated devices', wholeNumber({ min: 1, max: 10_000 }), 8)
    .option('--hours <n>', 'hours of event time the records span', wholeNumber({ min: 1, max: 24 * 365 }), 4)
    .option('--shards <n>', 'shards of the stream', wholeNumber({ min: 1, max: 100 }), 2)
    .option('--seed <n>', 'seed of the simulated devices', wholeNumber(), 7)
    .option('--chaos <p>', 'inject failures: each commit step fails or the worker dies with probability p (0-1)', decimal({ max: 1 }), 0)
    .option('--json', 'print one JSON object: records, rows, rejects, files, partitions, warehouse, and hourly: the aggregate job\'s view, windows, readings, partials, files')
    .action(async (flags: { dir: string; records: number; devices: number; hours: number; shards: number; seed: number; chaos: number; json?: boolean }, command: Command) => {
      const log = createCliLogger({ quiet: flags.json === true });
      // A folder the user named is the demo's; otherwise the demo keeps out of the project's own state.
      const dir = command.parent?.getOptionValueSource('dir') === 'cli' ? flags.dir : demoStateDir(flags.dir);
      const result = await runDemo({ ...flags, dir, malformedRate: 0.005, log, progress: flags.json !== true });
      if (flags.json) {
        const { query: _query, hourly: { query: _hourlyQuery, ...hourly }, ...summary } = result;
        process.stdout.write(`${JSON.stringify({ ...summary, hourly })}\n`);
        return;
      }
      process.stdout.write(`\n${DEMO_QUERY};\n\n${renderTable(result.query)}\n\n`);
      process.stdout.write(`${HOURLY_QUERY};\n\n${renderTable(result.hourly.query)}\n\n`);
      log.success(
        `${result.records} records -> ${result.rows} rows in ${result.files} Parquet files over ${result.partitions} partitions, ${result.rejects} rejects (with reasons) under ${result.warehouse}`,
      );
      log.success(
        `sensor-hourly: ${result.hourly.partials} partial rows in ${result.hourly.files} files merge into ${result.hourly.windows} windows in ${result.hourly.view}; ` +
          `their readings add up to ${result.hourly.readings} (the rows of iot.sensor_readings: ${result.rows})`,
      );
      const dirFlag = `--dir ${dir}`;
      log.info(`try: npx sluice ${dirFlag} query "SELECT * FROM iot.sensor_readings LIMIT 5" or npx sluice ${dirFlag} query "SELECT * FROM iot.sensor_hourly LIMIT 5"`);
    });
}
