/**
 * Compaction's memory does not grow with the partition: hours of very different sizes are
 * compacted in child processes of their own, whose peak RSS is measured by the kernel.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import sensorHourly from '../../jobs/sensor-hourly.ts';
import { aggregateViews } from '../../src/aggregate/aggregate-views.ts';
import { LocalCatalog } from '../../src/catalog/local-catalog.ts';
import { openQueryEngine } from '../../src/catalog/query-engine.ts';
import type { CompactionReport } from '../../src/compaction/compaction-report.ts';
import type { UnitLimits } from '../../src/compaction/unit-limits.ts';
import { LocalFolderStore } from '../../src/store/local-folder-store.ts';
import { canonicalRows } from './canonical-rows.ts';
import { seedHour } from './hour-workload.ts';

const CHILD = resolve(import.meta.dirname, 'compaction-memory-child.ts');
const ROOT = resolve(import.meta.dirname, '../..');
/**
 * Small row groups and read chunks, so that both hours below span many of them: memory then
 * depends on these limits, which are the same for both, and on nothing else.
 */
const LIMITS: Partial<UnitLimits> = { rowGroupRows: 16_384, chunkRows: 4_096 };
/**
 * The child's JS heap is capped: holding the larger hour's rows as objects (0.7 KB each)
 * would not fit, so the run itself proves nothing grows with the rows. The cap also makes
 * V8 collect garbage as it goes rather than when it pleases, so the two peaks compare the
 * memory compaction needs, not how far the collector let garbage pile up.
 */
const NODE_FLAGS = ['--max-old-space-size=96', '--max-semi-space-size=2'];
const SIZES = [30_000, 240_000] as const;

interface ChildRun {
  readonly maxRssMb: number;
  readonly reports: readonly CompactionReport[];
}

function compactInChild(root: string): Promise<ChildRun> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [...NODE_FLAGS, '--conditions=sluice-source', '--import', 'tsx', CHILD, root, JSON.stringify(LIMITS), 'sensor-readings', 'sensor-hourly'], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', fail);
    child.on('close', (code) => (code === 0 ? done(JSON.parse(stdout.trim().split('\n').at(-1)!) as ChildRun) : fail(new Error(`compaction child exited ${code}:\n${stderr}`))));
  });
}

/** What readers see: the plain table's count and checksums, and the aggregate's merged view. */
async function readersSee(catalog: LocalCatalog): Promise<{ readings: unknown; hourly: string[] }> {
  const engine = await openQueryEngine({ catalog, views: aggregateViews([sensorHourly]) });
  try {
    const readings = (
      await engine.query('SELECT count(*) AS n, count(DISTINCT (device_id, reading_seq)) AS distinct_rows, sum(reading_seq) AS seq_sum, sum(temperature_c) AS t_sum FROM iot.sensor_readings')
    ).rows[0];
    const view = `${sensorHourly.output.aggregate!.view.database}.${sensorHourly.output.aggregate!.view.name}`;
    // Rounded: merged partial sums are added in another order than the view adds the unmerged ones.
    const hourly = (await engine.query(`SELECT * REPLACE (round(avg_temperature, 9) AS avg_temperature, round(avg_humidity, 9) AS avg_humidity) FROM ${view}`)).rows;
    return { readings: { ...readings, t_sum: Math.round(Number(readings?.['t_sum']) * 1000) }, hourly: canonicalRows(hourly) };
  } finally {
    engine.close();
  }
}

describe('compaction memory', () => {
  it(
    `compacts hours of ${SIZES.join(' and ')} records within the same peak RSS, every row once, the aggregate view unchanged`,
    async () => {
      const peaks: number[] = [];
      for (const records of SIZES) {
        const root = await mkdtemp(join(tmpdir(), 'sluice-compaction-memory-'));
        try {
          const catalog = new LocalCatalog({ dir: join(root, 'catalog') });
          const seeded = await seedHour({ store: new LocalFolderStore({ root: join(root, 'warehouse') }), catalog }, { records });
          const before = await readersSee(catalog);
          expect(before.readings).toMatchObject({ n: records, distinct_rows: records, seq_sum: seeded.seqSum });

          const run = await compactInChild(root);

          const [readings, hourly] = run.reports;
          expect(readings).toMatchObject({ partitions: { compacted: 1, failed: 0 }, files: { before: seeded.batches, after: 1 }, rows: { before: records, after: records } });
          expect(hourly).toMatchObject({ partitions: { compacted: 1, failed: 0 }, files: { before: seeded.batches, after: 1 } });
          // One row per window and device: 12 five-minute windows, 50 devices.
          expect(hourly!.rows.after).toBe(before.hourly.length);
          expect(before.hourly).toHaveLength(12 * 50);
          expect(await readersSee(catalog)).toEqual(before);
          peaks.push(run.maxRssMb);
        } finally {
          await rm(root, { recursive: true, force: true });
        }
      }
      const [small, large] = peaks as [number, number];
      // Node, the modules and the limits above take about 140 MB here; 8x the rows may not add more than noise.
      expect(small, `peak RSS at ${SIZES[0]} records`).toBeLessThan(220);
      expect(large, `peak RSS at ${SIZES[1]} records`).toBeLessThan(220);
      expect(Math.abs(large - small), `peak RSS ${small.toFixed(0)} MB -> ${large.toFixed(0)} MB`).toBeLessThan(24);
    },
    120_000,
  );
});
