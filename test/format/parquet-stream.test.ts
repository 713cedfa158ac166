import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parquetBytesSource, parquetFileMetadata, parquetRowChunks, parquetRows } from '../../src/format/parquet-decode.ts';
import { parquetByteStream } from '../../src/format/parquet-stream-writer.ts';
import { lowCardinality } from '../../src/schema/column-hints.ts';
import { columnsOf } from '../../src/schema/zod-to-columns.ts';

// Flat, dictionary, nullable, nested and list columns: what a row group must carry across the stream.
const Row = z.object({
  device: lowCardinality(z.string()),
  n: z.number().int(),
  t: z.number().nullable(),
  at: z.date(),
  st: z.object({ x: z.number(), tags: z.array(z.string()) }).nullable(),
});
const columns = columnsOf(Row);
const rowAt = (i: number) => ({
  device: `d-${i % 7}`,
  n: i,
  t: i % 5 === 0 ? null : i / 4,
  at: new Date(1_800_000_000_000 + i * 1000),
  st: i % 3 === 0 ? null : { x: -i, tags: Array.from({ length: i % 3 }, (_, k) => `t${k}`) },
});
const rows = Array.from({ length: 2_500 }, (_, i) => rowAt(i));

/** The rows in chunks of the given sizes, in turn. */
async function* chunked(all: readonly Record<string, unknown>[], sizes: readonly number[]): AsyncIterable<Record<string, unknown>[]> {
  for (let at = 0, k = 0; at < all.length; k++) {
    const size = sizes[k % sizes.length]!;
    yield all.slice(at, at + size);
    at += size;
  }
}

async function bytesOf(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of stream) parts.push(part);
  return new Uint8Array(Buffer.concat(parts));
}

describe('parquetByteStream', () => {
  it('writes rows arriving in chunks as one file of row groups of the given size, read back unchanged', async () => {
    const bytes = await bytesOf(parquetByteStream(chunked(rows, [1, 999, 0, 333]), { columns, compression: 'zstd', rowGroupRows: 1000 }));
    const metadata = await parquetFileMetadata(parquetBytesSource(bytes));
    expect(metadata.row_groups.map((group) => Number(group.num_rows))).toEqual([1000, 1000, 500]);
    expect(await parquetRows(bytes, columns)).toEqual(rows);
    // Deterministic: the same rows in other chunks give the same bytes.
    expect(await bytesOf(parquetByteStream(chunked(rows, [2500]), { columns, compression: 'zstd', rowGroupRows: 1000 }))).toEqual(bytes);
  });

  it('writes a valid file of no rows from no rows', async () => {
    const bytes = await bytesOf(parquetByteStream(chunked([], [1]), { columns, compression: 'snappy', rowGroupRows: 10 }));
    expect(Number((await parquetFileMetadata(parquetBytesSource(bytes))).num_rows)).toBe(0);
    expect(await parquetRows(bytes, columns)).toEqual([]);
  });

  it("fails with the rows' own error when they fail", async () => {
    const broken = new Error('the input went away');
    async function* failing(): AsyncIterable<Record<string, unknown>[]> {
      yield rows.slice(0, 1500);
      throw broken;
    }
    await expect(bytesOf(parquetByteStream(failing(), { columns, compression: 'zstd', rowGroupRows: 1000 }))).rejects.toBe(broken);
  });
});

describe('parquetRowChunks', () => {
  it('reads a row range in chunks of at most the given rows, never across a row group', async () => {
    const bytes = await bytesOf(parquetByteStream(chunked(rows, [2500]), { columns, compression: 'zstd', rowGroupRows: 1000 }));
    const file = parquetBytesSource(bytes);
    const metadata = await parquetFileMetadata(file);
    for (const [rowStart, rowEnd, chunkRows] of [[0, 2500, 300], [950, 2100, 64], [1000, 1000, 10], [2499, 9999, 1]] as const) {
      const chunks: Record<string, unknown>[][] = [];
      for await (const chunk of parquetRowChunks(file, columns, { metadata, rowStart, rowEnd, chunkRows })) chunks.push(chunk);
      expect(chunks.flat()).toEqual(rows.slice(rowStart, rowEnd));
      expect(chunks.every((chunk) => chunk.length >= 1 && chunk.length <= chunkRows)).toBe(true);
      let at = rowStart;
      for (const chunk of chunks) {
        expect(Math.floor(at / 1000), `chunk at ${at}`).toBe(Math.floor((at + chunk.length - 1) / 1000));
        at += chunk.length;
      }
    }
  });
});
