import { tableToIPC, type Table } from 'apache-arrow';
import type { Compression } from '../job/table.ts';
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
 * Arrow table -> Parquet bytes (dictionary encoding on, statistics on, the given codec).
 * Deterministic: the same table gives the same bytes.
 *
 * @example
 * ```ts
 * const bytes = encodeParquet(rowsToArrowTable(rows, columns), { compression: 'zstd' });
 * ```
 */
export function encodeParquet(table: Table, options: EncodeParquetOptions): Uint8Array {
  const pw = parquetModule();
  // WriterProperties are consumed by one write (a reused one silently writes UNCOMPRESSED): build one per file.
  const properties = new pw.WriterPropertiesBuilder()
    .setCompression(codecs[options.compression](pw))
    .setDictionaryEnabled(true)
    .setMaxRowGroupSize(options.rowGroupSize ?? 1_000_000)
    .setCreatedBy('sluice')
    .build();
  const wasmTable = pw.Table.fromIPCStream(tableToIPC(table, 'stream'));
  return pw.writeParquet(wasmTable, properties);
}
