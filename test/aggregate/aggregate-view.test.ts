/**
 * The merged view end to end on the local stack: batches through the real batch processor
 * into a local folder and catalog, read by the query engine with the job's view, as
 * `sluice query` does; and the Athena form of the same view.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import hourlyJob from '../../jobs/sensor-hourly.ts';
import { aggregateViews } from '../../src/aggregate/aggregate-views.ts';
import { athenaViewDdl } from '../../src/aggregate/athena-view-ddl.ts';
import { LocalCatalog } from '../../src/catalog/local-catalog.ts';
import { openQueryEngine } from '../../src/catalog/query-engine.ts';
import { createBatchProcessor } from '../../src/runtime/batch-processor.ts';
import { tableDescriptor } from '../../src/runtime/table-descriptor.ts';
import { LocalFolderStore } from '../../src/store/local-folder-store.ts';
import { senseHat, streamRecords } from '../helpers/records.ts';

describe('the merged view of an aggregate job', () => {
  it('merges the partials of separate batches into one row per window and device', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-view-'));
    try {
      const store = new LocalFolderStore({ root: join(dir, 'warehouse') });
      const catalog = new LocalCatalog({ dir: join(dir, 'catalog') });
      await catalog.ensureTable(tableDescriptor(hourlyJob, store));
      const process = createBatchProcessor({ job: hourlyJob, store, catalog });
      const readings = [
        senseHat({ client_id: 'a', timestamp: '2026-11-23 08:01:00', temperature: 20, humidity: 40, count: 1 }),
        senseHat({ client_id: 'a', timestamp: '2026-11-23 08:02:00', temperature: 24, humidity: null, count: 2 }),
        senseHat({ client_id: 'b', timestamp: '2026-11-23 08:03:00', temperature: 10, humidity: 50, count: 1 }),
        senseHat({ client_id: 'a', timestamp: '2026-11-23 08:04:00', temperature: 22, humidity: 60, count: 3 }),
        senseHat({ client_id: 'a', timestamp: '2026-11-23 08:07:00', temperature: 30, humidity: 30, count: 4 }),
      ];
      const records = streamRecords(readings);
      // Three batches with boundaries inside the same window: three partials for window 08:00 of 'a'.
      await process(records.slice(0, 2));
      await process(records.slice(2, 4));
      await process(records.slice(4));
      const engine = await openQueryEngine({ catalog, views: aggregateViews([hourlyJob]) });
      try {
        const partials = await engine.query('SELECT count(*) AS n FROM iot.sensor_hourly_partials');
        expect(partials.rows).toEqual([{ n: 4 }]);
        const merged = await engine.query('SELECT * FROM iot.sensor_hourly ORDER BY device_id, window_start');
        expect(merged.columns).toEqual([
          'window_start', 'window_end', 'device_id', 'readings',
          'min_temperature', 'max_temperature', 'avg_temperature', 'min_humidity', 'max_humidity', 'avg_humidity',
          'year', 'month', 'day', 'hour',
        ]);
        expect(merged.rows).toEqual([
          {
            window_start: '2026-11-23T08:00:00.000Z', window_end: '2026-11-23T08:05:00.000Z', device_id: 'a', readings: 3,
            min_temperature: 20, max_temperature: 24, avg_temperature: 22, min_humidity: 40, max_humidity: 60, avg_humidity: 50,
            year: '2026', month: '11', day: '23', hour: '08',
          },
          {
            window_start: '2026-11-23T08:05:00.000Z', window_end: '2026-11-23T08:10:00.000Z', device_id: 'a', readings: 1,
            min_temperature: 30, max_temperature: 30, avg_temperature: 30, min_humidity: 30, max_humidity: 30, avg_humidity: 30,
            year: '2026', month: '11', day: '23', hour: '08',
          },
          {
            window_start: '2026-11-23T08:00:00.000Z', window_end: '2026-11-23T08:05:00.000Z', device_id: 'b', readings: 1,
            min_temperature: 10, max_temperature: 10, avg_temperature: 10, min_humidity: 50, max_humidity: 50, avg_humidity: 50,
            year: '2026', month: '11', day: '23', hour: '08',
          },
        ]);
      } finally {
        engine.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('is absent until its partials table exists, so a query names the available tables', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-view-'));
    try {
      const engine = await openQueryEngine({ catalog: new LocalCatalog({ dir }), views: aggregateViews([hourlyJob]) });
      try {
        await expect(engine.query('SELECT * FROM iot.sensor_hourly')).rejects.toThrow(/run a job first/);
      } finally {
        engine.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('has an Athena form over the partials table the stack creates, in Trino SQL', () => {
    const ddl = athenaViewDdl(hourlyJob)!;
    expect(ddl).toMatch(/^CREATE OR REPLACE VIEW "iot"\."sensor_hourly" AS\nWITH p AS \(SELECT \* FROM "iot"\."sensor_hourly_partials"\)/);
    expect(ddl).toContain(`date_add('second', 300, b."window_start") AS "window_end"`);
    expect(ddl).toContain('CAST(SUM(p."readings") AS BIGINT) AS "readings"');
    expect(ddl).toContain('SUM(p."avg_temperature__sum") / CAST(NULLIF(SUM(p."avg_temperature__count"), 0) AS DOUBLE) AS "avg_temperature"');
    expect(ddl).not.toMatch(/INTERVAL \d+ SECOND|::/);
  });
});
