import type { Job } from './define-job.ts';
import { tableRootKey } from '../partition/object-keys.ts';
import { rejectsTableName } from '../format/rejects-table.ts';

/**
 * What a job claims for itself alone: its table's, rejects table's and view's names in the
 * catalog (tables and views share one namespace per database), and its table's warehouse folder (two jobs with
 * different databases but one prefix and table name would write the same files).
 */
interface Claim {
  /** Equal for two claims that collide. */
  readonly key: string;
  /** How the user reads it: `table iot.sensor_readings`. */
  readonly what: string;
}

function claimsOf(job: Job): Claim[] {
  const { output } = job;
  const table = `${output.database}.${output.name}`;
  const folder = tableRootKey({ prefix: output.prefix, table: output.name });
  const view = output.aggregate?.view;
  const rejects = `${output.database}.${rejectsTableName(output.name)}`;
  return [
    { key: `name:${table}`, what: `table ${table}` },
    { key: `name:${rejects}`, what: `rejects table ${rejects}` },
    ...(view ? [{ key: `name:${view.database}.${view.name}`, what: `view ${view.database}.${view.name}` }] : []),
    { key: `folder:${folder}`, what: `warehouse folder ${folder}/` },
  ];
}

/**
 * Two jobs that claim the same table, view or warehouse folder.
 *
 * @example
 * ```ts
 * const conflict: TableConflict = { jobs: ['sensor-readings', 'readings-copy'], what: ['table iot.sensor_readings', 'table iot.sensor_readings'] };
 * ```
 */
export interface TableConflict {
  readonly jobs: readonly [string, string];
  /** What each of the two jobs declares, in the order of `jobs`. */
  readonly what: readonly [string, string];
}

/**
 * Every pair of jobs that would write or name the same table, view or warehouse folder: each
 * would overwrite the other's files and partitions. One conflict per pair of jobs (named in
 * alphabetical order), the first claim they share.
 *
 * @example
 * ```ts
 * tableConflicts([sensorReadings, readingsCopy]);
 * // [{ jobs: ['sensor-readings', 'readings-copy'], what: ['table iot.sensor_readings', 'table iot.sensor_readings'] }]
 * ```
 */
export function tableConflicts(jobs: readonly Job[]): TableConflict[] {
  const claimedBy = new Map<string, { job: string; what: string }>();
  const conflicts = new Map<string, TableConflict>();
  for (const job of jobs) {
    for (const claim of claimsOf(job)) {
      const earlier = claimedBy.get(claim.key);
      if (earlier === undefined) {
        claimedBy.set(claim.key, { job: job.name, what: claim.what });
        continue;
      }
      if (earlier.job === job.name) continue;
      // Named in alphabetical order, so every command names a pair the same way.
      const [first, second] = earlier.job < job.name ? [earlier, { job: job.name, what: claim.what }] : [{ job: job.name, what: claim.what }, earlier];
      const pair = `${first.job}\u0000${second.job}`;
      if (!conflicts.has(pair)) conflicts.set(pair, { jobs: [first.job, second.job], what: [first.what, second.what] });
    }
  }
  return [...conflicts.values()];
}

/**
 * A conflict as a sentence that names both jobs and the fix.
 *
 * @example
 * ```ts
 * describeConflict(conflict);
 * // "jobs 'sensor-readings' and 'readings-copy' both declare table iot.sensor_readings: ..."
 * ```
 */
export function describeConflict(conflict: TableConflict): string {
  const [a, b] = conflict.jobs;
  const [whatA, whatB] = conflict.what;
  const declared = whatA === whatB ? `both declare ${whatA}` : `collide: '${a}' declares ${whatA}, '${b}' ${whatB}`;
  return `jobs '${a}' and '${b}' ${declared}; each would overwrite the other's files and partitions: give one of them its own output name, database or prefix`;
}
