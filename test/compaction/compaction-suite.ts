import pMap from 'p-map';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/catalog/catalog.ts';
import { compactTable, type CompactTableOptions } from '../../src/compaction/compact-table.ts';
import { compactionLayout } from '../../src/compaction/compaction-layout.ts';
import { SkipReason } from '../../src/compaction/compaction-plan.ts';
import { PartitionStatus, type CompactionReport } from '../../src/compaction/compaction-report.ts';
import { parseState } from '../../src/compaction/compaction-state.ts';
import { CompactionError } from '../../src/errors.ts';
import { parquetRowCount } from '../../src/format/parquet-decode.ts';
import { createBatchProcessor } from '../../src/runtime/batch-processor.ts';
import type { ObjectInfo, ObjectStore, StreamingObjectStore } from '../../src/store/object-store.ts';
import { FaultTiming, faultyPorts, keysUnder, projectedJob, readingRecords, readingsJob, seedReadings, settledClock } from './compaction-fixtures.ts';

/**
 * A fresh store and catalog holding nothing, and how a reader sees the table through the
 * catalog: every row of the files in each registered partition's location.
 */
export interface CompactionFixture {
  readonly store: StreamingObjectStore;
  readonly catalog: Catalog;
  /** The rows readers see, each as canonical JSON (sorted keys, partition keys included), sorted. */
  visibleRows(): Promise<string[]>;
  cleanup(): Promise<void>;
}

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
const HOURS = ['2026-11-20T06', '2026-11-20T07'] as const;
const table = { database: readingsJob.output.database, name: readingsJob.output.name };
const layout = compactionLayout({ prefix: readingsJob.output.prefix, table: readingsJob.output.name });
const baseRoot = `${readingsJob.output.prefix}/${readingsJob.output.name}/`;
const compactedRoot = `${readingsJob.output.prefix}/_compacted/${readingsJob.output.name}/`;

const listAll = async (store: ObjectStore, prefix: string): Promise<ObjectInfo[]> => {
  const out: ObjectInfo[] = [];
  for await (const info of store.list(prefix)) out.push(info);
  return out;
};
const sizeOf = (files: readonly ObjectInfo[]) => files.reduce((total, f) => total + f.size, 0);
/** The `seq` column of canonical rows, to tell batches apart. */
const seqOf = (row: string) => (JSON.parse(row) as { seq: number | string }).seq;

/**
 * The compaction behaviour every store and catalog pair must show: rows kept exactly,
 * files merged and split by size, idempotent re-runs, no loss or double count under a crash
 * at any call, replaced files kept for the grace period, late data merged once, the
 * horizon respected.
 *
 * @example
 * ```ts
 * describeCompactionSuite('local folder + local catalog', async () => ({ store, catalog, visibleRows, cleanup }));
 * ```
 */
export function describeCompactionSuite(name: string, makeFixture: () => Promise<CompactionFixture>): void {
  describe(`compaction: ${name}`, () => {
    let fixture: CompactionFixture;
    beforeEach(async () => {
      fixture = await makeFixture();
    });
    afterEach(async () => {
      await fixture.cleanup();
    });
    const compact = (options: Partial<CompactTableOptions> = {}) =>
      compactTable({ job: readingsJob, store: fixture.store, catalog: fixture.catalog, now: settledClock(), ...options });

    it('merges each hour into one file, keeps the multiset of rows exactly and reports files, bytes and rows', async () => {
      await seedReadings(fixture, { hours: HOURS, batches: 6, perBatch: 40 });
      const before = await fixture.visibleRows();
      expect(before).toHaveLength(240);
      const baseFiles = await listAll(fixture.store, baseRoot);
      expect(baseFiles).toHaveLength(12);

      const report = await compact();

      expect(report.table).toBe('lab.readings');
      expect(report.partitions).toEqual({ seen: 2, compacted: 2, skipped: 0, failed: 0 });
      const parts = (await listAll(fixture.store, compactedRoot)).filter((f) => f.key.endsWith('.parquet'));
      expect(parts.map((f) => f.key.slice(compactedRoot.length))).toEqual([
        'year=2026/month=11/day=20/hour=06/g-000001/part-00000.parquet',
        'year=2026/month=11/day=20/hour=07/g-000001/part-00000.parquet',
      ]);
      expect(report.files).toEqual({ before: 12, after: 2, deleted: 0 });
      expect(report.bytes).toEqual({ before: sizeOf(baseFiles), after: sizeOf(parts) });
      expect(report.rows).toEqual({ before: 240, after: 240 });
      expect(await fixture.visibleRows()).toEqual(before);
      const locations = (await fixture.catalog.listPartitions(table)).map((p) => p.location).sort();
      expect(locations).toEqual(HOURS.map((h) => fixture.store.locationOf(layout.generationFolder(`year=2026/month=11/day=20/hour=${h.slice(-2)}`, 1))));
      // Replaced files stay for the grace period: a query that listed them before the swap still reads them.
      expect(await keysUnder(fixture.store, baseRoot)).toHaveLength(12);
    });

    it('splits a partition into ceil(bytes / target) files of similar row counts', async () => {
      await seedReadings(fixture, { hours: [HOURS[0]], batches: 8, perBatch: 50 });
      const before = await fixture.visibleRows();
      const inputBytes = sizeOf(await listAll(fixture.store, baseRoot));

      const report = await compact({ targetBytes: Math.ceil(inputBytes / 3) });

      const parts = (await listAll(fixture.store, compactedRoot)).filter((f) => f.key.endsWith('.parquet'));
      expect(parts).toHaveLength(3);
      expect(report.files.after).toBe(3);
      const counts: number[] = [];
      for (const part of parts) counts.push(parquetRowCount((await fixture.store.get(part.key))!));
      // Units cut the inputs' bytes evenly, a file across a boundary by rows in proportion: similar, not equal, counts.
      expect(counts.reduce((a, b) => a + b, 0)).toBe(400);
      for (const n of counts) expect(Math.abs(n - 400 / 3)).toBeLessThanOrEqual(10);
      expect(await fixture.visibleRows()).toEqual(before);
    });

    it('is idempotent: a second run compacts nothing, writes nothing, and readers see the same rows', async () => {
      await seedReadings(fixture, { hours: HOURS, batches: 3, perBatch: 30 });
      const before = await fixture.visibleRows();
      const now = settledClock();
      await compact({ now });
      const counting = faultyPorts(fixture.store, fixture.catalog, { failAt: 0, timing: FaultTiming.Before });

      const again = await compactTable({ job: readingsJob, store: counting.store, catalog: counting.catalog, now });

      expect(again.partitions).toEqual({ seen: 2, compacted: 0, skipped: 2, failed: 0 });
      expect(again.skipped).toEqual({ [SkipReason.NothingNew]: 2 });
      expect(again.files).toEqual({ before: 0, after: 0, deleted: 0 });
      expect(counting.operations().filter((op) => op !== 'get' && op !== 'getRange' && op !== 'list' && op !== 'listPartitions')).toEqual([]);
      expect(await fixture.visibleRows()).toEqual(before);
    });

    describe.each(Object.values(FaultTiming))('with a failure at each call in turn, %s it takes effect', (timing) => {
      it(
        'never shows readers anything but the original rows, and a clean re-run finishes with nothing lost or doubled',
        async () => {
          const seed = (ports: { store: StreamingObjectStore; catalog: Catalog }) => seedReadings(ports, { hours: HOURS, batches: 3, perBatch: 20 });
          // Grace 0: the clean runs also delete what was replaced, so those deletions meet the crashed runs' leftovers.
          const run = (ports: { store: StreamingObjectStore; catalog: Catalog }, now: Date) =>
            compactTable({ job: readingsJob, store: ports.store, catalog: ports.catalog, now, graceMs: 0 });
          await seed(fixture);
          const counting = faultyPorts(fixture.store, fixture.catalog, { failAt: 0, timing });
          await run(counting, settledClock());
          const callsOfACleanRun = counting.calls();
          expect(callsOfACleanRun).toBeGreaterThan(15);

          // Each k is a table of its own, so they run side by side.
          const ks = Array.from({ length: callsOfACleanRun }, (_, i) => i + 1);
          await pMap(ks, async (k) => {
            const attempt = await makeFixture();
            try {
              await seed(attempt);
              const original = await attempt.visibleRows();
              expect(original).toHaveLength(60);
              const now = settledClock();
              // Two crashed runs in a row, each failing at its k-th call, then two clean ones.
              for (const crash of [1, 2]) {
                // Readers are checked after every change the run makes, not only once it has stopped.
                const afterChange = async (operation: string, call: number) => {
                  expect(await attempt.visibleRows(), `crash at call ${k} ${timing}, run ${crash}: after call ${call} (${operation})`).toEqual(original);
                };
                const faulty = faultyPorts(attempt.store, attempt.catalog, { failAt: k, timing, afterChange });
                const report = await run(faulty, now).catch((error: unknown) => error);
                if (crash === 1) expect(faulty.fired(), `call ${k}`).toBe(true);
                if (faulty.fired() && !(report instanceof Error)) expect((report as CompactionReport).partitions.failed, `call ${k}, crash ${crash}`).toBe(1);
                expect(await attempt.visibleRows(), `call ${k} ${timing}, after crash ${crash}`).toEqual(original);
              }
              await run(attempt, now);
              expect(await attempt.visibleRows(), `call ${k} ${timing}, clean run`).toEqual(original);
              const last = await run(attempt, now);
              expect(last.partitions.compacted, `call ${k} ${timing}`).toBe(0);
              expect(await attempt.visibleRows(), `call ${k} ${timing}, second clean run`).toEqual(original);
              // Nothing left behind: every base file merged and deleted, only each partition's state and current generation remain.
              expect(await keysUnder(attempt.store, baseRoot), `call ${k} ${timing}`).toEqual([]);
              const current = new Set<string>();
              for (const partition of await attempt.catalog.listPartitions(table)) {
                for (const key of await keysUnder(attempt.store, `${relativeKey(attempt.store, partition.location)}/`)) current.add(key);
              }
              const leftovers = (await keysUnder(attempt.store, compactedRoot)).filter((key) => !key.endsWith('/_state.json') && !current.has(key));
              expect(leftovers, `call ${k} ${timing}`).toEqual([]);
            } finally {
              await attempt.cleanup();
            }
          }, { concurrency: 8 });
        },
        600_000,
      );
    });

    it('never reads what a crashed attempt left in the new generation, even when the next attempt writes fewer files', async () => {
      await seedReadings(fixture, { hours: [HOURS[0]], batches: 4, perBatch: 25 });
      const before = await fixture.visibleRows();
      const inputBytes = sizeOf(await listAll(fixture.store, baseRoot));
      const now = settledClock();
      // Dies at its commit point, after writing three files of generation 1.
      const counting = faultyPorts(fixture.store, fixture.catalog, { failAt: 0, timing: FaultTiming.Before });
      await compactTable({ job: readingsJob, store: counting.store, catalog: counting.catalog, now, targetBytes: Math.ceil(inputBytes / 3) });
      const commit = counting.operations().lastIndexOf('put') + 1;
      await fixture.cleanup();
      fixture = await makeFixture();
      await seedReadings(fixture, { hours: [HOURS[0]], batches: 4, perBatch: 25 });
      const crashing = faultyPorts(fixture.store, fixture.catalog, { failAt: commit, timing: FaultTiming.Before });
      await compactTable({ job: readingsJob, store: crashing.store, catalog: crashing.catalog, now, targetBytes: Math.ceil(inputBytes / 3) });
      const generation1 = `${layout.generationFolder('year=2026/month=11/day=20/hour=06', 1)}/`;
      const dataFiles = async () => (await keysUnder(fixture.store, generation1)).filter((key) => key.endsWith('.parquet')).map((key) => key.slice(generation1.length));
      expect(await dataFiles()).toEqual(['part-00000.parquet', 'part-00001.parquet', 'part-00002.parquet']);

      const report = await compact({ now });

      expect(report.files.after).toBe(1);
      expect(await dataFiles()).toEqual(['part-00000.parquet']);
      // The crashed attempt's plan and units went with its files: only the new plan's are there.
      expect((await keysUnder(fixture.store, generation1)).filter((key) => !key.endsWith('.parquet')).map((key) => key.slice(generation1.length))).toEqual([
        '_plan.json',
        '_units/u-00000.done.json',
        '_units/u-00000.json',
      ]);
      expect(await fixture.visibleRows()).toEqual(before);
    });

    it('deletes replaced files only once the grace period is over', async () => {
      await seedReadings(fixture, { hours: [HOURS[0]], batches: 4, perBatch: 10 });
      const before = await fixture.visibleRows();
      const baseKeys = await keysUnder(fixture.store, baseRoot);
      const t0 = settledClock();
      await compact({ now: t0, graceMs: HOUR_MS });

      const early = await compact({ now: new Date(t0.getTime() + 59 * MINUTE_MS), graceMs: HOUR_MS });
      expect(early.files.deleted).toBe(0);
      expect(await keysUnder(fixture.store, baseRoot)).toEqual(baseKeys);

      const due = await compact({ now: new Date(t0.getTime() + HOUR_MS), graceMs: HOUR_MS });
      expect(due.files.deleted).toBe(4);
      expect(await keysUnder(fixture.store, baseRoot)).toEqual([]);
      const state = parseState(await fixture.store.get(layout.stateKey('year=2026/month=11/day=20/hour=06')), 'state');
      expect(state?.retired).toEqual([]);
      expect(await fixture.visibleRows()).toEqual(before);
    });

    it('keeps late data invisible until the next compaction, which counts it exactly once', async () => {
      await seedReadings(fixture, { hours: HOURS, batches: 2, perBatch: 20, first: 1_000 });
      const original = await fixture.visibleRows();
      const t1 = settledClock();
      await compact({ now: t1 });
      // A late batch for the compacted 06 hour lands in the base folder, as a deployed handler writes it.
      await createBatchProcessor({ job: readingsJob, store: fixture.store, catalog: fixture.catalog })(
        readingRecords({ hours: [HOURS[0]], count: 7, first: 5_000 }),
      );
      expect(await fixture.visibleRows()).toEqual(original);

      const young = await compact({ now: new Date() });
      expect(young.skipped).toEqual({ [SkipReason.FilesWithinHorizon]: 1, [SkipReason.NothingNew]: 1 });
      expect(young.details.find((d) => d.partition.endsWith('hour=06'))?.waiting).toBe(1);
      expect(await fixture.visibleRows()).toEqual(original);

      const t2 = settledClock();
      const merged = await compact({ now: t2 });
      expect(merged.partitions.compacted).toBe(1);
      expect(merged.details.find((d) => d.partition.endsWith('hour=06'))).toMatchObject({ status: PartitionStatus.Compacted, generation: 2, filesBefore: 2, filesAfter: 1 });
      const after = await fixture.visibleRows();
      expect(after.filter((row) => Number(seqOf(row)) < 5_000)).toEqual(original);
      expect(after.filter((row) => Number(seqOf(row)) >= 5_000).map((row) => Number(seqOf(row))).sort()).toEqual([5000, 5001, 5002, 5003, 5004, 5005, 5006]);

      expect((await compact({ now: t2 })).partitions.compacted).toBe(0);
      expect(await fixture.visibleRows()).toEqual(after);

      // Past the grace period the first generation and the late file are gone; the rows are not.
      const cleaned = await compact({ now: new Date(t2.getTime() + 2 * HOUR_MS) });
      // 06: its two base files, then generation 1's file and the late file; 07: its two base files.
      expect(cleaned.files.deleted).toBe(2 + 1 + 1 + 2);
      expect(await keysUnder(fixture.store, `${layout.baseFolder('year=2026/month=11/day=20/hour=06')}/`)).toEqual([]);
      expect(await keysUnder(fixture.store, `${layout.generationFolder('year=2026/month=11/day=20/hour=06', 1)}/`)).toEqual([]);
      expect(await fixture.visibleRows()).toEqual(after);
    });

    it('leaves files younger than the horizon, and hours that ended within it, alone', async () => {
      await seedReadings(fixture, { hours: HOURS, batches: 2, perBatch: 10 });
      const current = new Date().toISOString().slice(0, 13);
      await createBatchProcessor({ job: readingsJob, store: fixture.store, catalog: fixture.catalog })(
        readingRecords({ hours: [current], count: 3, first: 9_000 }),
      );
      const before = await fixture.visibleRows();
      const counting = faultyPorts(fixture.store, fixture.catalog, { failAt: 0, timing: FaultTiming.Before });

      const report = await compactTable({ job: readingsJob, store: counting.store, catalog: counting.catalog, now: new Date() });

      expect(report.partitions).toEqual({ seen: 3, compacted: 0, skipped: 3, failed: 0 });
      expect(report.skipped).toEqual({ [SkipReason.FilesWithinHorizon]: 2, [SkipReason.HourWithinHorizon]: 1 });
      expect(counting.operations().filter((op) => op === 'put' || op === 'putStream' || op === 'delete' || op === 'setPartitionLocations')).toEqual([]);
      expect(await fixture.visibleRows()).toEqual(before);

      // A horizon given explicitly replaces the job's: with none, the old hours' files are settled at once.
      const forced = await compact({ now: new Date(Date.now() + 1_000), horizonMs: 0 });
      expect(forced.partitions.compacted).toBe(2);
      expect(forced.skipped).toEqual({ [SkipReason.HourWithinHorizon]: 1 });
      expect(await fixture.visibleRows()).toEqual(before);
    });

    it('refuses a partition-projected table, saying why and what to do', async () => {
      const attempt = compactTable({ job: projectedJob, store: fixture.store, catalog: fixture.catalog, now: new Date() });
      await expect(attempt).rejects.toBeInstanceOf(CompactionError);
      await expect(attempt).rejects.toThrow(/partition projection.*remove `projection`/);
    });
  });
}

/** A location the store gave (`locationOf`) back to its key. */
export function relativeKey(store: ObjectStore, location: string): string {
  const root = store.locationOf('');
  return location.slice(root.length).replace(/^\/+/, '');
}
