import type { ViewDefinition } from '../catalog/query-engine.ts';
import type { Job } from '../job/define-job.ts';
import { aggregateViewSelect, quoteIdentifier as quote, SqlDialect } from './view-sql.ts';

/**
 * The merged views of the aggregate jobs among `jobs`, for the local query engine.
 *
 * @example
 * ```ts
 * const engine = await openQueryEngine({ catalog, views: aggregateViews([hourlyJob]) });
 * await engine.query('SELECT * FROM iot.sensor_hourly');
 * ```
 */
export function aggregateViews(jobs: readonly Job[]): ViewDefinition[] {
  return jobs.flatMap((job) => {
    const aggregate = job.output.aggregate;
    if (!aggregate) return [];
    const partials = { database: job.output.database, name: job.output.name };
    return [
      {
        ...aggregate.view,
        select: aggregateViewSelect({
          aggregate,
          dialect: SqlDialect.DuckDb,
          partials: `${quote(partials.database)}.${quote(partials.name)}`,
          partitionKeys: job.output.allPartitionKeys,
        }),
        reads: [partials],
      },
    ];
  });
}
