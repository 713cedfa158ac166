/**
 * Aggregates are exact whatever the batching (DESIGN.md §6): records go through the real
 * Lambda handler under a simulated event source mapping (random batch boundaries, failures
 * at every commit step, crashes, bisection, parallelization 1-4, late arrivals); every
 * batch writes partial aggregates; the merged view, run by DuckDB over the files written,
 * must equal a single-pass aggregation computed here, independently, from the input.
 *
 * Replay a failure with FC_SEED=<seed> (fast-check prints the seed and path).
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SenseHatMessage } from '../../schemas/sense-hat.ts';
import { aggregateViewSelect, SqlDialect } from '../../src/aggregate/view-sql.ts';
import { aggregateTable, defineJob, kinesisStream, parseDeviceTime, tumbling } from '../../src/index.ts';
import type { StreamRecord } from '../../src/decode/stream-record.ts';
import { SeededRandom } from '../../src/cli/simulate/seeded-random.ts';
import { scenarios, simulateDeliveries, type Scenario } from '../helpers/event-source-simulation.ts';

const Reading = z.object({
  device_id: z.string(),
  event_time: z.date(),
  temperature: z.number(),
  humidity: z.number().nullable(),
  seq: z.number().int(),
});

const job = defineJob({
  name: 'reading-windows',
  source: kinesisStream({ stream: 'iot-sensor', records: SenseHatMessage }),
  steps: (s) =>
    s
      .map((m) => ({ device_id: m.client_id, event_time: parseDeviceTime(m.timestamp), temperature: m.temperature, humidity: m.humidity, seq: m.count }))
      .filter((r) => r.temperature > -60),
  output: aggregateTable({
    database: 'test',
    name: 'reading_windows',
    rows: Reading,
    window: tumbling('5 minutes', { on: 'event_time' }),
    groupBy: ['device_id'],
    measures: (m) => ({
      readings: m.count(),
      total: m.sum('temperature'),
      low: m.min('temperature'),
      high: m.max('temperature'),
      mean_humidity: m.avg('humidity'),
      sequences: m.approxDistinct('seq'),
      median: m.approxPercentile('temperature', 0.5),
    }),
  }),
});

const WINDOW_MS = 300_000;
const BASE = Date.parse('2026-11-23T00:00:00Z');
const encoder = new TextEncoder();

interface Input {
  readonly device: string;
  readonly at: number;
  readonly temperature: number;
  readonly humidity: number | null;
  readonly seq: number;
}

const deviceTime = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

function makeRecords(s: Scenario): { records: StreamRecord[]; inputs: Input[] } {
  const random = new SeededRandom(s.seed ^ 0x5eed);
  const records: StreamRecord[] = [];
  const inputs: Input[] = [];
  for (let i = 0; i < s.records; i++) {
    const device = `dev-${Math.floor(random.next() * s.devices)}`;
    // Three hours of event time, out of order: late and early records in every batch.
    const at = BASE + Math.floor(random.next() * 3 * 3_600_000 / 1000) * 1000;
    // `+ 0` turns -0 into 0, as the JSON on the stream does.
    const temperature = Math.round((random.next() * 110 - 70) * 10) / 10 + 0;
    const humidity = random.next() < 0.2 ? null : Math.round(random.next() * 1000) / 10;
    const seq = Math.floor(random.next() * 12);
    const isBad = s.badEvery > 0 && i % s.badEvery === s.badEvery - 1;
    const message = { client_id: device, timestamp: deviceTime(at), humidity, temperature, pressure: 1000, pitch: 0, roll: 0, yaw: 0, count: seq };
    records.push({
      data: isBad ? encoder.encode(`{"broken": ${i}`) : encoder.encode(JSON.stringify(message)),
      shardId: 'shardId-000000000000',
      sequenceNumber: String(100_000 + i * 7),
      partitionKey: device,
      arrivalTime: new Date('2026-11-23T06:00:00Z'),
    });
    if (!isBad) inputs.push({ device, at, temperature, humidity, seq });
  }
  return { records, inputs };
}

interface Expected {
  readonly windowStart: number;
  readonly device: string;
  readonly readings: number;
  readonly total: number;
  readonly low: number;
  readonly high: number;
  readonly meanHumidity: number | null;
  readonly sequences: number;
  /** The exact median by the same rank rule as the sketch: the value at index floor(0.5 * (n - 1)). */
  readonly median: number;
}

/** The single-pass aggregation, written from the definition of each measure, not from sluice's code. */
function singlePass(inputs: readonly Input[]): Expected[] {
  const groups = new Map<string, Input[]>();
  for (const input of inputs.filter((i) => i.temperature > -60)) {
    const key = `${Math.floor(input.at / WINDOW_MS) * WINDOW_MS}|${input.device}`;
    groups.set(key, [...(groups.get(key) ?? []), input]);
  }
  return [...groups.entries()].map(([key, members]) => {
    const temperatures = members.map((m) => m.temperature);
    const humidities = members.flatMap((m) => (m.humidity === null ? [] : [m.humidity]));
    const sorted = [...temperatures].sort((a, b) => a - b);
    return {
      windowStart: Number(key.split('|')[0]),
      device: key.split('|')[1]!,
      readings: members.length,
      total: temperatures.reduce((a, b) => a + b, 0),
      low: Math.min(...temperatures),
      high: Math.max(...temperatures),
      meanHumidity: humidities.length ? humidities.reduce((a, b) => a + b, 0) / humidities.length : null,
      sequences: new Set(members.map((m) => m.seq)).size,
      median: sorted[Math.floor(0.5 * (sorted.length - 1))]!,
    };
  });
}

/** The merged view over every partial file written, as DuckDB computes it. */
async function mergedView(files: ReadonlyMap<string, Uint8Array>): Promise<Array<Record<string, unknown>>> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-agg-'));
  try {
    for (const [key, bytes] of files) {
      await mkdir(dirname(join(dir, key)), { recursive: true });
      await writeFile(join(dir, key), bytes);
    }
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      await connection.run(`SET TimeZone = 'UTC'`);
      await connection.run('CREATE SCHEMA test');
      const glob = join(dir, 'test', 'reading_windows_partials', '**', '*.parquet');
      await connection.run(
        files.size === 0
          ? `CREATE VIEW test.reading_windows_partials AS SELECT NULL::TIMESTAMP AS window_start WHERE false`
          : `CREATE VIEW test.reading_windows_partials AS SELECT * FROM read_parquet('${glob}', hive_partitioning = false)`,
      );
      if (files.size === 0) return [];
      const select = aggregateViewSelect({ aggregate: job.output.aggregate!, dialect: SqlDialect.DuckDb, partials: 'test.reading_windows_partials', partitionKeys: [] });
      const reader = await connection.runAndReadAll(
        `SELECT CAST(epoch_ms(window_start) AS DOUBLE) AS ws, CAST(epoch_ms(window_end) AS DOUBLE) AS we, device_id,
                CAST(readings AS DOUBLE) AS readings, total, low, high, mean_humidity, CAST(sequences AS DOUBLE) AS sequences, median
         FROM (${select}) v`,
      );
      return reader.getRowObjectsJS() as Array<Record<string, unknown>>;
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const close = (actual: unknown, expected: number | null): boolean =>
  expected === null ? actual === null : typeof actual === 'number' && Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected));

async function check(s: Scenario, mutation: { renameKey?: (key: string) => string } = {}): Promise<void> {
  const { records, inputs } = makeRecords(s);
  const store = await simulateDeliveries({ ...s, job, records, ...mutation });
  const files = new Map<string, Uint8Array>();
  for await (const o of store.list('test/reading_windows_partials/')) files.set(o.key, (await store.get(o.key))!);
  const rows = await mergedView(files);
  const expected = singlePass(inputs);
  expect(rows.length, 'one merged row per window and device').toBe(expected.length);
  const byKey = new Map(rows.map((r) => [`${r['ws']}|${r['device_id']}`, r]));
  for (const e of expected) {
    const row = byKey.get(`${e.windowStart}|${e.device}`);
    expect(row, `window ${new Date(e.windowStart).toISOString()} of ${e.device}`).toBeDefined();
    expect(row!['we']).toBe(e.windowStart + WINDOW_MS);
    expect(row!['readings'], 'count').toBe(e.readings);
    expect(close(row!['total'], e.total), `sum ${String(row!['total'])} vs ${e.total}`).toBe(true);
    expect(row!['low'], 'min').toBe(e.low);
    expect(row!['high'], 'max').toBe(e.high);
    expect(close(row!['mean_humidity'], e.meanHumidity), `avg ${String(row!['mean_humidity'])} vs ${e.meanHumidity}`).toBe(true);
    // Fewer distinct values than the sketch keeps: the estimate is exact.
    expect(row!['sequences'], 'approx distinct').toBe(e.sequences);
    const median = row!['median'] as number;
    expect(Math.abs(median - e.median) <= 0.01 * Math.abs(e.median) + 1e-12, `median ${median} within 1 % of ${e.median}`).toBe(true);
  }
}

describe('aggregates under a simulated event source mapping', () => {
  it('the merged view equals a single-pass aggregation, for random batchings, failures, crashes and parallelization', async () => {
    const seed = process.env['FC_SEED'] ? Number(process.env['FC_SEED']) : undefined;
    await fc.assert(fc.asyncProperty(scenarios({ records: 80, devices: 4, failure: 0.4 }), (scenario) => check(scenario)), {
      numRuns: 40,
      ...(seed === undefined ? {} : { seed }),
      verbose: true,
    });
  }, 240_000);

  it('catches a broken rule: partials named by anything but their first record are counted twice', async () => {
    let writes = 0;
    const scenario: Scenario = { seed: 11, records: 60, devices: 2, parallelization: 1, maxBatch: 20, failure: 0.3, bisect: true, badEvery: 0 };
    await expect(check(scenario, { renameKey: (key) => key.replace('.parquet', `-${writes++}.parquet`) })).rejects.toThrow();
    await expect(check(scenario)).resolves.toBeUndefined();
  }, 60_000);
});
