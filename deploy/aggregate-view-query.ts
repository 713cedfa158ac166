import { athenaViewDdl } from '../src/aggregate/athena-view-ddl.ts';
import type { Job } from '../src/job/define-job.ts';
import type { CfnResource } from './cloudformation.ts';

/**
 * For an aggregate job, a saved Athena query holding the `CREATE OR REPLACE VIEW` of its
 * merged view, so the view is one click away in the Athena console after a deploy (Athena
 * views cannot be declared as plain CloudFormation); `undefined` for a plain job.
 *
 * @example
 * ```ts
 * aggregateViewQueryResource(hourlyJob);
 * // { Type: 'AWS::Athena::NamedQuery', Properties: { Database: 'iot', Name: 'sluice sensor-hourly: create view iot.sensor_hourly', QueryString: 'CREATE OR REPLACE VIEW ...' } }
 * ```
 */
export function aggregateViewQueryResource(job: Job): CfnResource | undefined {
  const ddl = athenaViewDdl(job);
  const view = job.output.aggregate?.view;
  if (ddl === undefined || view === undefined) return undefined;
  return {
    Type: 'AWS::Athena::NamedQuery',
    Properties: {
      Database: view.database,
      Name: `sluice ${job.name}: create view ${view.database}.${view.name}`,
      Description: `Run once after deploying (and after changing the measures): merges the partials of ${job.output.database}.${job.output.name} into one row per window and group.`,
      QueryString: ddl,
    },
  };
}
