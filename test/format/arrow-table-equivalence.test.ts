/**
 * Columns built by `columnBuilder` (typed arrays, structs by hand, no BigInt per value) give
 * the table the previous `rowsToArrowTable` gave (`referenceRowsToArrowTable`: flat columns
 * by hand, structs and lists through Arrow's builders): for random column models of every
 * kind, nested structs and lists, nullable or not, and random rows of the declared types,
 * the same Parquet bytes and the same values read back from Arrow. `tableBuilder`, filled
 * row by row, gives the same bytes as `rowsToArrowTable` on the same rows.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Table } from 'apache-arrow';
import { rowsToArrowTable, tableBuilder } from '../../src/format/arrow-table.ts';
import { encodeParquet } from '../../src/format/parquet-encode.ts';
import type { Column, ColumnType } from '../../src/schema/column-model.ts';
import { referenceRowsToArrowTable } from './reference-arrow-table.ts';

const NAMES = ['a', 'b', 'c', 'd', 'e', 'f'];

const leafType: fc.Arbitrary<ColumnType> = fc.oneof(
  fc.record({ kind: fc.constant('string' as const), dictionary: fc.boolean() }),
  fc.constant({ kind: 'double' as const }),
  fc.constant({ kind: 'int32' as const }),
  fc.constant({ kind: 'int64' as const }),
  fc.constant({ kind: 'boolean' as const }),
  fc.record({ kind: fc.constant('timestamp' as const), source: fc.constantFrom('date' as const, 'iso-string' as const) }),
);

const fieldsOf = (type: fc.Arbitrary<ColumnType>): fc.Arbitrary<Column[]> =>
  fc.uniqueArray(fc.record({ name: fc.constantFrom(...NAMES), type, nullable: fc.boolean() }), { minLength: 1, maxLength: 4, selector: (c) => c.name });

const { columnType } = fc.letrec<{ columnType: ColumnType }>((tie) => ({
  columnType: fc.oneof(
    { maxDepth: 2, withCrossShrink: true },
    { weight: 6, arbitrary: leafType },
    { weight: 2, arbitrary: fieldsOf(tie('columnType')).map((fields): ColumnType => ({ kind: 'struct', fields })) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('list' as const), element: tie('columnType'), elementNullable: fc.boolean() }) },
  ),
}));

const DAY_MS = 86_400_000;
const date = fc.integer({ min: -400_000 * DAY_MS, max: 400_000 * DAY_MS }).map((ms) => new Date(ms));

/** A value of `type` (null only where the column is nullable). */
function valueOf(type: ColumnType, nullable: boolean): fc.Arbitrary<unknown> {
  const value = present(type);
  return nullable ? fc.oneof({ weight: 4, arbitrary: value }, { weight: 1, arbitrary: fc.constantFrom(null, undefined) }) : value;
}

const presentValues: { readonly [K in ColumnType['kind']]: (type: Extract<ColumnType, { kind: K }>) => fc.Arbitrary<unknown> } = {
  // A few values repeat, as low-cardinality columns do.
  string: () => fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.constantFrom('rpi-001', 'rpi-002', '', 'ü温🙂')),
  double: () => fc.double(),
  int32: () => fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  int64: () => fc.oneof(fc.maxSafeInteger(), fc.integer({ min: -5, max: 5 })),
  boolean: () => fc.boolean(),
  timestamp: (type) => (type.source === 'date' ? date : date.map((d) => d.toISOString())),
  struct: (type) => fc.record(Object.fromEntries(type.fields.map((f) => [f.name, valueOf(f.type, f.nullable)]))),
  list: (type) => fc.array(valueOf(type.element, type.elementNullable), { maxLength: 4 }),
};

function present(type: ColumnType): fc.Arbitrary<unknown> {
  return (presentValues[type.kind] as (t: ColumnType) => fc.Arbitrary<unknown>)(type);
}

const tableCase = fieldsOf(columnType).chain((columns) =>
  fc.record({
    columns: fc.constant(columns),
    rows: fc.array(fc.record(Object.fromEntries(columns.map((c) => [c.name, valueOf(c.type, c.nullable)]))), { maxLength: 40 }),
    // Below, at and above the row count: arrays that grow from tiny, fit exactly, or are left part empty.
    capacity: fc.integer({ min: 0, max: 50 }),
  }),
);

const valuesOf = (table: Table): string => JSON.stringify(table.toArray(), (_key, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value));

describe('rowsToArrowTable', () => {
  it('gives the Parquet bytes and values of the previous implementation, for random columns and rows', () => {
    let rows = 0;
    fc.assert(
      fc.property(tableCase, ({ columns, rows: input, capacity }) => {
        const records = input as Record<string, unknown>[];
        const built = rowsToArrowTable(records, columns);
        const reference = referenceRowsToArrowTable(records, columns);
        expect(built.numRows).toBe(reference.numRows);
        expect(valuesOf(built)).toBe(valuesOf(reference));
        const bytes = Buffer.from(encodeParquet(built, { compression: 'zstd' }));
        expect(bytes.equals(Buffer.from(encodeParquet(reference, { compression: 'zstd' })))).toBe(true);

        const byRow = tableBuilder(columns, { capacity });
        for (const row of records) byRow.appendRow(row);
        expect(byRow.rowCount).toBe(records.length);
        expect(Buffer.from(encodeParquet(byRow.finish(), { compression: 'zstd' })).equals(bytes)).toBe(true);
        rows += records.length;
      }),
      { numRuns: 300 },
    );
    expect(rows).toBeGreaterThan(1_000);
  });

  it('grows past its first allocation and keeps nulls that arrive late', () => {
    const columns: Column[] = [
      { name: 'n', type: { kind: 'double' }, nullable: true },
      { name: 't', type: { kind: 'timestamp', source: 'date' }, nullable: true },
      { name: 's', type: { kind: 'string', dictionary: true }, nullable: true },
      { name: 'o', type: { kind: 'struct', fields: [{ name: 'x', type: { kind: 'int64' }, nullable: true }] }, nullable: true },
    ];
    const rows = Array.from({ length: 5_000 }, (_, i) =>
      i % 1_777 === 1_776 ? { n: null, t: null, s: null, o: null } : { n: i / 3, t: new Date(i * 1_000), s: `d${i % 7}`, o: { x: -i } },
    );
    // The default first allocation (rowsToArrowTable sizes its columns for all its rows at once).
    const grown = tableBuilder(columns);
    for (const row of rows) grown.appendRow(row);
    const built = grown.finish();
    expect(valuesOf(built)).toBe(valuesOf(referenceRowsToArrowTable(rows, columns)));
    expect(built.getChild('n')!.nullCount).toBe(2);
  });
});
