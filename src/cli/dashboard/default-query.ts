import type { Job } from '../../job/define-job.ts';

/**
 * How the SQL panel draws a result: `x` is the column on the horizontal axis (a time or a
 * number), `group` the column whose values become one series each (optional), and every other
 * numeric column a value. `table` shows the rows only.
 *
 * @example
 * ```ts
 * const chart: ChartSpec = { kind: 'chart', x: 'bucket', group: 'device_id' };
 * ```
 */
export type ChartSpec = { readonly kind: 'chart'; readonly x: string; readonly group?: string } | { readonly kind: 'table' };

/**
 * The query the SQL panel opens with, and how to draw it.
 *
 * @example
 * ```ts
 * const initial: DashboardQuery = { sql: 'SELECT * FROM "iot"."sensor_readings" LIMIT 100', chart: { kind: 'table' } };
 * ```
 */
export interface DashboardQuery {
  readonly sql: string;
  readonly chart: ChartSpec;
}

/**
 * Queries made for a known table, by `<database>.<table>`: the demo's data opens with the
 * average temperature per device per 5 minutes.
 */
const KNOWN_TABLE_QUERIES: Readonly<Record<string, DashboardQuery>> = {
  'iot.sensor_readings': {
    sql: [
      'SELECT time_bucket(INTERVAL 5 MINUTE, event_time) AS bucket, device_id,',
      '       round(avg(temperature_c), 2) AS avg_temperature_c',
      'FROM iot.sensor_readings',
      'GROUP BY bucket, device_id',
      'ORDER BY bucket, device_id',
    ].join('\n'),
    chart: { kind: 'chart', x: 'bucket', group: 'device_id' },
  },
};

/**
 * The SQL panel's first query for the jobs present: the known query of the first table that
 * has one, else the first rows of the first job's table (or merged view), else a query that
 * says there is nothing yet.
 *
 * @example
 * ```ts
 * defaultQuery([sensorReadings]).chart; // { kind: 'chart', x: 'bucket', group: 'device_id' }
 * ```
 */
export function defaultQuery(jobs: readonly Job[]): DashboardQuery {
  const tables = jobs.map((job) => job.output.aggregate?.view ?? job.output).map((t) => `${t.database}.${t.name}`);
  const known = tables.map((name) => KNOWN_TABLE_QUERIES[name]).find((query) => query !== undefined);
  if (known) return known;
  const first = tables[0];
  if (first === undefined) return { sql: `SELECT 'no jobs in the jobs folder' AS message`, chart: { kind: 'table' } };
  return { sql: `SELECT * FROM ${first} LIMIT 100`, chart: { kind: 'table' } };
}
