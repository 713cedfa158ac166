import type { Job } from '../job/define-job.ts';
import { aggregateViewSelect, quoteIdentifier as quote, SqlDialect } from './view-sql.ts';

/**
 * The Athena `CREATE OR REPLACE VIEW` of an aggregate job's merged view, or `undefined`
 * for a plain job. It ends without `;`: Athena runs one statement per query. Run it once after the stack is deployed (and again after a change of
 * measures); the view reads the partials table the stack creates.
 *
 * @example
 * ```ts
 * athenaViewDdl(hourlyJob); // 'CREATE OR REPLACE VIEW "iot"."sensor_hourly" AS\nWITH p AS (SELECT * FROM "iot"."sensor_hourly_partials"), ...'
 * ```
 */
export function athenaViewDdl(job: Job): string | undefined {
  const aggregate = job.output.aggregate;
  if (!aggregate) return undefined;
  const partials = `${quote(job.output.database)}.${quote(job.output.name)}`;
  const select = aggregateViewSelect({ aggregate, dialect: SqlDialect.Athena, partials, partitionKeys: job.output.allPartitionKeys });
  return `CREATE OR REPLACE VIEW ${quote(aggregate.view.database)}.${quote(aggregate.view.name)} AS\n${select}`;
}
