import { athenaViewDdl } from '../src/aggregate/athena-view-ddl.ts';
import type { Job } from '../src/job/define-job.ts';
import type { CfnResource } from './cloudformation.ts';

/**
 * An aggregate job's saved Athena query: the resource, and the names the stack's outputs
 * point the reader to.
 *
 * @example
 * ```ts
 * const query: AggregateViewQuery = aggregateViewQuery(hourlyJob)!;
 * query.view; // 'iot.sensor_hourly'
 * ```
 */
export interface AggregateViewQuery {
  /** `<database>.<view>`: the merged view the query creates. */
  readonly view: string;
  /** The query's name in the Athena console. */
  readonly name: string;
  readonly resource: CfnResource;
}

/**
 * For an aggregate job, a saved Athena query holding the `CREATE OR REPLACE VIEW` of its
 * merged view, so the view is one click away in the Athena console after a deploy (Athena
 * views cannot be declared as plain CloudFormation); `undefined` for a plain job.
 *
 * @example
 * ```ts
 * aggregateViewQuery(hourlyJob);
 * // { view: 'iot.sensor_hourly', name: 'sluice sensor-hourly: create view iot.sensor_hourly',
 * //   resource: { Type: 'AWS::Athena::NamedQuery', Properties: { Database: 'iot', Name: ..., QueryString: 'CREATE OR REPLACE VIEW ...' } } }
 * ```
 */
export function aggregateViewQuery(job: Job): AggregateViewQuery | undefined {
  const ddl = athenaViewDdl(job);
  const view = job.output.aggregate?.view;
  if (ddl === undefined || view === undefined) return undefined;
  const qualified = `${view.database}.${view.name}`;
  const name = `sluice ${job.name}: create view ${qualified}`;
  return {
    view: qualified,
    name,
    resource: {
      Type: 'AWS::Athena::NamedQuery',
      Properties: {
        Database: view.database,
        Name: name,
        Description: `Run once after deploying (and after changing the measures): merges the partials of ${job.output.database}.${job.output.name} into one row per window and group.`,
        QueryString: ddl,
      },
    },
  };
}
