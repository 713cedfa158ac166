import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { rowsToArrowTable } from '../../src/format/arrow-table.ts';
import { parquetRowCount, parquetRows } from '../../src/format/parquet-decode.ts';
import { encodeParquet } from '../../src/format/parquet-encode.ts';
import { Compression } from '../../src/job/table.ts';
import { lowCardinality } from '../../src/schema/column-hints.ts';
import { columnsOf } from '../../src/schema/zod-to-columns.ts';

// Every column kind, each nullable where zod allows, nested timestamps and int64s included.
const Row = z.object({
  s: z.string().nullable(),
  s_dict: lowCardinality(z.string()),
  e: z.enum(['walking', 'running']).nullable(),
  d: z.number().nullable(),
  i64: z.number().int().nullable(),
  i32: z.int32().nullable(),
  b: z.boolean().nullable(),
  ts: z.date().nullable(),
  ts_iso: z.iso.datetime(),
  st: z.object({ x: z.number(), at: z.date().nullable(), n: z.number().int(), tags: z.array(z.string()) }).nullable(),
  arr: z.array(z.number().int()).nullable(),
  arr_st: z.array(z.object({ k: z.string(), at: z.date() })),
  arr_null: z.array(z.number().nullable()),
});
const columns = columnsOf(Row);

const rows = [
  {
    s: 'ünïcødé 温度 🙂', s_dict: 'rpi-001', e: 'walking', d: 21.25, i64: 9_007_199_254_740_991, i32: -2_147_483_648, b: true,
    ts: new Date('2026-11-23T08:15:02.123Z'), ts_iso: '2026-11-23T08:15:02.999Z',
    st: { x: 1.5, at: new Date('2000-01-01T00:00:00.001Z'), n: -3, tags: ['p', 'q'] }, arr: [1, -2, 3],
    arr_st: [{ k: 'a', at: new Date('2099-12-31T23:59:59.999Z') }], arr_null: [1, null, 2.5],
  },
  {
    s: null, s_dict: 'rpi-002', e: null, d: null, i64: null, i32: null, b: null, ts: null, ts_iso: '1970-01-01T00:00:00.000Z',
    st: null, arr: null, arr_st: [], arr_null: [],
  },
  {
    s: '', s_dict: 'rpi-001', e: 'running', d: -0.000001, i64: -42, i32: 0, b: false, ts: new Date(0), ts_iso: '2026-01-01T00:00:00Z',
    st: { x: 0, at: null, n: 0, tags: [] }, arr: [], arr_st: [{ k: '', at: new Date(1) }, { k: 'z', at: new Date(2) }], arr_null: [null],
  },
];

describe('parquetRows', () => {
  it.each(Object.values(Compression))('reads back rows that %s-encode to the very same bytes', async (compression) => {
    const bytes = encodeParquet(rowsToArrowTable(rows, columns), { compression });
    const read = await parquetRows(bytes, columns);
    expect(parquetRowCount(bytes)).toBe(3);
    expect(Buffer.from(encodeParquet(rowsToArrowTable(read, columns), { compression })).equals(Buffer.from(bytes))).toBe(true);
  });

  it('gives values in the shape the pipeline produces: numbers, Dates, objects, arrays, null', async () => {
    const [first, second, third] = await parquetRows(encodeParquet(rowsToArrowTable(rows, columns), { compression: 'zstd' }), columns);
    expect(first).toEqual({ ...rows[0], ts_iso: new Date(rows[0]!.ts_iso) });
    expect(typeof first!['i64']).toBe('number');
    expect(typeof (first!['st'] as { n: unknown }).n).toBe('number');
    expect(typeof (first!['arr'] as unknown[])[0]).toBe('number');
    expect(second).toEqual({ ...rows[1], ts_iso: new Date(rows[1]!.ts_iso) });
    expect(third).toEqual({ ...rows[2], ts_iso: new Date(rows[2]!.ts_iso) });
  });

  it('reads a column the file lacks as null and leaves out columns the table does not declare', async () => {
    const older = columns.filter((c) => c.name !== 'd');
    const bytes = encodeParquet(rowsToArrowTable(rows, older), { compression: 'snappy' });
    const wanted = columns.filter((c) => c.name === 'd' || c.name === 'i64');
    expect(await parquetRows(bytes, wanted)).toEqual([{ d: null, i64: 9_007_199_254_740_991 }, { d: null, i64: null }, { d: null, i64: -42 }]);
    expect(await parquetRows(bytes, columns.filter((c) => c.name === 'd'))).toEqual([{ d: null }, { d: null }, { d: null }]);
  });

  it('refuses bytes that are not Parquet', async () => {
    await expect(parquetRows(new TextEncoder().encode('not parquet at all'), columns)).rejects.toThrow(/parquet/i);
  });
});
