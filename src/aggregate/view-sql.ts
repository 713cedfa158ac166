import type { MeasureKind } from '../job/aggregate.ts';
import { stateColumnNames, type ResolvedMeasure } from './measure-states.ts';
import type { ResolvedAggregate } from './resolve-aggregate.ts';
import { DISTINCT_SKETCH_SIZE } from './sketches/distinct-sketch.ts';
import { distinctMergeSql, quantileMergeSql, SqlDialect } from './sketches/sketch-sql.ts';

/**
 * The SQL of an aggregate's merged view: partial rows of every batch (and of compaction)
 * merged into one row per window and group at read time. The same shape for DuckDB
 * (`sluice query`) and Athena (`sluice ddl`); only a few expressions differ per dialect.
 */

export { SqlDialect };

/**
 * A SQL identifier in double quotes, as both DuckDB and Athena (Trino) read it.
 *
 * @example
 * ```ts
 * quoteIdentifier('window_start'); // '"window_start"'
 * ```
 */
export const quoteIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`;

interface DialectSql {
  /** The window's exclusive end from its start. */
  readonly windowEnd: (start: string, seconds: number) => string;
}

const dialects: { readonly [D in SqlDialect]: DialectSql } = {
  duckdb: { windowEnd: (start, seconds) => `${start} + INTERVAL ${seconds} SECOND` },
  athena: { windowEnd: (start, seconds) => `date_add('second', ${seconds}, ${start})` },
};

/** A measure merged by a plain aggregate function over the group's partial rows. */
type PlainMerge = (m: ResolvedMeasure) => string;
/** A measure merged by its own subquery (a sketch), joined back to the group. */
type SketchMerge = (m: ResolvedMeasure, options: { dialect: SqlDialect; from: string; groupBy: readonly string[] }) => string;

const col = (name: string) => `p.${quoteIdentifier(name)}`;

const merges: { readonly [K in MeasureKind]: { readonly plain: PlainMerge } | { readonly sketch: SketchMerge } } = {
  count: { plain: (m) => `CAST(SUM(${col(m.name)}) AS BIGINT)` },
  sum: { plain: (m) => `SUM(${col(m.name)})` },
  min: { plain: (m) => `MIN(${col(m.name)})` },
  max: { plain: (m) => `MAX(${col(m.name)})` },
  avg: {
    plain: (m) =>
      `SUM(${col(stateColumnNames.sum(m.name))}) / CAST(NULLIF(SUM(${col(stateColumnNames.count(m.name))}), 0) AS DOUBLE)`,
  },
  approx_distinct: {
    sketch: (m, o) =>
      distinctMergeSql({ ...o, hashes: quoteIdentifier(stateColumnNames.hashes(m.name)), k: DISTINCT_SKETCH_SIZE, as: quoteIdentifier(m.name) }),
  },
  approx_percentile: {
    sketch: (m, o) =>
      quantileMergeSql({
        ...o,
        values: quoteIdentifier(stateColumnNames.values(m.name)),
        counts: quoteIdentifier(stateColumnNames.counts(m.name)),
        q: m.quantile!,
        as: quoteIdentifier(m.name),
      }),
  },
};

/**
 * Options of {@link aggregateViewSelect}.
 *
 * @example
 * ```ts
 * const options: AggregateViewSelectOptions = { aggregate, dialect: SqlDialect.Athena, partials: '"iot"."sensor_hourly_partials"', partitionKeys: job.output.allPartitionKeys };
 * ```
 */
export interface AggregateViewSelectOptions {
  readonly aggregate: ResolvedAggregate;
  readonly dialect: SqlDialect;
  /** The partials table: a quoted, qualified name. */
  readonly partials: string;
  /** The partials table's partition keys (`year`, `month`, `day`, `hour`), passed through to the view. */
  readonly partitionKeys: readonly string[];
}

/**
 * `SELECT ...` of the merged view over the partials table. Columns are the aggregate's
 * `viewColumns`, in order, then the partition keys. A window lies in one hour partition, so
 * grouping by the partition keys as well changes no group; it lets a filter on them (`WHERE
 * year = '2026' AND day = '23'`) reach the partials table's scan, which then reads only those
 * partitions, in Athena as in DuckDB.
 *
 * @example
 * ```ts
 * const select = aggregateViewSelect({ aggregate, dialect: SqlDialect.DuckDb, partials: '"iot"."sensor_hourly_partials"', partitionKeys: ['year', 'month', 'day', 'hour'] });
 * await connection.run(`CREATE VIEW "iot"."sensor_hourly" AS ${select}`);
 * ```
 */
export function aggregateViewSelect(options: AggregateViewSelectOptions): string {
  const { aggregate, dialect } = options;
  const partitionKeys = options.partitionKeys.map(quoteIdentifier);
  const keys = ['window_start', ...aggregate.groupBy.map((c) => c.name)].map(quoteIdentifier).concat(partitionKeys);
  const plain: string[] = [];
  const sketches: Array<{ alias: string; measure: ResolvedMeasure; sql: string }> = [];
  for (const measure of aggregate.measures) {
    const merge = merges[measure.kind];
    if ('plain' in merge) {
      plain.push(`${merge.plain(measure)} AS ${quoteIdentifier(measure.name)}`);
    } else {
      const alias = `s${sketches.length}`;
      sketches.push({ alias, measure, sql: merge.sketch(measure, { dialect, from: 'p', groupBy: keys }) });
    }
  }
  const ctes = [
    `p AS (SELECT * FROM ${options.partials})`,
    `b AS (SELECT ${[...keys.map((k) => `p.${k}`), ...plain].join(', ')} FROM p GROUP BY ${keys.map((k) => `p.${k}`).join(', ')})`,
    ...sketches.map((s) => `${s.alias} AS (${s.sql})`),
  ];
  const sketchOf = new Map(sketches.map((s) => [s.measure.name, s.alias]));
  const select = [
    `b.${quoteIdentifier('window_start')}`,
    `${dialects[dialect].windowEnd(`b.${quoteIdentifier('window_start')}`, aggregate.windowMs / 1000)} AS ${quoteIdentifier('window_end')}`,
    ...aggregate.groupBy.map((c) => `b.${quoteIdentifier(c.name)}`),
    ...aggregate.measures.map((m) => `${sketchOf.get(m.name) ?? 'b'}.${quoteIdentifier(m.name)}`),
    ...partitionKeys.map((k) => `b.${k}`),
  ];
  // Group keys may be NULL: IS NOT DISTINCT FROM joins a NULL group to itself, as GROUP BY made it one group.
  const joins = sketches.map(
    (s) => `LEFT JOIN ${s.alias} ON ${keys.map((k) => `b.${k} IS NOT DISTINCT FROM ${s.alias}.${k}`).join(' AND ')}`,
  );
  return `WITH ${ctes.join(',\n')}\nSELECT ${select.join(', ')}\nFROM b${joins.length ? `\n${joins.join('\n')}` : ''}`;
}
