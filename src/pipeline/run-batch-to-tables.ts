import type { Table } from 'apache-arrow';
import { tableBuilder, type TableBuilder } from '../format/arrow-table.ts';
import type { Job } from '../job/define-job.ts';
import type { StreamRecord } from '../decode/stream-record.ts';
import { processBatch, type BatchOf, type OutputFile, type RowCollector } from './process-batch.ts';

/** The rows of one output file as an Arrow table of the job's data columns. */
export interface TableFile extends OutputFile {
  /** The file's rows, in record order, as `rowsToArrowTable(rows, job.output.dataColumns)` makes them. */
  readonly table: Table;
}

/** A batch's files as tables, its reject files and its counts. */
export type TableBatchOutput = BatchOf<TableFile>;

/**
 * `runBatch` for writers that only need columns: each validated row is appended to its
 * file's Arrow columns as soon as its record is done with, so no row object outlives its
 * record (no second pass over rows, nothing kept for the garbage collector to copy), and a
 * row the compiled row check accepts is appended as the steps made it: zod's copy of it
 * is never made.
 * Files, keys, rejects and counts are `runBatch`'s; each file's table is the one
 * `rowsToArrowTable` builds from `runBatch`'s rows for that file
 * (`test/pipeline/run-batch-to-tables.test.ts`).
 *
 * @example
 * ```ts
 * const out = runBatchToTables(job, records);
 * for (const file of out.files) await store.put(file.key, encodeParquet(file.table, { compression: 'zstd' }));
 * ```
 */
export function runBatchToTables(job: Job, records: readonly StreamRecord[]): TableBatchOutput {
  const columns = job.output.dataColumns;
  let opened = 0;
  const collector: RowCollector<TableBuilder> = {
    columnsOnly: true,
    // Most batches fill one file: the first is sized for the whole batch, later ones (other partitions, rejects) grow as needed.
    open: () => tableBuilder(columns, opened++ === 0 ? { capacity: records.length } : {}),
    add: (table, row) => table.appendRow(row),
  };
  const out = processBatch(job, records, collector);
  return { ...out, files: out.files.map(({ contents, ...file }) => ({ ...file, table: contents.finish() })) };
}
