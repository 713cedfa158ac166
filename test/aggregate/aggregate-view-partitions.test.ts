/**
 * The merged view passes the partials table's partition keys through, so a filter on them
 * prunes partitions: in DuckDB (`sluice query`), read back through the real batch processor
 * and query engine, and in the Athena view `sluice ddl` prints.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import hourlyJob from '../../jobs/sensor-hourly.ts';
import { aggregateViews } from '../../src/aggregate/aggregate-views.ts';
import { athenaViewDdl } from '../../src/aggregate/athena-view-ddl.ts';
import { LocalCatalog } from '../../src/catalog/local-catalog.ts';
import { openQueryEngine, type QueryEngine } from '../../src/catalog/query-engine.ts';
import { createBatchProcessor } from '../../src/runtime/batch-processor.ts';
import { tableDescriptor } from '../../src/runtime/table-descriptor.ts';
import { LocalFolderStore } from '../../src/store/local-folder-store.ts';
import { senseHat, streamRecords } from '../helpers/records.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const PARTITION_KEYS = ['year', 'month', 'day', 'hour'];

let dir: string;
let engine: QueryEngine;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-view-partitions-'));
  const store = new LocalFolderStore({ root: join(dir, 'warehouse') });
  const catalog = new LocalCatalog({ dir: join(dir, 'catalog') });
  await catalog.ensureTable(tableDescriptor(hourlyJob, store));
  const process = createBatchProcessor({ job: hourlyJob, store, catalog });
  // Two hours, so two partitions; device a twice in the 08:00 window, across two batches.
  const records = streamRecords([
    senseHat({ client_id: 'a', timestamp: '2026-11-23 08:01:00', temperature: 20, humidity: 40, count: 1 }),
    senseHat({ client_id: 'a', timestamp: '2026-11-23 09:02:00', temperature: 30, humidity: 50, count: 2 }),
    senseHat({ client_id: 'a', timestamp: '2026-11-23 08:03:00', temperature: 24, humidity: 60, count: 3 }),
  ]);
  await process(records.slice(0, 2));
  await process(records.slice(2));
  engine = await openQueryEngine({ catalog, views: aggregateViews([hourlyJob]) });
});

afterAll(async () => {
  engine?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the merged view of an aggregate job, in DuckDB', () => {
  it('ends with the partition keys, one merged row per window and group as before', async () => {
    const all = await engine.query('SELECT * FROM iot.sensor_hourly ORDER BY window_start');
    expect(all.columns.slice(-PARTITION_KEYS.length)).toEqual(PARTITION_KEYS);
    expect(all.rows.map((r) => [r['window_start'], r['readings'], r['year'], r['month'], r['day'], r['hour']])).toEqual([
      ['2026-11-23T08:00:00.000Z', 2, '2026', '11', '23', '08'],
      ['2026-11-23T09:00:00.000Z', 1, '2026', '11', '23', '09'],
    ]);
  });

  it('answers a filter on them from the matching partition only', async () => {
    const filtered = await engine.query(`SELECT window_start, readings, avg_temperature FROM iot.sensor_hourly WHERE year = '2026' AND hour = '08'`);
    expect(filtered.rows).toEqual([{ window_start: '2026-11-23T08:00:00.000Z', readings: 2, avg_temperature: 22 }]);
    // The filter reaches the scan of the partials table: only the 08 partition's two files (one
    // per batch) are read, not the 09 partition's.
    const plan = await engine.query(`EXPLAIN SELECT * FROM iot.sensor_hourly WHERE hour = '08'`);
    const text = plan.rows.map((r) => String(r['explain_value'])).join('\n');
    expect(text).toMatch(/File Filters:[\s│]*\(hour = '08'\)/);
    expect(text).toMatch(/Scanning Files: 2\/3/);
  });
});

describe('the merged view of an aggregate job, in Athena', () => {
  it('selects and groups by the partition keys, so Athena prunes on them', () => {
    const ddl = athenaViewDdl(hourlyJob)!;
    const keys = PARTITION_KEYS.map((k) => `"${k}"`);
    expect(ddl).toContain(`GROUP BY ${['"window_start"', '"device_id"', ...keys].map((k) => `p.${k}`).join(', ')}`);
    expect(ddl).toMatch(new RegExp(`${keys.map((k) => `b\\.${k}`).join(', ')}\\nFROM b`));
  });

  it('is printed by `sluice ddl` as whole statements, each ending in one semicolon', async () => {
    const { code, stdout, stderr } = await sluice(['ddl', 'sensor-hourly', '--bucket', 'acme-lake']);
    expect(code, stderr).toBe(0);
    expect(stdout).not.toContain(';;');
    const statements = stdout.split(/;\n/).map((s) => s.trim()).filter((s) => s !== '');
    expect(statements.map((s) => s.split('\n')[0])).toEqual(
      expect.arrayContaining(['CREATE EXTERNAL TABLE IF NOT EXISTS `iot`.`sensor_hourly_partials` (', 'CREATE OR REPLACE VIEW "iot"."sensor_hourly" AS']),
    );
    expect(stdout.trimEnd().endsWith(';')).toBe(true);
    expect(stdout).toContain(athenaViewDdl(hourlyJob));
  });
});

function sluice(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/sluice.js'), '--jobs', join(ROOT, 'jobs'), ...args], { cwd: dir, env: { ...process.env, CI: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}
