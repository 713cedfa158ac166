import { DOUBLE, DuckDBInstance, LIST, type DuckDBConnection } from '@duckdb/node-api';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DISTINCT_SKETCH_SIZE,
  distinctEstimate,
  distinctState,
  mergeDistinctStates,
  type DistinctState,
} from '../../../src/aggregate/sketches/distinct-sketch.ts';
import {
  mergeQuantileStates,
  quantileOf,
  quantileState,
  type QuantileState,
} from '../../../src/aggregate/sketches/quantile-sketch.ts';
import { distinctMergeSql, quantileMergeSql, SqlDialect } from '../../../src/aggregate/sketches/sketch-sql.ts';

/** One partial row: two group columns (region may be NULL) and the lists of both sketches. */
interface Partial {
  readonly region: string | null;
  readonly hour: number;
  readonly values: number[] | null;
  readonly counts: number[] | null;
  readonly hashes: number[] | null;
}

const columns = { values: '"p95__values"', counts: '"p95__counts"', hashes: '"devices__hashes"' } as const;
const groupBy = ['"region"', '"hour"'];

const partial = (region: string | null, hour: number, readings: number[] | null, devices: unknown[] | null): Partial => {
  const q = readings === null ? null : quantileState(readings);
  return { region, hour, values: q?.values ?? null, counts: q?.counts ?? null, hashes: devices === null ? null : distinctState(devices).hashes };
};

let instance: DuckDBInstance;
let connection: DuckDBConnection;
let tables = 0;

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
});

afterAll(() => {
  connection.closeSync();
  instance.closeSync();
});

/** A fresh table of `rows`, written with the appender so doubles arrive bit for bit. */
async function partialsTable(rows: readonly Partial[]): Promise<string> {
  const name = `partials_${tables++}`;
  await connection.run(
    `CREATE TABLE ${name} (region VARCHAR, hour INTEGER, ${columns.values} DOUBLE[], ${columns.counts} DOUBLE[], ${columns.hashes} DOUBLE[])`,
  );
  const appender = await connection.createAppender(name);
  const list = (items: number[] | null) => (items === null ? appender.appendNull() : appender.appendList(items, LIST(DOUBLE)));
  for (const row of rows) {
    if (row.region === null) appender.appendNull();
    else appender.appendVarchar(row.region);
    appender.appendInteger(row.hour);
    list(row.values);
    list(row.counts);
    list(row.hashes);
    appender.endRow();
  }
  appender.closeSync();
  return name;
}

const groupKey = (region: unknown, hour: unknown) => JSON.stringify([region, Number(hour)]);

/** Estimates per group, as the JS side computes them from the merged states. */
function expectedByGroup<T>(rows: readonly Partial[], estimate: (group: readonly Partial[]) => T): Map<string, T> {
  const groups = new Map<string, Partial[]>();
  for (const row of rows) {
    const key = groupKey(row.region, row.hour);
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return new Map([...groups].map(([key, group]) => [key, estimate(group)]));
}

const quantileStateOf = (row: Partial): QuantileState => ({ values: row.values ?? [], counts: row.counts ?? [] });
const distinctStateOf = (row: Partial): DistinctState => ({ hashes: row.hashes ?? [] });

async function resultByGroup(sql: string, as: string): Promise<Map<string, unknown>> {
  const rows = (await connection.runAndReadAll(sql)).getRowObjectsJS();
  const byGroup = new Map(rows.map((row) => [groupKey(row['region'], row['hour']), row[as]]));
  expect(byGroup.size, 'one row per group').toBe(rows.length);
  return byGroup;
}

const reading = fc.oneof(
  fc.double({ min: -1e6, max: 1e6, noNaN: true }),
  fc.integer({ min: -50, max: 50 }),
  fc.constant(0),
);
const partialRow = fc
  .record({
    region: fc.constantFrom('eu', 'us', null),
    hour: fc.integer({ min: 0, max: 2 }),
    readings: fc.option(fc.array(reading, { maxLength: 40 }), { nil: null, freq: 6 }),
    devices: fc.option(fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 40 }), { nil: null, freq: 6 }),
  })
  .map((r) => partial(r.region, r.hour, r.readings, r.devices));
const partialRows = fc.array(partialRow, { minLength: 1, maxLength: 25 });
const quantile = fc.oneof(fc.constantFrom(0, 0.5, 0.95, 1), fc.double({ min: 0, max: 1, noNaN: true }));

/** Groups that need care: a NULL key, lists that are empty or NULL, more than k distinct values. */
const edgeRows: Partial[] = [
  partial(null, 0, [1, 2, 3], ['a', 'b']),
  partial(null, 0, [-5, 2], ['b', 'c']),
  partial('empty', 0, [], []),
  partial('null-lists', 0, null, null),
  partial('empty-and-null', 1, [], null),
  partial('empty-and-null', 1, null, []),
  ...[0, 1, 2, 3].map((j) =>
    partial(
      'big',
      0,
      Array.from({ length: 500 }, (_, i) => (i - 100) * (j + 1) * 0.37),
      Array.from({ length: 1000 }, (_, i) => `device-${j * 700 + i}`),
    ),
  ),
];

describe('quantileMergeSql in DuckDB', () => {
  const sqlFor = (from: string, q: number) =>
    quantileMergeSql({ dialect: SqlDialect.DuckDb, from, groupBy, values: columns.values, counts: columns.counts, q, as: '"p"' });
  const expected = (rows: readonly Partial[], q: number) =>
    expectedByGroup(rows, (group) => quantileOf(mergeQuantileStates(group.map(quantileStateOf)), q));

  it('gives the JS quantile of the merged states of every group, exactly', async () => {
    await fc.assert(
      fc.asyncProperty(partialRows, quantile, async (rows, q) => {
        const table = await partialsTable(rows);
        expect(await resultByGroup(sqlFor(table, q), 'p')).toEqual(expected(rows, q));
      }),
      { numRuns: 40 },
    );
  });

  it('keeps a NULL group apart and gives NULL to groups whose lists are empty or NULL', async () => {
    const table = await partialsTable(edgeRows);
    for (const q of [0, 0.5, 0.99, 1]) {
      const result = await resultByGroup(sqlFor(table, q), 'p');
      expect(result).toEqual(expected(edgeRows, q));
      expect(result.get(groupKey(null, 0))).toBe(quantileOf(quantileState([1, 2, 3, -5, 2]), q));
      expect(result.get(groupKey('empty', 0))).toBeNull();
      expect(result.get(groupKey('null-lists', 0))).toBeNull();
      expect(result.get(groupKey('empty-and-null', 1))).toBeNull();
    }
  });

  it('merges every row into one group when there is no group key', async () => {
    const table = await partialsTable(edgeRows);
    const sql = quantileMergeSql({ dialect: SqlDialect.DuckDb, from: table, groupBy: [], values: columns.values, counts: columns.counts, q: 0.9, as: '"p"' });
    const rows = (await connection.runAndReadAll(sql)).getRowObjectsJS();
    expect(rows).toEqual([{ p: quantileOf(mergeQuantileStates(edgeRows.map(quantileStateOf)), 0.9) }]);
  });
});

describe('distinctMergeSql in DuckDB', () => {
  const sqlFor = (from: string, dialect: SqlDialect = SqlDialect.DuckDb) =>
    distinctMergeSql({ dialect, from, groupBy, hashes: columns.hashes, k: DISTINCT_SKETCH_SIZE, as: '"n"' });
  const expected = (rows: readonly Partial[]) =>
    expectedByGroup(rows, (group) => BigInt(distinctEstimate(mergeDistinctStates(group.map(distinctStateOf)))));

  it('gives the JS estimate of the merged states of every group, as a BIGINT', async () => {
    await fc.assert(
      fc.asyncProperty(partialRows, async (rows) => {
        const table = await partialsTable(rows);
        expect(await resultByGroup(sqlFor(table), 'n')).toEqual(expected(rows));
      }),
      { numRuns: 40 },
    );
  });

  it('keeps a NULL group apart, gives 0 to groups with no values and estimates above k', async () => {
    const table = await partialsTable(edgeRows);
    const result = await resultByGroup(sqlFor(table), 'n');
    expect(result).toEqual(expected(edgeRows));
    expect(result.get(groupKey(null, 0))).toBe(3n);
    expect(result.get(groupKey('empty', 0))).toBe(0n);
    expect(result.get(groupKey('null-lists', 0))).toBe(0n);
    expect(result.get(groupKey('empty-and-null', 1))).toBe(0n);
    // 3100 distinct devices over four overlapping partials: the estimate, not a count of k.
    const big = Number(result.get(groupKey('big', 0)));
    expect(big).not.toBe(DISTINCT_SKETCH_SIZE);
    expect(Math.abs(big - 3100) / 3100).toBeLessThan(3 / Math.sqrt(DISTINCT_SKETCH_SIZE - 2));
  });

  it('runs the Athena statement too, with the same result (its single-list UNNEST is also DuckDB SQL)', async () => {
    const table = await partialsTable(edgeRows);
    expect(await resultByGroup(sqlFor(table, SqlDialect.Athena), 'n')).toEqual(expected(edgeRows));
  });
});

describe('sketch SQL for Athena (Trino)', () => {
  const quantileSql = quantileMergeSql({
    dialect: SqlDialect.Athena,
    from: 'p',
    groupBy: ['"window_start"', '"device_id"'],
    values: '"p95__values"',
    counts: '"p95__counts"',
    q: 0.95,
    as: '"p95"',
  });
  const distinctSql = distinctMergeSql({
    dialect: SqlDialect.Athena,
    from: 'p',
    groupBy: ['"window_start"'],
    hashes: '"devices__hashes"',
    k: 1024,
    as: '"devices"',
  });

  it('unnests the parallel lists with CROSS JOIN UNNEST, zipped into named columns', () => {
    expect(quantileSql).toContain(
      'FROM p AS "__sketch_row" CROSS JOIN UNNEST("__sketch_row"."p95__values", "__sketch_row"."p95__counts") AS "__sketch_elements"("__sketch_value", "__sketch_count")',
    );
    expect(distinctSql).toContain(
      'FROM p AS "__sketch_row" CROSS JOIN UNNEST("__sketch_row"."devices__hashes") AS "__sketch_elements"("__sketch_hash")',
    );
  });

  it('has a complete SELECT with the group keys, the estimate named as asked and GROUP BY the keys', () => {
    expect(quantileSql).toMatch(/^SELECT "window_start", "device_id", MIN\(CASE WHEN .* END\) AS "p95"\n/);
    expect(quantileSql).toMatch(/\nGROUP BY "window_start", "device_id"$/);
    expect(distinctSql).toMatch(/^SELECT "window_start", CAST\(CASE WHEN COUNT\("__sketch_hash"\) < 1024 .* END AS BIGINT\) AS "devices"\n/);
    expect(distinctSql).toMatch(/\nGROUP BY "window_start"$/);
  });

  it('writes the quantile rule and the KMV estimate with standard window functions and DOUBLE literals', () => {
    expect(quantileSql).toContain(
      'SUM("__sketch_count") OVER (PARTITION BY "window_start", "device_id" ORDER BY "__sketch_value" ASC NULLS LAST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)',
    );
    expect(quantileSql).toContain('"__sketch_cumulative" > 9.5e-1 * ("__sketch_total" - 1)');
    expect(distinctSql).toContain('ROW_NUMBER() OVER (PARTITION BY "window_start" ORDER BY "__sketch_hash" ASC NULLS LAST)');
    expect(distinctSql).toContain('ROUND(1.023e+3 / (MAX(CASE WHEN "__sketch_rank" = 1024 THEN "__sketch_hash" END) / 9.007199254740992e+15))');
  });

  it('uses no DuckDB-only syntax or function', () => {
    for (const sql of [quantileSql, distinctSql]) {
      // Every UNNEST is the Trino relation form, never DuckDB's select-list unnest().
      expect(sql.match(/unnest\s*\(/gi)).toHaveLength(sql.match(/CROSS JOIN UNNEST\(/g)!.length);
      expect(sql).not.toMatch(/::|\blist_|\barray_length\b|\blen\(|\bQUALIFY\b|\barg_min\b|\bquantile|\bapprox_/i);
      // Plain decimals such as 0.95 would be DECIMAL in Trino.
      expect(sql).not.toMatch(/[^\w.]\d+\.\d+(?![\d.]*e)/);
    }
  });
});

describe('argument checks', () => {
  const base = { dialect: SqlDialect.DuckDb, from: 'p', groupBy: ['"g"'], as: '"x"' } as const;

  it('refuses a quantile outside 0..1 and a sketch size that is not a positive integer', () => {
    for (const q of [-0.01, 1.01, NaN]) {
      expect(() => quantileMergeSql({ ...base, values: '"v"', counts: '"c"', q })).toThrow(RangeError);
    }
    for (const k of [0, 1.5, NaN]) expect(() => distinctMergeSql({ ...base, hashes: '"h"', k })).toThrow(RangeError);
  });

  it('refuses a group column that takes a name the SQL reserves for itself', () => {
    expect(() => distinctMergeSql({ ...base, groupBy: ['"__sketch_hash"'], hashes: '"h"', k: 8 })).toThrow(/reserves/);
  });
});
