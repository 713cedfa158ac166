import type { Column } from '../schema/column-model.ts';

/**
 * Catalog port: where tables and their partitions are registered (a local file, Glue).
 * Readers see registered partitions only, as Athena does.
 *
 * Contract, for every adapter:
 * - `ensureTable(table)` creates the database and table when absent; when present with the
 *   same columns it does nothing; a table with new nullable columns added at the end is
 *   updated; any other difference rejects with `CatalogSchemaMismatchError` naming the
 *   columns. Idempotent.
 * - `registerPartitions(ref, partitions)` registers each partition (values in the order of
 *   the table's partition keys, and the location). A partition already registered is
 *   success. Idempotent. Rejects with `CatalogError` when the table does not exist or the
 *   catalog cannot be reached; the caller fails the batch.
 * - `setPartitionLocations(ref, partitions)` points each partition at its location, creating
 *   the partitions that are not registered yet. Idempotent: setting the same locations again
 *   changes nothing. It is how compaction swaps a partition to its new files in one step
 *   (readers see the old folder or the new one, never both); `registerPartitions` of an
 *   existing partition never moves it back. Rejects with `CatalogError` when the table does
 *   not exist or the catalog cannot be reached; partitions already set stay set, so the
 *   caller retries the whole call.
 * - `getTable(ref)` returns the table, or `undefined`.
 * - `listTables()` returns every table; `listPartitions(ref)` every registered partition.
 */
export interface Catalog {
  ensureTable(table: TableDescriptor): Promise<void>;
  registerPartitions(ref: TableRef, partitions: readonly PartitionDescriptor[]): Promise<void>;
  setPartitionLocations(ref: TableRef, partitions: readonly PartitionDescriptor[]): Promise<void>;
  getTable(ref: TableRef): Promise<TableDescriptor | undefined>;
  listTables(): Promise<TableDescriptor[]>;
  listPartitions(ref: TableRef): Promise<PartitionDescriptor[]>;
}

export interface TableRef {
  readonly database: string;
  readonly name: string;
}

export interface TableDescriptor extends TableRef {
  /** URI of the table's root: an absolute folder locally, `s3://bucket/prefix/table` on S3. */
  readonly location: string;
  /** Data columns, as stored in the Parquet files. */
  readonly columns: readonly Column[];
  /** Partition keys in path order; all string-typed. */
  readonly partitionKeys: readonly string[];
  /** Partitions are projected by the reader (Athena partition projection), never registered. */
  readonly projected?: boolean;
  /** How the table's files are stored; Parquet when absent. */
  readonly format?: TableFormat;
}

/**
 * How a table's files are stored: Parquet (output tables), or JSON lines (a table's rejects,
 * `<table>_rejects`, one reject per line).
 *
 * @example
 * ```ts
 * descriptor.format === TableFormat.JsonLines; // a rejects table
 * ```
 */
export const TableFormat = {
  Parquet: 'parquet',
  JsonLines: 'json-lines',
} as const;
export type TableFormat = (typeof TableFormat)[keyof typeof TableFormat];

export interface PartitionDescriptor {
  /** Unescaped values, one per partition key, in key order. */
  readonly values: readonly string[];
  /** URI of the partition's folder. */
  readonly location: string;
}
