import type { z } from 'zod';
import { Compression } from './table.ts';

/**
 * Declarations of windowed aggregation: an output table whose rows are event-time tumbling
 * windows per group, with measures. Each micro-batch stores mergeable partial aggregates;
 * a view merges them into one row per window and group (DESIGN.md §6).
 */

/** What a measure computes. */
export const MeasureKind = {
  Count: 'count',
  Sum: 'sum',
  Min: 'min',
  Max: 'max',
  Avg: 'avg',
  ApproxDistinct: 'approx_distinct',
  ApproxPercentile: 'approx_percentile',
} as const;
export type MeasureKind = (typeof MeasureKind)[keyof typeof MeasureKind];

/**
 * One measure of an aggregate. `Out` is the type of the measure's value in a merged row;
 * it exists for the compiler only.
 */
export interface Measure<Kind extends MeasureKind = MeasureKind, Out = unknown> {
  readonly kind: Kind;
  /** The row field measured; absent for `count()`. */
  readonly field?: string;
  /** The quantile of an approximate percentile, 0 to 1. */
  readonly quantile?: number;
  /** Phantom: the merged value's type. */
  readonly '~out'?: Out;
}

type Keys<T> = Extract<keyof T, string>;
/** Fields holding numbers: the only ones `sum`, `min`, `max`, `avg` and percentiles accept. */
export type NumericKeys<T> = { [K in Keys<T>]-?: NonNullable<T[K]> extends number ? K : never }[Keys<T>];
/** Fields whose values can be a group key or be counted distinct. */
export type GroupableKeys<T> = {
  [K in Keys<T>]-?: NonNullable<T[K]> extends string | number | boolean | Date | bigint ? K : never;
}[Keys<T>];
type TimestampKeys<T> = { [K in Keys<T>]-?: NonNullable<T[K]> extends Date | string ? K : never }[Keys<T>];

/**
 * Builds measures over rows of type `T`. A measure over a field that is not a number is a
 * compile error (and, for untyped callers, a load-time error).
 *
 * @example
 * ```ts
 * measures: (m) => ({ readings: m.count(), avg_temperature: m.avg('temperature'), p95: m.approxPercentile('temperature', 0.95) }),
 * ```
 */
export interface MeasureBuilder<T> {
  /** Rows in the window and group. */
  count(): Measure<'count', number>;
  /** Sum of the field's non-null values; null when there are none. */
  sum(field: NumericKeys<T>): Measure<'sum', number | null>;
  min(field: NumericKeys<T>): Measure<'min', number | null>;
  max(field: NumericKeys<T>): Measure<'max', number | null>;
  /** Mean of the field's non-null values (kept as sum and count, so it merges exactly). */
  avg(field: NumericKeys<T>): Measure<'avg', number | null>;
  /** Distinct non-null values, exact up to 1024 and within about 3 % above (a KMV sketch). */
  approxDistinct(field: GroupableKeys<T>): Measure<'approx_distinct', number>;
  /** The `quantile` (0-1) of the field's values within 1 % relative error (a DDSketch). */
  approxPercentile(field: NumericKeys<T>, quantile: number): Measure<'approx_percentile', number | null>;
}

const measureBuilder: MeasureBuilder<never> = {
  count: () => ({ kind: MeasureKind.Count }),
  sum: (field) => ({ kind: MeasureKind.Sum, field }),
  min: (field) => ({ kind: MeasureKind.Min, field }),
  max: (field) => ({ kind: MeasureKind.Max, field }),
  avg: (field) => ({ kind: MeasureKind.Avg, field }),
  approxDistinct: (field) => ({ kind: MeasureKind.ApproxDistinct, field }),
  approxPercentile: (field, quantile) => ({ kind: MeasureKind.ApproxPercentile, field, quantile }),
};

/** An event-time tumbling window: fixed, non-overlapping, aligned to the UTC epoch. */
export interface TumblingWindow<Field extends string = string> {
  readonly kind: 'tumbling';
  /** The size as written, e.g. `'5 minutes'`. */
  readonly size: string;
  /** The timestamp field of the row that places it in a window. */
  readonly on: Field;
}

/**
 * A tumbling window of `size` (e.g. `'5 minutes'`, `'1 hour'`, `'30s'`) over a timestamp
 * field. The size must divide an hour, so every window lies in one hour partition.
 *
 * @example
 * ```ts
 * window: tumbling('5 minutes', { on: 'event_time' }),
 * ```
 */
export function tumbling<const Field extends string>(size: string, options: { readonly on: Field }): TumblingWindow<Field> {
  return { kind: 'tumbling', size, on: options.on };
}

/** The columns every merged aggregate row starts with. */
export interface WindowColumns {
  /** Inclusive start of the window (UTC). */
  readonly window_start: Date;
  /** Exclusive end of the window (UTC). */
  readonly window_end: Date;
}

/** One merged row of an aggregate: window, group keys, then each measure's value. */
export type AggregateRow<T, G extends Keys<T>, M extends Record<string, Measure>> = WindowColumns & {
  readonly [K in G]: T[K];
} & { readonly [K in keyof M]: NonNullable<M[K]['~out']> | Extract<M[K]['~out'], null> };

export interface AggregateTableOptions<
  Row extends z.ZodObject,
  G extends GroupableKeys<z.output<Row>>,
  M extends Record<string, Measure>,
> {
  /** Glue database (lowercase letters, digits, `_`). */
  readonly database: string;
  /** Name of the merged view users query; the partials are stored in table `<name>_partials`. */
  readonly name: string;
  /** Schema of the rows aggregated (the last step's output); each row is validated against it. */
  readonly rows: Row;
  /** `tumbling('<size>', { on: '<timestamp field>' })`. */
  readonly window: TumblingWindow<TimestampKeys<z.output<Row>>>;
  /** Fields that, with the window, identify a merged row; may be empty. */
  readonly groupBy: readonly G[];
  /** The measures, by output column name. */
  readonly measures: (m: MeasureBuilder<z.output<Row>>) => M;
  /** Parquet compression; `zstd` unless said otherwise. */
  readonly compression?: Compression;
  /** Key prefix in the bucket; the database name unless said otherwise. */
  readonly prefix?: string;
}

/** An aggregate output as declared. Validated and resolved by `defineJob`. */
export interface AggregateTableDeclaration<Row extends z.ZodObject = z.ZodObject, Out = unknown> {
  readonly kind: 'aggregate-table';
  readonly database: string;
  readonly name: string;
  readonly rows: Row;
  readonly window: TumblingWindow;
  readonly groupBy: readonly string[];
  readonly measures: Readonly<Record<string, Measure>>;
  readonly compression: Compression;
  readonly prefix: string;
  /** Phantom: the type of one merged row. */
  readonly '~row'?: Out;
}

/**
 * Declares an aggregate output: event-time tumbling windows per group with measures. Each
 * batch writes partial aggregates to `<database>.<name>_partials`; the view
 * `<database>.<name>` (in `sluice query`, and in Athena from `sluice ddl`) merges them into
 * one row per window and group, exactly, whatever the batching, retries or late records.
 *
 * @example
 * ```ts
 * output: aggregateTable({
 *   database: 'iot', name: 'sensor_hourly', rows: Reading,
 *   window: tumbling('5 minutes', { on: 'event_time' }),
 *   groupBy: ['device_id'],
 *   measures: (m) => ({ readings: m.count(), avg_temperature: m.avg('temperature') }),
 * }),
 * ```
 */
export function aggregateTable<
  Row extends z.ZodObject,
  const G extends GroupableKeys<z.output<Row>>,
  const M extends Record<string, Measure>,
>(options: AggregateTableOptions<Row, G, M>): AggregateTableDeclaration<Row, AggregateRow<z.output<Row>, G, M>> {
  const measures = typeof options.measures === 'function' ? options.measures(measureBuilder as unknown as MeasureBuilder<z.output<Row>>) : options.measures;
  return {
    kind: 'aggregate-table',
    database: options.database,
    name: options.name,
    rows: options.rows,
    window: options.window,
    groupBy: [...(options.groupBy ?? [])],
    measures,
    compression: options.compression ?? Compression.Zstd,
    prefix: options.prefix ?? options.database,
  };
}

/**
 * The type of one merged row of an aggregate job's view.
 *
 * @example
 * ```ts
 * type Hourly = AggregateRowOf<typeof hourlyOutput>; // { window_start: Date; device_id: string; readings: number; ... }
 * ```
 */
export type AggregateRowOf<D> = D extends AggregateTableDeclaration<z.ZodObject, infer Out> ? Out : never;
