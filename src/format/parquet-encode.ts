import { tableToIPC, type Table } from 'apache-arrow';
import type { WriterProperties } from 'parquet-wasm/esm';
import type { Compression } from '../job/table.ts';
import { dictionaryChoice, type DictionaryChoice } from './dictionary-choice.ts';
import { parquetModule } from './parquet-wasm-module.ts';

/** Table compression names -> parquet-wasm codec ids. */
const codecs: { readonly [K in Compression]: (pw: ReturnType<typeof parquetModule>) => number } = {
  zstd: (pw) => pw.Compression.ZSTD,
  snappy: (pw) => pw.Compression.SNAPPY,
  gzip: (pw) => pw.Compression.GZIP,
  lz4_raw: (pw) => pw.Compression.LZ4_RAW,
  brotli: (pw) => pw.Compression.BROTLI,
  uncompressed: (pw) => pw.Compression.UNCOMPRESSED,
};

export interface EncodeParquetOptions {
  readonly compression: Compression;
  /** Rows per row group; one group per file unless the file is larger. */
  readonly rowGroupSize?: number;
}

/**
 * parquet-wasm's writer properties for one file: the codec, statistics on every column
 * (min/max per row group and per page, which Athena uses to skip data), the row group size,
 * and dictionary encoding where `dictionary` says it pays. WriterProperties are consumed by
 * one write (a reused one silently writes UNCOMPRESSED): build one per file.
 *
 * @example
 * ```ts
 * pw.writeParquet(wasmTable, writerProperties(dictionaryChoice(table), { compression: 'zstd' }));
 * ```
 */
export function writerProperties(dictionary: DictionaryChoice, options: EncodeParquetOptions): WriterProperties {
  const pw = parquetModule();
  let builder = new pw.WriterPropertiesBuilder()
    .setCompression(codecs[options.compression](pw))
    .setStatisticsEnabled(pw.EnabledStatistics.Page)
    .setDictionaryEnabled(dictionary.nested)
    .setMaxRowGroupSize(options.rowGroupSize ?? 1_000_000)
    .setCreatedBy('sluice');
  for (const [name, enabled] of dictionary.columns) builder = builder.setColumnDictionaryEnabled(name, enabled);
  return builder.build();
}

/**
 * Arrow table -> Parquet bytes, with the given codec, statistics on every column, and
 * dictionary encoding on the columns whose values repeat enough for it to pay
 * (`dictionaryChoice`: declared low-cardinality strings always). Deterministic: the same
 * table gives the same bytes.
 *
 * @example
 * ```ts
 * const bytes = encodeParquet(rowsToArrowTable(rows, columns), { compression: 'zstd' });
 * ```
 */
export function encodeParquet(table: Table, options: EncodeParquetOptions): Uint8Array {
  const pw = parquetModule();
  const properties = writerProperties(dictionaryChoice(table), options);
  const wasmTable = pw.Table.fromIPCStream(tableToIPC(table, 'stream'));
  return pw.writeParquet(wasmTable, properties);
}
