import { tableToIPC, type Table } from 'apache-arrow';
import type { RecordBatch } from 'parquet-wasm/esm';
import type { Compression } from '../job/table.ts';
import type { Column } from '../schema/column-model.ts';
import { tableBuilder } from './arrow-table.ts';
import { dictionaryChoice } from './dictionary-choice.ts';
import { writerProperties } from './parquet-encode.ts';
import { parquetModule } from './parquet-wasm-module.ts';

/** Rows as the pipeline makes them and the Parquet reader gives them back. */
type Row = Readonly<Record<string, unknown>>;

/**
 * Options of {@link parquetByteStream}.
 *
 * @example
 * ```ts
 * const options: ParquetStreamOptions = { columns: job.output.dataColumns, compression: 'zstd', rowGroupRows: 131_072 };
 * ```
 */
export interface ParquetStreamOptions {
  readonly columns: readonly Column[];
  readonly compression: Compression;
  /** Rows per row group: what is held in memory at once, as Arrow columns and as the group being encoded. */
  readonly rowGroupRows: number;
}

/**
 * Rows -> the bytes of one Parquet file, produced a row group at a time, so a file of any
 * size is written with one row group's Arrow columns and encoding in memory (parquet-wasm's
 * `transformParquetStream`, which emits each row group's bytes as soon as it is encoded and
 * the footer at the end). The codec, statistics and dictionary encoding are `encodeParquet`'s,
 * with the dictionary choice made on the first row group (`dictionaryChoice`) and kept for the
 * file. No rows give a valid file of no rows. Deterministic: the same rows in the same order
 * give the same bytes. When `rows` throws, the stream throws that error.
 *
 * @example
 * ```ts
 * await store.putStream(key, parquetByteStream(rowChunks, { columns, compression: 'zstd', rowGroupRows: 131_072 }));
 * ```
 */
export async function* parquetByteStream(rows: AsyncIterable<readonly Row[]>, options: ParquetStreamOptions): AsyncGenerator<Uint8Array> {
  const pw = parquetModule();
  const groups = rowGroups(rows, options);
  // parquet-wasm reports a failed source as a cast error: keep the source's own error to rethrow.
  let sourceFailure: { error: unknown } | undefined;
  const next = async (): Promise<Table | undefined> => {
    try {
      const result = await groups.next();
      return result.done ? undefined : result.value;
    } catch (error) {
      sourceFailure = { error };
      throw error;
    }
  };
  // The writer's properties need the first group (dictionary choice) before the writer exists.
  const first = (await next()) ?? tableBuilder(options.columns, { capacity: 1 }).finish();
  const properties = writerProperties(dictionaryChoice(first), { compression: options.compression, rowGroupSize: options.rowGroupRows });
  let pendingFirst: Table | undefined = first;
  const source = new ReadableStream<RecordBatch>(
    {
      async pull(controller) {
        try {
          const table = pendingFirst ?? (await next());
          pendingFirst = undefined;
          if (table === undefined) {
            controller.close();
            return;
          }
          for (const batch of wasmBatches(table)) controller.enqueue(batch);
        } catch (error) {
          controller.error(error);
        }
      },
    },
    // Pull a group only when the writer asks for one: at most one group waits beside the one encoding.
    { highWaterMark: 0 },
  );
  const reader = ((await pw.transformParquetStream(source, properties)) as ReadableStream<Uint8Array>).getReader();
  try {
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) {
        // parquet-wasm ends a stream whose source failed with a valid footer, as if the rows had ended there.
        if (sourceFailure !== undefined) throw sourceFailure.error;
        return;
      }
      yield chunk.value;
    }
  } catch (error) {
    if (sourceFailure !== undefined) throw sourceFailure.error;
    throw error;
  } finally {
    // A consumer that stops early (a failed upload) stops the writer and the reads behind it.
    await reader.cancel().catch(() => undefined);
    await groups.return(undefined).catch(() => undefined);
  }
}

/** The rows cut into Arrow tables of `rowGroupRows` rows (the last one shorter). */
async function* rowGroups(rows: AsyncIterable<readonly Row[]>, options: ParquetStreamOptions): AsyncGenerator<Table> {
  let group = tableBuilder(options.columns, { capacity: options.rowGroupRows });
  for await (const chunk of rows) {
    for (const row of chunk) {
      group.appendRow(row);
      if (group.rowCount === options.rowGroupRows) {
        yield group.finish();
        group = tableBuilder(options.columns, { capacity: options.rowGroupRows });
      }
    }
  }
  if (group.rowCount > 0) yield group.finish();
}

/**
 * The table's record batches in wasm memory. The wasm table is freed at once: its batches
 * keep their columns alive, and a table left to the garbage collector holds its copy of the
 * columns in wasm memory, which grows and never shrinks, until the collector gets to it.
 */
function wasmBatches(table: Table): RecordBatch[] {
  const wasmTable = parquetModule().Table.fromIPCStream(tableToIPC(table, 'stream'));
  try {
    return wasmTable.recordBatches();
  } finally {
    wasmTable.free();
  }
}
