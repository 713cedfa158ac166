import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TableDescriptor } from '../../src/catalog/catalog.ts';
import { LocalCatalog } from '../../src/catalog/local-catalog.ts';
import { CatalogError } from '../../src/errors.ts';
import { describeCatalogContract } from '../contracts/catalog-contract.ts';

describeCatalogContract('LocalCatalog', async () => {
  const root = await mkdtemp(join(tmpdir(), 'sluice-local-catalog-'));
  return {
    catalog: new LocalCatalog({ dir: join(root, 'catalog') }),
    locationFor: (path) => join(root, path),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
});

describe('LocalCatalog files', () => {
  let root: string;
  let dir: string;
  let table: TableDescriptor;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'sluice-local-catalog-'));
    dir = join(root, 'catalog');
    table = {
      database: 'iot',
      name: 'readings',
      location: join(root, 'warehouse', 'readings'),
      columns: [{ name: 'device_id', type: { kind: 'string', dictionary: false }, nullable: false }],
      partitionKeys: ['year', 'month', 'day', 'hour'],
    };
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const partition = (hour: string) => ({
    values: ['2026', '01', '02', hour],
    location: join(table.location, `year=2026/month=01/day=02/hour=${hour}`),
  });

  it('keeps one JSON file per table at <dir>/<database>/<table>.json, readable by a new instance', async () => {
    await new LocalCatalog({ dir }).ensureTable(table);
    await new LocalCatalog({ dir }).registerPartitions(table, [partition('03')]);

    const stored = JSON.parse(await readFile(join(dir, 'iot', 'readings.json'), 'utf8'));
    expect(stored.table).toEqual(table);
    expect(Object.values(stored.partitions)).toEqual([partition('03')]);
    expect(await new LocalCatalog({ dir }).listPartitions(table)).toEqual([partition('03')]);
  });

  it('leaves no temporary files behind after concurrent writes', async () => {
    const catalog = new LocalCatalog({ dir });
    await catalog.ensureTable(table);
    const hours = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0'));
    await Promise.all(hours.map((h) => catalog.registerPartitions(table, [partition(h)])));
    expect(await readdir(join(dir, 'iot'))).toEqual(['readings.json']);
    expect(await catalog.listPartitions(table)).toHaveLength(24);
  });

  it('lists partitions in a stable order, whatever the registration order', async () => {
    const catalog = new LocalCatalog({ dir });
    await catalog.ensureTable(table);
    await catalog.registerPartitions(table, [partition('05'), partition('03')]);
    await catalog.registerPartitions(table, [partition('04')]);
    expect((await catalog.listPartitions(table)).map((p) => p.values[3])).toEqual(['03', '04', '05']);
  });

  it('updates the location when the warehouse moved, keeping partitions', async () => {
    const catalog = new LocalCatalog({ dir });
    await catalog.ensureTable(table);
    await catalog.registerPartitions(table, [partition('03')]);
    const moved = { ...table, location: join(root, 'elsewhere', 'readings') };
    await catalog.ensureTable(moved);
    expect((await catalog.getTable(table))?.location).toBe(moved.location);
    expect(await catalog.listPartitions(table)).toHaveLength(1);
  });

  it('refuses names that could leave the catalog folder, with CatalogError', async () => {
    const catalog = new LocalCatalog({ dir });
    await expect(catalog.ensureTable({ ...table, database: '../escape' })).rejects.toBeInstanceOf(CatalogError);
    await expect(catalog.getTable({ database: 'iot', name: 'a/b' })).rejects.toThrow(/lowercase letters, digits/);
    await expect(readdir(root)).resolves.toEqual([]);
  });

  it('refuses a partition whose values do not match the partition keys', async () => {
    const catalog = new LocalCatalog({ dir });
    await catalog.ensureTable(table);
    const attempt = catalog.registerPartitions(table, [{ values: ['2026', '01'], location: table.location }]);
    await expect(attempt).rejects.toBeInstanceOf(CatalogError);
    await expect(attempt).rejects.toThrow(/4 partition keys/);
    expect(await catalog.listPartitions(table)).toEqual([]);
  });

  it('reports a corrupt catalog file by path, with what to do', async () => {
    await mkdir(join(dir, 'iot'), { recursive: true });
    await writeFile(join(dir, 'iot', 'readings.json'), '{ not json');
    const attempt = new LocalCatalog({ dir }).getTable(table);
    await expect(attempt).rejects.toBeInstanceOf(CatalogError);
    await expect(attempt).rejects.toThrow(/readings\.json is not valid JSON.*delete it/);
  });

  it('lists nothing, without creating folders, when the catalog folder does not exist yet', async () => {
    expect(await new LocalCatalog({ dir }).listTables()).toEqual([]);
    await expect(readdir(root)).resolves.toEqual([]);
  });

  it('rejects listing partitions of an unknown table with CatalogError', async () => {
    await expect(new LocalCatalog({ dir }).listPartitions(table)).rejects.toBeInstanceOf(CatalogError);
  });
});
