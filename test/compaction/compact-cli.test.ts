/**
 * `sluice compact` as a user runs it: a separate process over the project folder that
 * `sluice run` writes, then `sluice query` over the result.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import job from '../../jobs/sensor-readings.ts';
import { LocalCatalog } from '../../src/catalog/local-catalog.ts';
import type { CompactionReport } from '../../src/compaction/compaction-report.ts';
import { createBatchProcessor } from '../../src/runtime/batch-processor.ts';
import { projectPaths } from '../../src/runtime/local-environment.ts';
import { tableDescriptor } from '../../src/runtime/table-descriptor.ts';
import { LocalMetricsLog } from '../../src/runtime/local-metrics-log.ts';
import { LocalFolderStore } from '../../src/store/local-folder-store.ts';
import { senseHat, streamRecords } from '../helpers/records.ts';
import { keysUnder } from './compaction-fixtures.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin', 'sluice.js');

let work: string;
let dir: string;

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

function sluice(args: string[]): Promise<Finished> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, '--dir', dir, '--jobs', join(ROOT, 'jobs'), ...args], { cwd: work, env: { ...process.env, CI: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'sluice-compact-cli-'));
  dir = join(work, 'state');
  // What `sluice run` leaves: 8 batches over two hours, one small file per hour per batch.
  const paths = projectPaths(dir);
  const store = new LocalFolderStore({ root: paths.warehouse });
  const catalog = new LocalCatalog({ dir: paths.catalog });
  await catalog.ensureTable(tableDescriptor(job, store));
  const process = createBatchProcessor({ job, store, catalog });
  for (let batch = 0; batch < 8; batch++) {
    const documents = Array.from({ length: 25 }, (_, i) =>
      senseHat({ client_id: `rpi-${i % 4}`, count: batch * 25 + i, timestamp: `2026-11-20 0${6 + (i % 2)}:${String(i).padStart(2, '0')}:00` }),
    );
    await process(streamRecords(documents, { first: 10_000 + batch * 25 }));
  }
});
afterAll(() => rm(work, { recursive: true, force: true }));

describe('sluice compact', () => {
  it('compacts the local warehouse, prints the report, and queries see the same rows', async () => {
    const count = async () => {
      const result = await sluice(['query', '--json', 'SELECT count(*) AS n, count(DISTINCT reading_seq) AS d, sum(reading_seq) AS s FROM iot.sensor_readings']);
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(result.stdout) as unknown;
    };
    const before = await count();
    expect(before).toEqual([{ n: 200, d: 200, s: (199 * 200) / 2 }]);

    // The files were just written: within the job's 6 h horizon, nothing is touched.
    const waiting = await sluice(['compact', 'sensor-readings', '--json']);
    expect(waiting.code, waiting.stderr).toBe(0);
    const untouched = JSON.parse(waiting.stdout) as CompactionReport;
    expect(untouched.partitions).toEqual({ seen: 2, compacted: 0, skipped: 2, failed: 0 });
    expect(untouched.skipped).toEqual({ 'files-within-horizon': 2 });

    const run = await sluice(['compact', 'sensor-readings', '--horizon', '0s', '--concurrency', '2', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as CompactionReport;
    expect(report.table).toBe('iot.sensor_readings');
    expect(report.partitions).toEqual({ seen: 2, compacted: 2, skipped: 0, failed: 0 });
    expect(report.files).toEqual({ before: 16, after: 2, deleted: 0 });
    expect(report.rows).toEqual({ before: 200, after: 200 });
    expect(report.bytes.after).toBeGreaterThan(0);
    // Progress goes to stderr as plain lines off a terminal; stdout is the report alone.
    expect(run.stderr).toMatch(/compacting iot\.sensor_readings/);
    expect(await count()).toEqual(before);
    // Each run is kept for sluice status's "last compaction", with the report's totals.
    const kept = await new LocalMetricsLog({ dir: projectPaths(dir).metrics }).compactions('sensor-readings');
    expect(kept.at(-1)).toMatchObject({ table: 'iot.sensor_readings', partitionsCompacted: 2, partitionsFailed: 0, filesIn: 16, filesOut: 2, bytesOut: report.bytes.after });

    const table = await sluice(['compact', 'sensor-readings', '--horizon', '0s', '--grace', '0s']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/year=2026\/month=11\/day=20\/hour=06 +│ skipped +│ +1 │ +│ +│ +│ +8 │ nothing-new/);
    expect(table.stdout).toMatch(/total: 2 partitions +│ 0 compacted, 2 skipped, 0 failed/);
    expect(table.stdout).toMatch(/│ +16 │/);
    expect(await keysUnder(new LocalFolderStore({ root: projectPaths(dir).warehouse }), 'iot/sensor_readings/')).toEqual([]);
    expect(await count()).toEqual(before);
  });

  it('reports a partition it cannot compact, compacts the others, and exits 1', async () => {
    const paths = projectPaths(dir);
    const store = new LocalFolderStore({ root: paths.warehouse });
    const process = createBatchProcessor({ job, store, catalog: new LocalCatalog({ dir: paths.catalog }) });
    // New rows in both hours, and a file in hour 07 that is not Parquet at all.
    await process(streamRecords([0, 1].map((i) => senseHat({ count: 500 + i, timestamp: `2026-11-20 0${6 + i}:30:00` })), { first: 20_000 }));
    await store.put('iot/sensor_readings/year=2026/month=11/day=20/hour=07/shardId-000000000000-29999.parquet', new TextEncoder().encode('not parquet'));

    const run = await sluice(['compact', 'sensor-readings', '--horizon', '0s', '--target-size', '64MiB', '--json']);
    expect(run.code, run.stderr).toBe(1);
    const report = JSON.parse(run.stdout) as CompactionReport;
    expect(report.partitions).toEqual({ seen: 2, compacted: 1, skipped: 0, failed: 1 });
    const failed = report.details.find((d) => d.status === 'failed');
    expect(failed?.partition).toBe('year=2026/month=11/day=20/hour=07');
    expect(run.stderr).toContain('could not be compacted');
  });

  it('says what is wrong with its options and exits 2', async () => {
    const bad = await sluice(['compact', 'sensor-readings', '--target-size', 'huge']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("expected a size such as 128MiB, 64MB or 1GiB, got 'huge'");
    const badHorizon = await sluice(['compact', 'sensor-readings', '--horizon', 'soon']);
    expect(badHorizon.code).toBe(2);
    expect(badHorizon.stderr).toContain("expected a duration such as 90s, 15m, 7h or 2d, got 'soon'");
    const badConcurrency = await sluice(['compact', 'sensor-readings', '--concurrency', '0']);
    expect(badConcurrency.code).toBe(2);
    expect(badConcurrency.stderr).toContain("expected a whole number from 1 to 64, got '0'");
  });
});
