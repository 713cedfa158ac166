/**
 * Zone-less date-times are UTC wherever sluice runs: the same batch, run on a machine whose
 * zone is New York and on one in UTC (as Lambda is), lands in the same partitions with the
 * same instants. In process, for what sluice itself parses (ISO-string timestamp columns,
 * their partitions and aggregate windows, device clocks); through the CLI in processes with
 * a different `TZ`, for everything a job can do, a step's `new Date(text)` and a row schema's
 * `z.coerce.date()` included.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { aggregateTable, defineJob, hourOf, kinesisStream, parseDeviceTime, table, tumbling } from '../../src/index.ts';
import { toPartialRows } from '../../src/aggregate/partials.ts';
import { runBatch } from '../../src/pipeline/run-batch.ts';
import { runBatchToTables } from '../../src/pipeline/run-batch-to-tables.ts';
import { streamRecords } from '../helpers/records.ts';
import { SLUICE_API, tempProject, type TempProject } from './temp-project.ts';

const Input = z.object({ device: z.string(), at: z.iso.datetime({ local: true }), clock: z.string() });
const Row = z.object({ device: z.string(), at: z.iso.datetime({ local: true }), clock_time: z.date() });

const job = defineJob({
  name: 'zone-less',
  source: kinesisStream({ stream: 'zone-less', records: Input }),
  steps: (s) => s.map((m) => ({ device: m.device, at: m.at, clock_time: parseDeviceTime(m.clock) })),
  output: table({ database: 'tz', name: 'zone_less', rows: Row, partitionBy: hourOf('at') }),
});

const windows = defineJob({
  name: 'zone-less-windows',
  source: kinesisStream({ stream: 'zone-less', records: Input }),
  steps: (s) => s.map((m) => ({ device: m.device, at: m.at, clock_time: parseDeviceTime(m.clock) })),
  output: aggregateTable({ database: 'tz', name: 'zone_less_windows', rows: Row, window: tumbling('5 minutes', { on: 'at' }), groupBy: ['device'], measures: (m) => ({ n: m.count() }) }),
});

/** 23:30 zone-less: read in New York's zone it would be 04:30 the next day in UTC. */
const AT = '2026-11-23T23:30:00';
const AT_MS = Date.UTC(2026, 10, 23, 23, 30);
const records = streamRecords([
  { device: 'd-1', at: AT, clock: '2026-11-23 23:30:00' },
  { device: 'd-2', at: `${AT}.250`, clock: '2026-11-23 23:30:00.250' },
]);

/** What sluice makes of the batch: partition values, and each timestamp column's epoch ms. */
function batchOutcome() {
  const tables = runBatchToTables(job, records);
  const partials = toPartialRows(windows.output.aggregate!, runBatch(windows, records).files.flatMap((f) => f.rows));
  return {
    partitions: tables.files.map((f) => f.values),
    at: tables.files.flatMap((f) => [...f.table.getChild('at')!].map(Number)),
    clockTime: tables.files.flatMap((f) => [...f.table.getChild('clock_time')!].map(Number)),
    windowStarts: partials.map((p) => (p['window_start'] as Date).getTime()),
    windowPartitions: runBatch(windows, records).files.map((f) => f.values),
  };
}

describe('zone-less date-times are UTC, whatever the machine\'s zone', () => {
  const zoneBefore = process.env['TZ'];
  afterEach(() => {
    if (zoneBefore === undefined) delete process.env['TZ'];
    else process.env['TZ'] = zoneBefore;
  });

  it('in the pipeline: the same partitions, instants and windows in New York as in UTC', () => {
    // Node applies a TZ set at run time to every Date made after it.
    process.env['TZ'] = 'America/New_York';
    expect(new Date(2026, 10, 23).getTimezoneOffset()).toBe(300);
    const newYork = batchOutcome();
    process.env['TZ'] = 'UTC';
    const utc = batchOutcome();
    expect(newYork).toEqual(utc);
    expect(utc).toEqual({
      partitions: [['2026', '11', '23', '23']],
      at: [AT_MS, AT_MS + 250],
      clockTime: [AT_MS, AT_MS + 250],
      windowStarts: [AT_MS, AT_MS],
      windowPartitions: [['2026', '11', '23', '23']],
    });
  });
});

describe('sluice run in processes with different TZ', () => {
  let project: TempProject;
  beforeAll(async () => {
    project = await tempProject('sluice-tz-');
    // A step's new Date(text) and the row schema's z.coerce.date() are the JavaScript runtime's own parsing: the process's zone decides.
    await project.writeJob(
      'zone-less',
      `import { z } from 'zod';
import { defineJob, hourOf, kinesisStream, parseDeviceTime, table } from '${SLUICE_API}';

const Input = z.object({ device: z.string(), at: z.iso.datetime({ local: true }), clock: z.string() });
const Row = z.object({
  device: z.string(),
  at: z.iso.datetime({ local: true }),
  clock_time: z.date(),
  parsed_in_step: z.date(),
  coerced: z.coerce.date(),
});

export default defineJob({
  name: 'zone-less',
  source: kinesisStream({ stream: 'zone-less', records: Input }),
  steps: (s) => s.map((m) => ({ device: m.device, at: m.at, clock_time: parseDeviceTime(m.clock), parsed_in_step: new Date(m.at), coerced: m.at })),
  output: table({ database: 'tz', name: 'zone_less', rows: Row, partitionBy: hourOf('at') }),
  batch: { size: 100, windowSeconds: 0 },
});
`,
    );
    await writeFile(
      join(project.root, 'records.ndjson'),
      [
        JSON.stringify({ device: 'd-1', at: AT, clock: '2026-11-23 23:30:00' }),
        JSON.stringify({ device: 'd-2', at: `${AT}.250`, clock: '2026-11-23 23:30:00.250' }),
      ].join('\n'),
    );
  });
  afterAll(() => project.remove());

  /** produce -> run -> query in a state folder of its own, every process in zone `tz`. */
  async function runIn(tz: string): Promise<unknown> {
    const env = { TZ: tz };
    const dir = join(project.root, `state-${tz.replace('/', '-')}`);
    const produced = await project.sluice(['--dir', dir, 'produce', '--stream', 'zone-less', '--create', '--file', join(project.root, 'records.ndjson')], { env });
    expect(produced.code, produced.stderr).toBe(0);
    const run = await project.sluice(['--dir', dir, 'run', 'zone-less', '--until-caught-up', '--json'], { env });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ rows: 2, rejects: 0 });
    const query = await project.sluice(
      [
        '--dir',
        dir,
        'query',
        '--json',
        'SELECT device, year, month, day, hour, epoch_ms("at") AS "at", epoch_ms(clock_time) AS clock_time, ' +
          'epoch_ms(parsed_in_step) AS parsed_in_step, epoch_ms(coerced) AS coerced FROM tz.zone_less ORDER BY device',
      ],
      { env },
    );
    expect(query.code, query.stderr).toBe(0);
    return JSON.parse(query.stdout);
  }

  it('writes the same partitions and instants in America/New_York as in UTC', async () => {
    const [newYork, utc] = await Promise.all([runIn('America/New_York'), runIn('UTC')]);
    expect(newYork).toEqual(utc);
    const row = (device: string, ms: number) => ({ device, year: '2026', month: '11', day: '23', hour: '23', at: ms, clock_time: ms, parsed_in_step: ms, coerced: ms });
    expect(utc).toEqual([row('d-1', AT_MS), row('d-2', AT_MS + 250)]);
  }, 120_000);
});
