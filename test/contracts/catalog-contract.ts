import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Catalog, PartitionDescriptor, TableDescriptor, TableRef } from '../../src/catalog/catalog.ts';
import { CatalogError, CatalogSchemaMismatchError } from '../../src/errors.ts';
import type { Column } from '../../src/schema/column-model.ts';

/** A fresh, empty catalog for one test, and how to name table and partition locations in it. */
export interface CatalogFixture {
  readonly catalog: Catalog;
  /** The URI an adapter expects for a path under the warehouse: a local folder, `s3://bucket/...`. */
  locationFor(path: string): string;
  cleanup(): Promise<void>;
}

const DATABASE = 'contract_db';
const HOUR_KEYS = ['year', 'month', 'day', 'hour'] as const;

const baseColumns: readonly Column[] = [
  { name: 'device_id', type: { kind: 'string', dictionary: false }, nullable: false },
  { name: 'event_time', type: { kind: 'timestamp', source: 'date' }, nullable: false },
  { name: 'temperature_c', type: { kind: 'double' }, nullable: true },
];

/**
 * The behaviour every Catalog adapter must show (see the port in src/catalog/catalog.ts).
 * Each test gets a fresh catalog from `makeCatalog` and cleans it up afterwards.
 *
 * @example
 * ```ts
 * describeCatalogContract('LocalCatalog', async () => {
 *   const dir = await mkdtemp(join(tmpdir(), 'sluice-catalog-'));
 *   return { catalog: new LocalCatalog({ dir }), locationFor: (p) => join(dir, p),
 *            cleanup: () => rm(dir, { recursive: true, force: true }) };
 * });
 * ```
 */
export function describeCatalogContract(name: string, makeCatalog: () => Promise<CatalogFixture>): void {
  describe(`Catalog contract: ${name}`, () => {
    let fixture: CatalogFixture;
    let catalog: Catalog;

    beforeEach(async () => {
      fixture = await makeCatalog();
      catalog = fixture.catalog;
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    const tableNamed = (table: string, overrides: Partial<TableDescriptor> = {}): TableDescriptor => ({
      database: DATABASE,
      name: table,
      location: fixture.locationFor(`warehouse/${table}`),
      columns: baseColumns,
      partitionKeys: HOUR_KEYS,
      ...overrides,
    });
    const ref = (table: TableDescriptor): TableRef => ({ database: table.database, name: table.name });
    const partitionOf = (table: TableDescriptor, values: readonly string[]): PartitionDescriptor => ({
      values,
      location: `${table.location}/${HOUR_KEYS.map((key, i) => `${key}=${values[i]}`).join('/')}`,
    });

    describe('tables', () => {
      it('ensureTable creates the table and getTable returns it as declared', async () => {
        const table = tableNamed('readings');
        await catalog.ensureTable(table);
        expect(await catalog.getTable(ref(table))).toEqual(table);
      });

      it('ensureTable is idempotent: the same table twice is one unchanged table', async () => {
        const table = tableNamed('readings');
        await catalog.ensureTable(table);
        await catalog.registerPartitions(ref(table), [partitionOf(table, ['2026', '01', '02', '03'])]);
        await catalog.ensureTable(table);
        expect(await catalog.getTable(ref(table))).toEqual(table);
        expect((await catalog.listTables()).filter((t) => t.name === table.name)).toHaveLength(1);
        expect(await catalog.listPartitions(ref(table))).toHaveLength(1);
      });

      it('getTable of an unknown table is undefined', async () => {
        expect(await catalog.getTable({ database: DATABASE, name: 'no_such_table' })).toBeUndefined();
        expect(await catalog.getTable({ database: 'no_such_database', name: 'readings' })).toBeUndefined();
      });

      it('listTables returns every table, across databases', async () => {
        const a = tableNamed('readings');
        const b = tableNamed('alerts', { columns: baseColumns.slice(0, 2) });
        const c = tableNamed('readings', { database: `${DATABASE}_other` });
        for (const table of [a, b, c]) await catalog.ensureTable(table);
        const listed = await catalog.listTables();
        const byName = (t: TableDescriptor) => `${t.database}.${t.name}`;
        expect(listed.map(byName).sort()).toEqual([a, b, c].map(byName).sort());
        expect(listed.find((t) => byName(t) === byName(b))).toEqual(b);
      });
    });

    describe('partitions', () => {
      it('registers partitions and lists them with their values and locations', async () => {
        const table = tableNamed('readings');
        await catalog.ensureTable(table);
        const partitions = [partitionOf(table, ['2026', '01', '02', '03']), partitionOf(table, ['2026', '01', '02', '04'])];
        await catalog.registerPartitions(ref(table), partitions);
        expect(sortPartitions(await catalog.listPartitions(ref(table)))).toEqual(sortPartitions(partitions));
      });

      it('registerPartitions is idempotent: a partition registered twice is listed once', async () => {
        const table = tableNamed('readings');
        await catalog.ensureTable(table);
        const partition = partitionOf(table, ['2026', '01', '02', '03']);
        await catalog.registerPartitions(ref(table), [partition]);
        await catalog.registerPartitions(ref(table), [partition]);
        await catalog.registerPartitions(ref(table), [partition, partition]);
        expect(await catalog.listPartitions(ref(table))).toEqual([partition]);
      });

      it('keeps zero-padded values as strings', async () => {
        const table = tableNamed('readings');
        await catalog.ensureTable(table);
        await catalog.registerPartitions(ref(table), [partitionOf(table, ['2026', '01', '02', '03'])]);
        const [listed] = await catalog.listPartitions(ref(table));
        expect(listed?.values).toEqual(['2026', '01', '02', '03']);
      });

      it('loses nothing when 50 registerPartitions calls run at once', async () => {
        const table = tableNamed('readings');
        await catalog.ensureTable(table);
        const partitions = Array.from({ length: 50 }, (_, i) =>
          partitionOf(table, ['2026', '01', pad(1 + Math.floor(i / 24)), pad(i % 24)]),
        );
        await Promise.all(partitions.map((p) => catalog.registerPartitions(ref(table), [p])));
        const listed = await catalog.listPartitions(ref(table));
        expect(listed).toHaveLength(50);
        expect(sortPartitions(listed)).toEqual(sortPartitions(partitions));
      });

      it('rejects registering partitions of a table that does not exist with CatalogError', async () => {
        const missing = tableNamed('never_created');
        const attempt = catalog.registerPartitions(ref(missing), [partitionOf(missing, ['2026', '01', '02', '03'])]);
        await expect(attempt).rejects.toBeInstanceOf(CatalogError);
        expect(await catalog.getTable(ref(missing))).toBeUndefined();
      });
    });

    describe('partition locations', () => {
      const moved = (partition: PartitionDescriptor, folder: string): PartitionDescriptor => ({
        values: partition.values,
        location: `${partition.location.replace('/warehouse/', '/compacted/')}/${folder}`,
      });

      it('setPartitionLocations moves registered partitions and leaves the others where they are', async () => {
        const table = tableNamed('readings');
        await catalog.ensureTable(table);
        const [a, b] = [partitionOf(table, ['2026', '01', '02', '03']), partitionOf(table, ['2026', '01', '02', '04'])];
        await catalog.registerPartitions(ref(table), [a!, b!]);
        await catalog.setPartitionLocations(ref(table), [moved(a!, 'g-000001')]);
        expect(sortPartitions(await catalog.listPartitions(ref(table)))).toEqual([moved(a!, 'g-000001'), b]);
        await catalog.setPartitionLocations(ref(table), [moved(a!, 'g-000002')]);
        expect(sortPartitions(await catalog.listPartitions(ref(table)))).toEqual([moved(a!, 'g-000002'), b]);
      });

      it('setPartitionLocations creates partitions that are not registered, and is idempotent', async () => {
        const table = tableNamed('readings');
        await catalog.ensureTable(table);
        const partition = moved(partitionOf(table, ['2026', '01', '02', '03']), 'g-000001');
        await catalog.setPartitionLocations(ref(table), [partition]);
        await catalog.setPartitionLocations(ref(table), [partition]);
        expect(await catalog.listPartitions(ref(table))).toEqual([partition]);
      });

      it('registerPartitions of a moved partition does not move it back', async () => {
        const table = tableNamed('readings');
        await catalog.ensureTable(table);
        const base = partitionOf(table, ['2026', '01', '02', '03']);
        await catalog.registerPartitions(ref(table), [base]);
        await catalog.setPartitionLocations(ref(table), [moved(base, 'g-000001')]);
        await catalog.registerPartitions(ref(table), [base]);
        expect(await catalog.listPartitions(ref(table))).toEqual([moved(base, 'g-000001')]);
      });

      it('sets the locations of 150 partitions in one call', async () => {
        const table = tableNamed('readings');
        await catalog.ensureTable(table);
        const partitions = Array.from({ length: 150 }, (_, i) => partitionOf(table, ['2026', '01', pad(1 + Math.floor(i / 24)), pad(i % 24)]));
        await catalog.registerPartitions(ref(table), partitions.slice(0, 100));
        await catalog.setPartitionLocations(ref(table), partitions.map((p) => moved(p, 'g-000001')));
        expect(sortPartitions(await catalog.listPartitions(ref(table)))).toEqual(sortPartitions(partitions.map((p) => moved(p, 'g-000001'))));
      });

      it('rejects setting locations in a table that does not exist with CatalogError', async () => {
        const missing = tableNamed('never_created');
        const attempt = catalog.setPartitionLocations(ref(missing), [partitionOf(missing, ['2026', '01', '02', '03'])]);
        await expect(attempt).rejects.toBeInstanceOf(CatalogError);
        expect(await catalog.getTable(ref(missing))).toBeUndefined();
      });
    });

    describe('schema evolution', () => {
      const humidity: Column = { name: 'humidity', type: { kind: 'double' }, nullable: true };

      it('accepts new nullable columns at the end and updates the table, keeping its partitions', async () => {
        const table = tableNamed('readings');
        await catalog.ensureTable(table);
        const partition = partitionOf(table, ['2026', '01', '02', '03']);
        await catalog.registerPartitions(ref(table), [partition]);
        const evolved = tableNamed('readings', { columns: [...baseColumns, humidity] });
        await catalog.ensureTable(evolved);
        expect(await catalog.getTable(ref(table))).toEqual(evolved);
        expect(await catalog.listPartitions(ref(table))).toEqual([partition]);
      });

      const refused: ReadonlyArray<{ change: string; columns: readonly Column[]; named: string; why: RegExp }> = [
        {
          change: 'a type change',
          columns: baseColumns.map((c) => (c.name === 'temperature_c' ? { ...c, type: { kind: 'int64' as const } } : c)),
          named: 'temperature_c',
          why: /type/i,
        },
        {
          change: 'a removed column',
          columns: baseColumns.filter((c) => c.name !== 'temperature_c'),
          named: 'temperature_c',
          why: /removed/i,
        },
        {
          change: 'a new required column',
          columns: [...baseColumns, { ...humidity, nullable: false }],
          named: 'humidity',
          why: /required/i,
        },
        {
          change: 'a new column between existing ones',
          columns: [baseColumns[0]!, humidity, ...baseColumns.slice(1)],
          named: 'humidity',
          why: /between|after/i,
        },
        {
          change: 'reordered columns',
          columns: [baseColumns[1]!, baseColumns[0]!, baseColumns[2]!],
          named: 'device_id',
          why: /reorder/i,
        },
      ];

      it.each(refused)('refuses $change with CatalogSchemaMismatchError naming the column', async ({ columns, named, why }) => {
        const table = tableNamed('readings');
        await catalog.ensureTable(table);
        const attempt = catalog.ensureTable(tableNamed('readings', { columns }));
        await expect(attempt).rejects.toBeInstanceOf(CatalogSchemaMismatchError);
        await expect(attempt).rejects.toThrow(new RegExp(`'${named}'`));
        await expect(attempt).rejects.toThrow(why);
        expect(await catalog.getTable(ref(table))).toEqual(table);
      });

      it('refuses changed partition keys with CatalogSchemaMismatchError', async () => {
        const table = tableNamed('readings');
        await catalog.ensureTable(table);
        const attempt = catalog.ensureTable(tableNamed('readings', { partitionKeys: ['year', 'month', 'day'] }));
        await expect(attempt).rejects.toBeInstanceOf(CatalogSchemaMismatchError);
        await expect(attempt).rejects.toThrow(/partition keys/i);
        expect(await catalog.getTable(ref(table))).toEqual(table);
      });
    });
  });
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function sortPartitions(partitions: readonly PartitionDescriptor[]): PartitionDescriptor[] {
  return [...partitions].sort((a, b) => a.values.join('/').localeCompare(b.values.join('/')));
}
