import type { z } from 'zod';

/** Partition by the UTC hour of a timestamp field of the row. */
export interface EventHourPartitioning<Field extends string = string> {
  readonly kind: 'event-hour';
  readonly field: Field;
}

/** Partition by the UTC hour the stream accepted the record (for rows without a trustworthy clock). */
export interface ArrivalHourPartitioning {
  readonly kind: 'arrival-hour';
}

export type TimePartitioning<Field extends string = string> = EventHourPartitioning<Field> | ArrivalHourPartitioning;

/**
 * Partition rows by the UTC hour of one of their timestamp fields:
 * `year=YYYY/month=MM/day=DD/hour=HH`.
 *
 * @example
 * ```ts
 * output: table({ ..., partitionBy: hourOf('event_time') }),
 * ```
 */
export function hourOf<const Field extends string>(field: Field): EventHourPartitioning<Field> {
  return { kind: 'event-hour', field };
}

/**
 * Partition rows by the UTC hour their record arrived on the stream.
 *
 * @example
 * ```ts
 * output: table({ ..., partitionBy: arrivalHour() }),
 * ```
 */
export function arrivalHour(): ArrivalHourPartitioning {
  return { kind: 'arrival-hour' };
}

/** Parquet compression codecs a table may use. */
export const Compression = {
  Zstd: 'zstd',
  Snappy: 'snappy',
  Gzip: 'gzip',
  Lz4Raw: 'lz4_raw',
  Brotli: 'brotli',
  Uncompressed: 'uncompressed',
} as const;
export type Compression = (typeof Compression)[keyof typeof Compression];

type Keys<T> = Extract<keyof T, string>;
/** Fields whose values may be timestamps (a `Date`, or an ISO string declared with `z.iso.datetime()`). */
type TimestampKeys<T> = { [K in Keys<T>]-?: NonNullable<T[K]> extends Date | string ? K : never }[Keys<T>];
/** Fields whose values can name a partition folder. */
type PartitionValueKeys<T> = {
  [K in Keys<T>]-?: NonNullable<T[K]> extends string | number | boolean ? K : never;
}[Keys<T>];

/** How Athena finds an extra partition key's values under partition projection. */
export type ProjectedKey =
  | { readonly type: 'enum'; readonly values: readonly string[] }
  /** Queries must give the value (`WHERE key = '...'`); any value is possible. */
  | { readonly type: 'injected' };

/**
 * Partition projection: Athena computes partitions from the key ranges instead of reading
 * them from the catalog, so nothing is registered at run time.
 */
export interface ProjectionOptions<Key extends string = string> {
  /** Years the time keys span (inclusive); e.g. `{ from: 2024, to: 2030 }`. */
  readonly years: { readonly from: number; readonly to: number };
  /** One entry per extra partition key (checked when the job loads). */
  readonly keys?: Readonly<Partial<Record<Key, ProjectedKey>>>;
}

export interface TableOptions<Row extends z.ZodObject> {
  /** Glue database (lowercase letters, digits, `_`). */
  readonly database: string;
  /** Glue table (lowercase letters, digits, `_`). */
  readonly name: string;
  /** Schema of the rows the table stores; each row is validated against it before writing. */
  readonly rows: Row;
  /** Time partitioning: `hourOf('<timestamp field>')` or `arrivalHour()`. */
  readonly partitionBy: TimePartitioning<TimestampKeys<z.output<Row>>>;
  /** Extra partition keys after the hour, taken from row fields (removed from the data columns, as Hive requires). */
  readonly partitionKeys?: ReadonlyArray<PartitionValueKeys<z.output<Row>>>;
  /** Parquet compression; `zstd` unless said otherwise. */
  readonly compression?: Compression;
  /** Key prefix in the bucket; the database name unless said otherwise. */
  readonly prefix?: string;
  /** Partition projection instead of partition registration. */
  readonly projection?: ProjectionOptions<PartitionValueKeys<z.output<Row>>>;
}

/** An output table as declared. Validated and resolved by `defineJob`. */
export interface TableDeclaration<Row extends z.ZodObject = z.ZodObject> {
  readonly kind: 'table';
  readonly database: string;
  readonly name: string;
  readonly rows: Row;
  readonly partitionBy: TimePartitioning;
  readonly partitionKeys: readonly string[];
  readonly compression: Compression;
  readonly prefix: string;
  readonly projection?: ProjectionOptions;
}

/**
 * Declares the output table: Parquet files in S3 registered in the Glue Data Catalog.
 *
 * @example
 * ```ts
 * output: table({ database: 'iot', name: 'sensor_readings', rows: SensorRow,
 *                 partitionBy: hourOf('event_time') }),
 * ```
 */
export function table<Row extends z.ZodObject>(options: TableOptions<Row>): TableDeclaration<Row> {
  return {
    kind: 'table',
    database: options.database,
    name: options.name,
    rows: options.rows,
    partitionBy: options.partitionBy,
    partitionKeys: [...(options.partitionKeys ?? [])],
    compression: options.compression ?? Compression.Zstd,
    prefix: options.prefix ?? options.database,
    ...(options.projection ? { projection: options.projection as ProjectionOptions } : {}),
  };
}
