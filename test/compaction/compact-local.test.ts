import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openQueryEngine } from '../../src/catalog/query-engine.ts';
import { compactPartition } from '../../src/compaction/compact-partition.ts';
import { compactTable } from '../../src/compaction/compact-table.ts';
import { compactionLayout } from '../../src/compaction/compaction-layout.ts';
import { compactionSettings } from '../../src/compaction/compaction-settings.ts';
import { UnitLimitDefaults } from '../../src/compaction/unit-limits.ts';
import type { CompactionMerge } from '../../src/aggregate/compaction-merge.ts';
import sensorHourly from '../../jobs/sensor-hourly.ts';
import { aggregateViews } from '../../src/aggregate/aggregate-views.ts';
import { createBatchProcessor } from '../../src/runtime/batch-processor.ts';
import { tableDescriptor } from '../../src/runtime/table-descriptor.ts';
import { senseHat, streamRecords } from '../helpers/records.ts';
import { canonicalRows } from './canonical-rows.ts';
import { keysUnder, localPorts, readingsJob, seedReadings, settledClock, type LocalPorts } from './compaction-fixtures.ts';
import { describeCompactionSuite } from './compaction-suite.ts';

// Read back the way `sluice query` reads: DuckDB views over the registered partitions' locations.
describeCompactionSuite('local folder + local catalog, read by the query engine', async () => {
  const { store, catalog, cleanup } = await localPorts();
  return {
    store,
    catalog,
    visibleRows: async () => {
      const engine = await openQueryEngine({ catalog });
      try {
        return canonicalRows((await engine.query('SELECT * FROM lab.readings')).rows);
      } finally {
        engine.close();
      }
    },
    cleanup,
  };
});

describe('compaction on the local folder', () => {
  let ports: LocalPorts;
  let store: LocalPorts['store'];
  let catalog: LocalPorts['catalog'];
  beforeEach(async () => {
    ports = await localPorts();
    ({ store, catalog } = ports);
  });
  afterEach(() => ports.cleanup());
  const later = settledClock;

  it("applies the table's merge function: partial rows become one row per group", async () => {
    await seedReadings({ store, catalog }, { hours: ['2026-11-20T06'], batches: 5, perBatch: 20 });
    // A stand-in for an aggregate's merge: one row per device, `seq` holding how many rows it merged.
    const merge: CompactionMerge = {
      merger: () => {
        const byDevice = new Map<unknown, Record<string, unknown>>();
        return {
          add(rows) {
            for (const row of rows) {
              const merged = byDevice.get(row['device_id']);
              byDevice.set(row['device_id'], merged === undefined ? { ...row, seq: 1 } : { ...merged, seq: (merged['seq'] as number) + 1 });
            }
          },
          get size() {
            return byDevice.size;
          },
          finish: () => {
            const rows = [...byDevice.values()];
            byDevice.clear();
            return rows;
          },
        };
      },
    };
    const [partition] = await catalog.listPartitions({ database: 'lab', name: 'readings' });
    const outcome = await compactPartition(
      {
        store,
        catalog,
        table: { database: 'lab', name: 'readings' },
        columns: readingsJob.output.dataColumns,
        compression: 'zstd',
        layout: compactionLayout({ prefix: 'lab', table: 'readings' }),
        settings: compactionSettings(readingsJob),
        now: later(),
        merge,
        limits: UnitLimitDefaults,
      },
      { ...partition!, path: 'year=2026/month=11/day=20/hour=06', hourEnd: new Date('2026-11-20T07:00:00Z') },
    );
    expect(outcome).toMatchObject({ status: 'compacted', filesBefore: 5, filesAfter: 1, rowsBefore: 100, rowsAfter: 5 });
    const engine = await openQueryEngine({ catalog });
    try {
      const { rows } = await engine.query('SELECT device_id, seq FROM lab.readings ORDER BY device_id');
      expect(rows).toEqual(['dev-0', 'dev-1', 'dev-2', 'dev-3', 'dev-4'].map((device_id) => ({ device_id, seq: 20 })));
    } finally {
      engine.close();
    }
  });

  it('reports progress: once with the partition count, then after each partition', async () => {
    await seedReadings({ store, catalog }, { hours: ['2026-11-20T06', '2026-11-20T07', '2026-11-20T08'], batches: 1, perBatch: 9 });
    const seen: Array<[number, number, string | undefined]> = [];
    await compactTable({ job: readingsJob, store, catalog, now: later(), onProgress: ({ done, total, outcome }) => seen.push([done, total, outcome?.status]) });
    expect(seen).toEqual([[0, 3, undefined], [1, 3, 'compacted'], [2, 3, 'compacted'], [3, 3, 'compacted']]);
  });

  it('reports a partition it cannot read as failed, with the reason, and goes on with the others', async () => {
    await seedReadings({ store, catalog }, { hours: ['2026-11-20T06', '2026-11-20T07'], batches: 1, perBatch: 4 });
    const [broken] = await keysUnder(store, 'lab/readings/year=2026/month=11/day=20/hour=06/');
    await store.put(broken!, new TextEncoder().encode('not parquet'));
    const report = await compactTable({ job: readingsJob, store, catalog, now: later() });
    expect(report.partitions).toEqual({ seen: 2, compacted: 1, skipped: 0, failed: 1 });
    expect(report.details[0]).toMatchObject({ partition: 'year=2026/month=11/day=20/hour=06', status: 'failed' });
    expect(report.details[0]!.error).toMatch(new RegExp(`${broken} is not a readable Parquet file.*move it out`));
  });
});

describe('compaction of an aggregate table', () => {
  let ports: LocalPorts;
  beforeEach(async () => {
    ports = await localPorts();
    const { store, catalog } = ports;
    await catalog.ensureTable(tableDescriptor(sensorHourly, store));
    const process = createBatchProcessor({ job: sensorHourly, store, catalog });
    // 6 batches over 2 hours and 3 devices: every window and device gets partials from several batches.
    for (let batch = 0; batch < 6; batch++) {
      const documents = Array.from({ length: 40 }, (_, i) => {
        const minute = (batch * 40 + i) % 120;
        return senseHat({
          client_id: `rpi-${i % 3}`,
          count: batch * 40 + i,
          temperature: 15 + ((batch * 7 + i * 3) % 13) / 4,
          humidity: i % 5 === 0 ? null : 40 + (i % 9),
          timestamp: `2026-11-20 ${String(6 + Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}:00`,
        });
      });
      await process(streamRecords(documents, { first: 20_000 + batch * 40 }));
    }
  });
  afterEach(() => ports.cleanup());

  const view = `${sensorHourly.output.aggregate!.view.database}.${sensorHourly.output.aggregate!.view.name}`;
  const merged = async () => {
    const engine = await openQueryEngine({ catalog: ports.catalog, views: aggregateViews([sensorHourly]) });
    try {
      // Rounded: the view adds partial sums in another order once they are merged.
      const sql = `SELECT * REPLACE (round(avg_temperature, 9) AS avg_temperature, round(avg_humidity, 9) AS avg_humidity) FROM ${view}`;
      return canonicalRows((await engine.query(sql)).rows);
    } finally {
      engine.close();
    }
  };
  const later = () => new Date(Date.now() + 7 * 3_600_000);

  it('merges the partial aggregates into one row per window and group, and the merged view reads the same', async () => {
    const before = await merged();
    expect(before.length).toBe(2 * 12 * 3);

    const report = await compactTable({ job: sensorHourly, store: ports.store, catalog: ports.catalog, now: later() });

    expect(report.partitions).toMatchObject({ seen: 2, compacted: 2, failed: 0 });
    expect(report.rows.before).toBeGreaterThan(report.rows.after);
    expect(report.rows.after).toBe(before.length);
    expect(await merged()).toEqual(before);
  });

  it('holds at most the merge bound, across several units: some windows and groups twice, the view the same', async () => {
    const before = await merged();
    let inputBytes = 0;
    for await (const file of ports.store.list(`${sensorHourly.output.prefix}/${sensorHourly.output.name}/`)) inputBytes += file.size;
    // About three units per hour, each holding at most 5 windows and groups before it writes them out.
    const partials = (await compactTable({ job: sensorHourly, store: ports.store, catalog: ports.catalog, now: later(), horizonMs: 0, graceMs: 0, targetBytes: Math.ceil(inputBytes / 6), limits: { mergeRows: 5 } }))
      .rows;

    expect(partials.after).toBeGreaterThan(before.length);
    expect(partials.after).toBeLessThanOrEqual(partials.before);
    expect(await merged()).toEqual(before);

    // A later compaction, within one unit and the default bound, merges them down to one row per window and group.
    await createBatchProcessor({ job: sensorHourly, store: ports.store, catalog: ports.catalog })(
      streamRecords([senseHat({ client_id: 'rpi-0', count: 999, temperature: 20, timestamp: '2026-11-20 06:00:30' })], { first: 90_000 }),
    );
    const again = await compactTable({ job: sensorHourly, store: ports.store, catalog: ports.catalog, now: new Date(later().getTime() + 3_600_000), horizonMs: 0 });
    expect(again.partitions.compacted).toBe(1);
    expect(again.details.find((d) => d.status === 'compacted')!.rowsAfter).toBe(12 * 3);
    // The same windows and groups, the late reading counted once more.
    const readings = (rows: string[]) => rows.reduce((total, row) => total + Number((JSON.parse(row) as { readings: number }).readings), 0);
    const after = await merged();
    expect(after).toHaveLength(before.length);
    expect(readings(after)).toBe(readings(before) + 1);
  });
});
