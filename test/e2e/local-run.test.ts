/**
 * End to end on the embedded Kinesis server: produce good and malformed records, run the
 * job, stop it midway, crash it mid-batch (files written, checkpoint not), restart it, then
 * read every Parquet file with DuckDB and with hyparquet.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import job from '../../jobs/sensor-readings.ts';
import { openLocalEnvironment, type LocalEnvironment } from '../../src/runtime/local-environment.ts';
import { runJob } from '../../src/runtime/local-runner.ts';
import { putRecords } from '../../src/kinesis/producer.ts';
import { ensureStream } from '../../src/kinesis/stream-admin.ts';
import { withMalformed } from '../../src/cli/simulate/malformed.ts';
import { senseHatMessages } from '../../src/cli/simulate/sense-hat.ts';
import { decodeRejects } from '../../src/format/rejects-ndjson.ts';
import { ObjectStoreError } from '../../src/errors.ts';
import type { ObjectStore } from '../../src/store/object-store.ts';
import { openQueryEngine } from '../../src/catalog/query-engine.ts';

type Message = Record<string, unknown> & { client_id: string; count: number };

// Hand-made messages for exact round trips: unicode, nulls, millisecond edges.
const special: Message[] = [
  { client_id: 'rpï-ünïcødé-温度-🙂', timestamp: '2026-11-20 00:00:00', humidity: null, temperature: -12.345678, pressure: 999.5, pitch: 0, roll: 0, yaw: 0, count: 1 },
  { client_id: 'rpi-edge', timestamp: '2026-11-20 23:59:59', humidity: 100, temperature: 59.999, pressure: 1100, pitch: 359.99, roll: 0.01, yaw: 180, count: 1 },
  { client_id: 'rpi-cold', timestamp: '2026-11-20 12:00:00', humidity: 10, temperature: -70, pressure: 1000, pitch: 1, roll: 1, yaw: 1, count: 1 },
];

let dir: string;
let env: LocalEnvironment;
let produced: Array<{ data: Uint8Array; partitionKey: string; message: Message; malformed: boolean }>;

const tableRoot = () => join(env.paths.warehouse, 'iot', 'sensor_readings');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-e2e-'));
  env = await openLocalEnvironment({ dir });
  await ensureStream(env.kinesis, { stream: 'iot-sensor', shards: 2 });
  const messages = [
    ...(senseHatMessages({ devices: 6, records: 3000, hours: 3, start: new Date('2026-11-20T06:00:00Z'), seed: 42 }) as Iterable<Message>),
    ...special,
  ];
  const encoded = withMalformed(messages, { rate: 0.01 });
  produced = encoded.map((e, i) => ({ data: e.data, partitionKey: messages[i]!.client_id, message: messages[i]!, malformed: e.malformed !== undefined }));
  await putRecords(env.kinesis, { stream: 'iot-sensor', records: produced.map(({ data, partitionKey }) => ({ data, partitionKey })) });
});

afterAll(async () => {
  await env?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A store that dies after `healthyPuts` writes, as a killed worker would: files written, no checkpoint. */
function dyingStore(inner: ObjectStore, healthyPuts: number, onDeath: () => void): ObjectStore {
  let puts = 0;
  return {
    put: async (key, body, options) => {
      if (++puts > healthyPuts) {
        onDeath();
        throw new ObjectStoreError('worker killed (test)');
      }
      await inner.put(key, body, options);
    },
    get: (key) => inner.get(key),
    list: (prefix) => inner.list(prefix),
    delete: (keys) => inner.delete(keys),
    locationOf: (key) => inner.locationOf(key),
  };
}

describe('sensor-readings end to end on the embedded Kinesis server', () => {
  it('runs, stops midway, crashes mid-batch, resumes, and writes every valid record once', async () => {
    const base = { job, kinesis: env.kinesis, catalog: env.catalog, checkpoints: env.checkpoints, failuresDir: join(dir, 'failures'), batchSize: 250, batchWindowSeconds: 0 };

    // 1. Stop after three committed batches (Ctrl-C).
    const stop = new AbortController();
    let batches = 0;
    const first = await runJob({ ...base, store: env.store, signal: stop.signal, onBatch: () => ++batches === 3 && stop.abort() });
    expect(first.records).toBeGreaterThan(0);
    expect(first.records).toBeLessThan(produced.length);

    // 2. Die mid-batch: some files of a batch written, the checkpoint not moved.
    const kill = new AbortController();
    const errors: unknown[] = [];
    await runJob({
      ...base,
      store: dyingStore(env.store, 7, () => kill.abort()),
      signal: kill.signal,
      untilCaughtUp: true,
      onEvent: (e) => e.type === 'handler-error' && errors.push(e.error),
    });
    expect(String(errors[0])).toMatch(/worker killed/);

    // 3. Restart and catch up.
    const last = await runJob({ ...base, store: env.store, untilCaughtUp: true });
    expect(last.records).toBeGreaterThan(0);
  });

  const valid = () => produced.filter((p) => !p.malformed && (p.message['temperature'] as number) > -60);

  it('DuckDB reads every valid record exactly once, with exact values', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    await c.run("SET TimeZone = 'UTC'");
    const glob = `${tableRoot()}/**/*.parquet`;
    const read = `read_parquet('${glob}', hive_partitioning = true, hive_types = {'year': VARCHAR, 'month': VARCHAR, 'day': VARCHAR, 'hour': VARCHAR})`;
    const counts = (await c.runAndReadAll(`SELECT count(*) AS n, count(DISTINCT (device_id, reading_seq)) AS d FROM ${read}`)).getRowObjectsJS()[0]!;
    expect(Number(counts['n'])).toBe(valid().length);
    expect(Number(counts['d'])).toBe(valid().length);

    const rows = (
      await c.runAndReadAll(
        `SELECT device_id, reading_seq, epoch_ms(event_time) AS t, temperature_c, temperature_f, humidity, orientation.yaw AS yaw, year, month, day, hour FROM ${read}`,
      )
    ).getRowObjectsJS();
    c.closeSync();
    db.closeSync();
    const byId = new Map(rows.map((r) => [`${r['device_id']}#${r['reading_seq']}`, r]));
    for (const { message } of valid()) {
      const row = byId.get(`${message.client_id}#${message.count}`);
      expect(row, `${message.client_id}#${message.count}`).toBeDefined();
      const ts = String(message['timestamp']);
      expect(Number(row!['t'])).toBe(Date.parse(`${ts.replace(' ', 'T')}Z`));
      expect(row!['temperature_c']).toBe(message['temperature']);
      expect(row!['humidity']).toBe(message['humidity']);
      expect(row!['yaw']).toBe(message['yaw']);
      expect([row!['year'], row!['month'], row!['day'], row!['hour']].join('-')).toBe(ts.slice(0, 13).replace(' ', '-'));
    }
    expect(byId.get('rpï-ünïcødé-温度-🙂#1')!['humidity']).toBeNull();
    expect(byId.has('rpi-cold#1')).toBe(false);
  });

  it('hyparquet, an independent reader, reads the same rows', async () => {
    const keys: string[] = [];
    for await (const o of env.store.list('iot/sensor_readings/')) keys.push(o.key);
    expect(keys.length).toBeGreaterThan(3);
    const seen: string[] = [];
    for (const key of keys) {
      const bytes = await readFile(join(env.paths.warehouse, key));
      const rows = (await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, compressors })) as Array<Record<string, unknown>>;
      for (const row of rows) {
        seen.push(`${row['device_id']}#${Number(row['reading_seq'])}`);
        expect(row['event_time']).toBeInstanceOf(Date);
      }
    }
    expect(seen.length).toBe(valid().length);
    expect(new Set(seen).size).toBe(seen.length);
    expect(new Set(seen)).toEqual(new Set(valid().map((p) => `${p.message.client_id}#${p.message.count}`)));
  });

  it('every malformed record is in rejects with its reason and its exact bytes', async () => {
    const lines = [];
    for await (const o of env.store.list('iot/_rejects/sensor_readings/')) lines.push(...decodeRejects((await env.store.get(o.key))!));
    const malformed = produced.filter((p) => p.malformed);
    expect(malformed.length).toBe(30);
    expect(lines.length).toBe(malformed.length);
    expect(new Set(lines.map((l) => l.sequenceNumber)).size).toBe(lines.length);
    expect(new Set(lines.map((l) => l.data))).toEqual(new Set(malformed.map((m) => Buffer.from(m.data).toString('base64'))));
    expect(new Set(lines.map((l) => l.stage))).toEqual(new Set(['json', 'utf8', 'validation', 'step']));
    for (const line of lines) {
      expect(line.reason.length).toBeGreaterThan(10);
      expect(line.shardId).toMatch(/^shardId-/);
      expect(Number.isFinite(Date.parse(line.arrivalTime))).toBe(true);
    }
    expect(lines.find((l) => l.stage === 'validation')!.reason).toMatch(/temperature: |client_id: /);
  });

  it('sluice query sees the registered partitions', async () => {
    const engine = await openQueryEngine({ catalog: env.catalog });
    try {
      const result = await engine.query('SELECT count(*) AS n, min(hour) AS first_hour FROM iot.sensor_readings');
      expect(result.rows[0]!['n']).toBe(valid().length);
      expect(result.rows[0]!['first_hour']).toBe('00');
    } finally {
      engine.close();
    }
  });
});
