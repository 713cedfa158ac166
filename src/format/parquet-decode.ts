import { parquetMetadata, parquetMetadataAsync, parquetReadObjects, parquetSchema, type AsyncBuffer, type FileMetaData } from 'hyparquet';
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
 * Whole files in memory (`parquetRows`), or a row range of a file read through an
 * `AsyncBuffer` a bounded chunk at a time (`parquetRowChunks`), which is how compaction reads.
 */

/** Rows as `rowsToArrowTable` takes them. */
type Row = Record<string, unknown>;

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
 * An `AsyncBuffer` (what hyparquet reads from) over bytes already in memory.
 *
 * @example
 * ```ts
 * const file = parquetBytesSource(bytes);
 * const metadata = await parquetFileMetadata(file, key);
 * ```
 */
export function parquetBytesSource(bytes: Uint8Array): AsyncBuffer {
  return { byteLength: bytes.byteLength, slice: (start, end = bytes.byteLength) => arrayBufferOf(bytes.subarray(start, end)) };
}

/**
 * A Parquet file's footer, read through `file` (its tail, then the rest of the footer if
 * longer). Throws (hyparquet's error) when `file` is not Parquet.
 *
 * @example
 * ```ts
 * const metadata = await parquetFileMetadata(file);
 * Number(metadata.num_rows);
 * ```
 */
export async function parquetFileMetadata(file: AsyncBuffer): Promise<FileMetaData> {
  // Footers of the files sluice writes are a few KB (a few hundred KB for many row groups): read 64 KiB first.
  return parquetMetadataAsync(file, { initialFetchSize: 64 * 1024 });
}

/**
 * Options of {@link parquetRowChunks}.
 *
 * @example
 * ```ts
 * const options: RowChunkOptions = { metadata, rowStart: 0, rowEnd: 50_000, chunkRows: 8192 };
 * ```
 */
export interface RowChunkOptions {
  readonly metadata: FileMetaData;
  /** First row to read (default 0). */
  readonly rowStart?: number;
  /** Row after the last to read (default: the file's end). */
  readonly rowEnd?: number;
  /** At most this many rows per chunk: what is decoded and held as objects at once. */
  readonly chunkRows: number;
}

/**
 * The rows `[rowStart, rowEnd)` of a Parquet file, with exactly the declared columns, in file
 * order, as chunks of at most `chunkRows` rows that never span two row groups: only one
 * chunk's rows and the column chunks of the row group it comes from are decoded at a time.
 *
 * @example
 * ```ts
 * for await (const rows of parquetRowChunks(file, columns, { metadata, chunkRows: 8192 })) writer.append(rows);
 * ```
 */
export async function* parquetRowChunks(file: AsyncBuffer, columns: readonly Column[], options: RowChunkOptions): AsyncGenerator<Row[]> {
  const { metadata, chunkRows } = options;
  const total = Number(metadata.num_rows);
  const rowStart = Math.max(0, options.rowStart ?? 0);
  const rowEnd = Math.min(total, options.rowEnd ?? total);
  const inFile = new Set(parquetSchema(metadata).children.map((child) => child.element.name));
  const present = columns.filter((column) => inFile.has(column.name)).map((column) => column.name);
  let groupStart = 0;
  for (const group of metadata.row_groups) {
    const groupEnd = groupStart + Number(group.num_rows);
    for (let start = Math.max(rowStart, groupStart); start < Math.min(rowEnd, groupEnd); start += chunkRows) {
      const end = Math.min(start + chunkRows, rowEnd, groupEnd);
      const raw: Row[] =
        present.length === 0
          ? Array.from({ length: end - start }, () => ({}))
          : ((await parquetReadObjects({ file, metadata, columns: present, rowStart: start, rowEnd: end, compressors })) as Row[]);
      yield raw.map((read) => rowOf(read, columns));
    }
    groupStart = groupEnd;
  }
}

function rowOf(raw: Row, columns: readonly Column[]): Row {
  const row: Row = {};
  for (const column of columns) row[column.name] = convert(raw[column.name], column.type);
  return row;
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
export async function parquetRows(bytes: Uint8Array, columns: readonly Column[]): Promise<Row[]> {
  const file = parquetBytesSource(bytes);
  const metadata = parquetMetadata(file.slice(0) as ArrayBuffer);
  const rows: Row[] = [];
  for await (const chunk of parquetRowChunks(file, columns, { metadata, chunkRows: Number.MAX_SAFE_INTEGER })) for (const row of chunk) rows.push(row);
  return rows;
}
