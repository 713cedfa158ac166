import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { columnsOf } from '../../src/schema/zod-to-columns.ts';
import { lowCardinality } from '../../src/schema/column-hints.ts';
import { rowsToArrowTable } from '../../src/format/arrow-table.ts';
import { encodeParquet } from '../../src/format/parquet-encode.ts';

// Every row of the type table, with nulls, unicode and edge values.
const Row = z.object({
  s: z.string(),
  s_dict: lowCardinality(z.string()),
  e: z.enum(['walking', 'running']),
  d: z.number(),
  i64: z.number().int(),
  i32: z.int32(),
  b: z.boolean(),
  ts: z.date(),
  ts_iso: z.iso.datetime(),
  opt: z.number().nullable(),
  st: z.object({ x: z.number(), label: z.string().nullable(), at: z.date() }),
  arr: z.array(z.number().int()),
});
const columns = columnsOf(Row);

const rows = [
  {
    s: 'plain', s_dict: 'rpi-001', e: 'walking', d: 21.25, i64: 9_007_199_254_740_991, i32: -2_147_483_648, b: true,
    ts: new Date('2026-11-23T08:15:02.123Z'), ts_iso: '2026-11-23T08:15:02.999Z', opt: 1.5,
    st: { x: 1, label: 'a', at: new Date('2000-01-01T00:00:00.001Z') }, arr: [1, 2, 3],
  },
  {
    s: 'ünïcødé 温度 🙂', s_dict: 'rpi-ü', e: 'running', d: -0.000001, i64: -42, i32: 2_147_483_647, b: false,
    ts: new Date('1970-01-01T00:00:00.000Z'), ts_iso: '2026-01-01T00:00:00Z', opt: null,
    st: { x: -1, label: null, at: new Date('2099-12-31T23:59:59.999Z') }, arr: [],
  },
  {
    s: '', s_dict: 'rpi-001', e: 'walking', d: 1e300, i64: 0, i32: 0, b: true,
    ts: new Date('2026-11-23T23:59:59.999Z'), ts_iso: '2026-11-23T23:59:59.999Z', opt: null,
    st: { x: 0, label: '', at: new Date(0) }, arr: [-(2 ** 53 - 1)],
  },
];

let dir: string;
let file: string;
let bytes: Uint8Array;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-parquet-'));
  file = join(dir, 'rows.parquet');
  bytes = encodeParquet(rowsToArrowTable(rows, columns), { compression: 'zstd' });
  await writeFile(file, bytes);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('Parquet round trip', () => {
  it('reads back exactly with DuckDB', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    const r = await c.runAndReadAll(
      `SELECT s, s_dict, e, d, i64, i32, b, epoch_ms(ts) AS ts, epoch_ms(ts_iso) AS ts_iso, opt,
              st.x AS st_x, st.label AS st_label, epoch_ms(st.at) AS st_at, arr, typeof(ts) AS ts_type, typeof(i32) AS i32_type
       FROM read_parquet('${file}')`,
    );
    const got = r.getRowObjectsJS();
    c.closeSync();
    db.closeSync();
    expect(got.map((g) => g['s'])).toEqual(rows.map((x) => x.s));
    expect(got.map((g) => g['s_dict'])).toEqual(rows.map((x) => x.s_dict));
    expect(got.map((g) => g['e'])).toEqual(rows.map((x) => x.e));
    expect(got.map((g) => g['d'])).toEqual(rows.map((x) => x.d));
    expect(got.map((g) => Number(g['i64']))).toEqual(rows.map((x) => x.i64));
    expect(got.map((g) => g['i32'])).toEqual(rows.map((x) => x.i32));
    expect(got.map((g) => g['b'])).toEqual(rows.map((x) => x.b));
    expect(got.map((g) => Number(g['ts']))).toEqual(rows.map((x) => x.ts.getTime()));
    expect(got.map((g) => Number(g['ts_iso']))).toEqual(rows.map((x) => Date.parse(x.ts_iso)));
    expect(got.map((g) => g['opt'])).toEqual(rows.map((x) => x.opt));
    expect(got.map((g) => g['st_label'])).toEqual(rows.map((x) => x.st.label));
    expect(got.map((g) => Number(g['st_at']))).toEqual(rows.map((x) => x.st.at.getTime()));
    expect(got.map((g) => (g['arr'] as bigint[]).map(Number))).toEqual(rows.map((x) => x.arr));
    expect(got[0]!['ts_type']).toBe('TIMESTAMP WITH TIME ZONE');
    expect(got[0]!['i32_type']).toBe('INTEGER');
  });

  it('reads back exactly with hyparquet, an independent reader', async () => {
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const got = (await parquetReadObjects({ file: buffer, compressors })) as Array<Record<string, unknown>>;
    expect(got.map((g) => g['s'])).toEqual(rows.map((x) => x.s));
    expect(got.map((g) => g['s_dict'])).toEqual(rows.map((x) => x.s_dict));
    expect(got.map((g) => Number(g['i64']))).toEqual(rows.map((x) => x.i64));
    expect(got.map((g) => (g['ts'] as Date).getTime())).toEqual(rows.map((x) => x.ts.getTime()));
    expect(got.map((g) => g['opt'])).toEqual(rows.map((x) => x.opt));
    expect(got.map((g) => (g['st'] as { label: unknown }).label)).toEqual(rows.map((x) => x.st.label));
    expect(got.map((g) => (g['arr'] as unknown[]).map(Number))).toEqual(rows.map((x) => x.arr));
  });

  it('writes millisecond UTC timestamps, ZSTD and dictionary pages', () => {
    const meta = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    const ts = meta.schema.find((e) => e.name === 'ts')!;
    expect(ts.type).toBe('INT64');
    expect(ts.logical_type).toEqual({ type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' });
    const chunks = meta.row_groups.flatMap((g) => g.columns.map((c) => c.meta_data!));
    expect(new Set(chunks.map((c) => c.codec))).toEqual(new Set(['ZSTD']));
    const sDict = chunks.find((c) => c.path_in_schema.join('.') === 's_dict')!;
    expect(sDict.encodings).toContain('RLE_DICTIONARY');
  });

  it('is deterministic and honours the configured codec', () => {
    const again = encodeParquet(rowsToArrowTable(rows, columns), { compression: 'zstd' });
    expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
    const snappy = encodeParquet(rowsToArrowTable(rows, columns), { compression: 'snappy' });
    const meta = parquetMetadata(snappy.buffer.slice(snappy.byteOffset, snappy.byteOffset + snappy.byteLength) as ArrayBuffer);
    expect(meta.row_groups[0]!.columns[0]!.meta_data!.codec).toBe('SNAPPY');
  });
});
