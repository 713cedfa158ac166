import { resolve } from 'node:path';
import { TableConflictError } from '../errors.ts';
import type { Job } from '../job/define-job.ts';
import { describeConflict, tableConflicts, type TableConflict } from '../job/table-conflicts.ts';
import { listJobs, loadJob } from './load-job.ts';

/**
 * A job module that did not load, and why.
 *
 * @example
 * ```ts
 * const failure: JobLoadFailure = { name: 'draft', error: new JobDefinitionError('draft', 'source: ...') };
 * ```
 */
export interface JobLoadFailure {
  readonly name: string;
  readonly error: unknown;
}

/**
 * Every job module of a folder: the jobs that load, the ones that do not (with their error),
 * and the pairs of loaded jobs that declare the same table.
 *
 * @example
 * ```ts
 * const folder: JobsFolderContents = { jobs: [job], failures: [], conflicts: [] };
 * ```
 */
export interface JobsFolderContents {
  readonly jobs: readonly Job[];
  readonly failures: readonly JobLoadFailure[];
  readonly conflicts: readonly TableConflict[];
}

/**
 * Loads every job module of the folder, one failure not hiding the others.
 *
 * @example
 * ```ts
 * const { jobs, failures, conflicts } = await loadEveryJob({ jobsDir: 'jobs' });
 * ```
 */
export async function loadEveryJob(options: { readonly jobsDir: string }): Promise<JobsFolderContents> {
  const jobs: Job[] = [];
  const failures: JobLoadFailure[] = [];
  for (const name of await listJobs({ jobsDir: options.jobsDir })) {
    try {
      jobs.push(await loadJob(name, { jobsDir: options.jobsDir }));
    } catch (error) {
      failures.push({ name, error });
    }
  }
  return { jobs, failures, conflicts: tableConflicts(jobs) };
}

/**
 * Throws `TableConflictError` naming both jobs of the first conflict, if any.
 *
 * @example
 * ```ts
 * const folder = await loadEveryJob({ jobsDir });
 * assertNoTableConflicts(folder, { jobsDir });
 * ```
 */
export function assertNoTableConflicts(folder: Pick<JobsFolderContents, 'conflicts'>, options: { readonly jobsDir: string }): void {
  const [first, ...more] = folder.conflicts;
  if (first === undefined) return;
  const others = more.length > 0 ? ` (and ${more.length} more conflict${more.length === 1 ? '' : 's'}: ${more.map((c) => c.jobs.join(' / ')).join(', ')})` : '';
  throw new TableConflictError(`${describeConflict(first)}; in ${resolve(options.jobsDir)}${others}`);
}

/**
 * Checks that no other job of the folder declares `job`'s table, view or warehouse folder,
 * before a command writes to or describes it. Jobs that do not load cannot write anything and
 * are left to `sluice jobs` to report.
 *
 * @example
 * ```ts
 * const job = await loadJob('sensor-readings', { jobsDir });
 * await assertOwnsItsTable(job, { jobsDir });
 * ```
 */
export async function assertOwnsItsTable(job: Job, options: { readonly jobsDir: string }): Promise<void> {
  const others: Job[] = [];
  for (const name of await listJobs({ jobsDir: options.jobsDir })) {
    if (name === job.name) continue;
    try {
      others.push(await loadJob(name, { jobsDir: options.jobsDir }));
    } catch {
      continue;
    }
  }
  const conflicts = tableConflicts([job, ...others]).filter((c) => c.jobs.includes(job.name));
  assertNoTableConflicts({ conflicts }, options);
}
