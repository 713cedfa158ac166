import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PartitionDescriptor, TableDescriptor } from '../../src/catalog/catalog.ts';
import { LocalCatalog } from '../../src/catalog/local-catalog.ts';
import { openQueryEngine, type QueryEngine } from '../../src/catalog/query-engine.ts';
import { QueryError } from '../../src/errors.ts';
import type { Column } from '../../src/schema/column-model.ts';

const KEYS = ['year', 'month', 'day', 'hour'];
const columns: Column[] = [
  { name: 'device_id', type: { kind: 'string', dictionary: false }, nullable: false },
  { name: 'event_time', type: { kind: 'timestamp', source: 'date' }, nullable: false },
  { name: 'temperature_c', type: { kind: 'double' }, nullable: true },
];

describe('query engine over the local catalog', () => {
  let root: string;
  let engine: QueryEngine;
  let readings: TableDescriptor;

  const partitionAt = (table: TableDescriptor, hour: string): PartitionDescriptor => ({
    values: ['2026', '01', '02', hour],
    location: join(table.location, `year=2026/month=01/day=02/hour=${hour}`),
  });

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'sluice-query-engine-'));
    const table = (name: string, tableColumns: readonly Column[]): TableDescriptor => ({
      database: 'iot',
      name,
      location: join(root, 'warehouse', name),
      columns: tableColumns,
      partitionKeys: KEYS,
    });
    readings = table('readings', columns);
    // Declares a column no file has yet, as after adding a nullable column to the row schema.
    const evolved = table('evolved', [...columns, { name: 'humidity', type: { kind: 'double' }, nullable: true }]);
    const empty = table('empty', columns);

    const writer = await DuckDBInstance.create(':memory:');
    const connection = await writer.connect();
    const writeParquet = async (folder: string, file: string, select: string) => {
      await mkdir(folder, { recursive: true });
      await connection.run(`COPY (${select}) TO '${join(folder, file)}' (FORMAT parquet)`);
    };
    // Columns in another order than the table's, as a file may hold them; the view follows the table.
    const rowsAt = (hour: string, devices: string[]) =>
      devices
        .map(
          (device, i) =>
            `SELECT ${20 + i}.5::DOUBLE AS temperature_c, '${device}' AS device_id, ` +
            `TIMESTAMPTZ '2026-01-02 ${hour}:04:05.678+00' AS event_time`,
        )
        .join(' UNION ALL ');
    await writeParquet(partitionAt(readings, '03').location, 'shard-1.parquet', rowsAt('03', ['d-1', 'd-2']));
    await writeParquet(partitionAt(readings, '04').location, 'shard-1.parquet', rowsAt('04', ['d-3']));
    await writeParquet(partitionAt(evolved, '03').location, 'shard-1.parquet', rowsAt('03', ['d-9']));
    // A registered partition whose first file is not written yet: an empty folder, and no folder.
    await mkdir(partitionAt(readings, '05').location, { recursive: true });
    connection.closeSync();
    writer.closeSync();

    const catalog = new LocalCatalog({ dir: join(root, 'catalog') });
    for (const t of [readings, evolved, empty]) await catalog.ensureTable(t);
    // hour=04 is written but never registered: it must stay invisible.
    await catalog.registerPartitions(readings, [
      partitionAt(readings, '03'),
      partitionAt(readings, '05'),
      partitionAt(readings, '06'),
    ]);
    await catalog.registerPartitions(evolved, [partitionAt(evolved, '03')]);

    engine = await openQueryEngine({ catalog });
  });

  afterAll(async () => {
    engine?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('shows only registered partitions', async () => {
    const result = await engine.query('SELECT device_id FROM iot.readings ORDER BY device_id');
    expect(result.rows).toEqual([{ device_id: 'd-1' }, { device_id: 'd-2' }]);
  });

  it('types partition keys as VARCHAR, keeping zero padding, so string comparisons work as in Athena', async () => {
    const result = await engine.query(
      `SELECT DISTINCT year, month, day, hour, typeof(hour) AS hour_type FROM iot.readings WHERE hour = '03'`,
    );
    expect(result.rows).toEqual([{ year: '2026', month: '01', day: '02', hour: '03', hour_type: 'VARCHAR' }]);
  });

  it('returns the table columns in catalog order, then the partition keys', async () => {
    const result = await engine.query('SELECT * FROM iot.readings LIMIT 1');
    expect(result.columns).toEqual([...columns.map((c) => c.name), ...KEYS]);
  });

  it('returns timestamps as ISO-8601 UTC strings with milliseconds, and counts as numbers', async () => {
    const result = await engine.query(
      `SELECT min(event_time) AS first, count(*) AS n, sum(temperature_c) AS total FROM iot.readings`,
    );
    expect(result.rows).toEqual([{ first: '2026-01-02T03:04:05.678Z', n: 2, total: 42 }]);
  });

  it('reads a column the table declares but no file has yet as NULL', async () => {
    const result = await engine.query('SELECT device_id, humidity FROM iot.evolved');
    expect(result.rows).toEqual([{ device_id: 'd-9', humidity: null }]);
  });

  it('gives a table with no registered partitions an empty view with the table columns', async () => {
    const result = await engine.query('SELECT * FROM iot.empty');
    expect(result.rows).toEqual([]);
    expect(result.columns).toEqual([...columns.map((c) => c.name), ...KEYS]);
    const types = await engine.query(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'empty' ORDER BY ordinal_position`);
    expect(types.rows.map((r) => r['data_type'])).toEqual(['VARCHAR', 'TIMESTAMP WITH TIME ZONE', 'DOUBLE', 'VARCHAR', 'VARCHAR', 'VARCHAR', 'VARCHAR']);
  });

  it('converts DuckDB values to JSON-friendly ones', async () => {
    const result = await engine.query(
      `SELECT 9007199254740993::BIGINT AS big, 42::HUGEINT AS small, 1.25::DECIMAL(10, 2) AS price, ` +
        `[1, NULL, 3] AS list, {'a': 1, 'b': [TIMESTAMP '2026-01-02 03:04:05']} AS nested, NULL AS nothing, ` +
        `DATE '2026-01-02' AS day_only, true AS flag`,
    );
    expect(result.rows).toEqual([
      {
        big: '9007199254740993',
        small: 42,
        price: 1.25,
        list: [1, null, 3],
        nested: { a: 1, b: ['2026-01-02T03:04:05.000Z'] },
        nothing: null,
        day_only: '2026-01-02',
        flag: true,
      },
    ]);
  });

  it('keeps both values when a result repeats a column name', async () => {
    const result = await engine.query('SELECT 1 AS a, 2 AS a');
    expect(result.columns).toHaveLength(2);
    expect(result.columns.map((c) => result.rows[0]?.[c])).toEqual([1, 2]);
  });

  it('rejects a SQL error with QueryError carrying DuckDB message and the available tables', async () => {
    const attempt = engine.query('SELECT * FROM iot.no_such_table');
    await expect(attempt).rejects.toBeInstanceOf(QueryError);
    await expect(attempt).rejects.toThrow(/no_such_table/);
    await expect(attempt).rejects.toThrow(/iot\.empty, iot\.evolved, iot\.readings/);
  });

  it('refuses queries once closed, with QueryError', async () => {
    const catalog = new LocalCatalog({ dir: join(root, 'catalog') });
    const other = await openQueryEngine({ catalog });
    other.close();
    other.close();
    await expect(other.query('SELECT 1')).rejects.toBeInstanceOf(QueryError);
  });

  it('fails to open with QueryError naming the table when a partition holds a file that is not Parquet', async () => {
    const catalog = new LocalCatalog({ dir: join(root, 'broken-catalog') });
    const broken: TableDescriptor = { ...readings, name: 'broken', location: join(root, 'broken') };
    const partition = partitionAt(broken, '03');
    await mkdir(partition.location, { recursive: true });
    await writeFile(join(partition.location, 'garbage.parquet'), 'not parquet');
    await catalog.ensureTable(broken);
    await catalog.registerPartitions(broken, [partition]);
    const attempt = openQueryEngine({ catalog });
    await expect(attempt).rejects.toBeInstanceOf(QueryError);
    await expect(attempt).rejects.toThrow(/view of iot\.broken/);
  });

  it('says to run a job first when the catalog has no tables', async () => {
    const bare = await openQueryEngine({ catalog: new LocalCatalog({ dir: join(root, 'no-catalog') }) });
    try {
      await expect(bare.query('SELECT * FROM iot.readings')).rejects.toThrow(/no tables yet: run a job first/);
    } finally {
      bare.close();
    }
  });
});
