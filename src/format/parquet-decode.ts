import { parquetMetadata, parquetReadObjects, parquetSchema, type FileMetaData } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import type { Column, ColumnKind, ColumnType } from '../schema/column-model.ts';

/**
 * Parquet bytes -> rows, for compaction: read back in the shape the pipeline produces and
 * `rowsToArrowTable` takes, so the rows can be merged and written again unchanged. Reading
 * is hyparquet's (pure JS, every codec sluice writes), driven by the declared columns:
 * - integers as numbers (int64 too: a row's integers come from zod, so they are safe integers),
 * - timestamps as `Date`, structs as objects, lists as arrays, strings as strings,
 * - NULL, and a column the file lacks (added to the table later), as `null`,
 * - columns of the file the table does not declare are left out.
 */

type Convert = (value: unknown, type: ColumnType) => unknown;

/** Per kind, how hyparquet's value becomes the row's value (null is handled before). */
const converters: { readonly [K in ColumnKind]: Convert } = {
  string: (value) => value,
  double: (value) => value,
  boolean: (value) => value,
  int32: (value) => (typeof value === 'bigint' ? Number(value) : value),
  int64: (value) => (typeof value === 'bigint' ? Number(value) : value),
  timestamp: (value) => (value instanceof Date ? value : new Date(Number(value))),
  struct: (value, type) => {
    const record = value as Record<string, unknown>;
    const fields = (type as Extract<ColumnType, { kind: 'struct' }>).fields;
    return Object.fromEntries(fields.map((field) => [field.name, convert(record[field.name], field.type)]));
  },
  list: (value, type) => (value as unknown[]).map((element) => convert(element, (type as Extract<ColumnType, { kind: 'list' }>).element)),
};

function convert(value: unknown, type: ColumnType): unknown {
  return value === null || value === undefined ? null : converters[type.kind](value, type);
}

function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/**
 * How many rows a Parquet file holds, from its footer alone.
 *
 * @example
 * ```ts
 * parquetRowCount(encodeParquet(rowsToArrowTable(rows, columns), { compression: 'zstd' })); // rows.length
 * ```
 */
export function parquetRowCount(bytes: Uint8Array): number {
  return Number(parquetMetadata(arrayBufferOf(bytes)).num_rows);
}

/**
 * The rows of a Parquet file, with exactly the declared columns, in file order.
 * Throws (hyparquet's error) on bytes that are not Parquet.
 *
 * @example
 * ```ts
 * const rows = await parquetRows(await store.get(key), job.output.dataColumns);
 * const again = encodeParquet(rowsToArrowTable(rows, job.output.dataColumns), { compression: 'zstd' });
 * ```
 */
export async function parquetRows(bytes: Uint8Array, columns: readonly Column[]): Promise<Record<string, unknown>[]> {
  const file = arrayBufferOf(bytes);
  const metadata: FileMetaData = parquetMetadata(file);
  const inFile = new Set(parquetSchema(metadata).children.map((child) => child.element.name));
  const present = columns.filter((column) => inFile.has(column.name));
  const read: Record<string, unknown>[] =
    present.length === 0
      ? Array.from({ length: Number(metadata.num_rows) }, () => ({}))
      : ((await parquetReadObjects({ file, metadata, columns: present.map((c) => c.name), compressors })) as Record<string, unknown>[]);
  return read.map((raw) => {
    const row: Record<string, unknown> = {};
    for (const column of columns) row[column.name] = convert(raw[column.name], column.type);
    return row;
  });
}
