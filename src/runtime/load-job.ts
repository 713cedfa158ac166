import { access, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { JobDefinitionError, JobNotFoundError } from '../errors.ts';
import type { Job } from '../job/define-job.ts';

export interface LoadJobOptions {
  /** Folder holding `<name>.ts` job modules; `./jobs` unless said otherwise. */
  readonly jobsDir?: string;
}

const isJob = (value: unknown): value is Job =>
  typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'sluice.job';

/**
 * Imports `jobs/<name>.ts` and returns its default export, a job from `defineJob`.
 * Load-time validation runs as the module evaluates, so a bad definition fails here.
 *
 * @example
 * ```ts
 * const job = await loadJob('sensor-readings', { jobsDir: 'jobs' });
 * ```
 */
export async function loadJob(name: string, options: LoadJobOptions = {}): Promise<Job> {
  const jobsDir = resolve(options.jobsDir ?? 'jobs');
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new JobNotFoundError(name, jobsDir);
  const file = join(jobsDir, `${name}.ts`);
  try {
    await access(file);
  } catch (error) {
    const available = await listJobs({ jobsDir });
    throw new JobNotFoundError(name, `${jobsDir} (available: ${available.join(', ') || 'none'})`, error);
  }
  const module = (await import(pathToFileURL(file).href)) as { default?: unknown };
  if (!isJob(module.default)) {
    throw new JobDefinitionError(name, `${file} must export default defineJob({...})`);
  }
  if (module.default.name !== name) {
    throw new JobDefinitionError(name, `${file} defines a job named '${module.default.name}'; name the file ${module.default.name}.ts or rename the job`);
  }
  return module.default;
}

/** Names of the job modules in a folder. */
export async function listJobs(options: LoadJobOptions = {}): Promise<string[]> {
  try {
    const entries = await readdir(resolve(options.jobsDir ?? 'jobs'));
    return entries.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).map((f) => f.slice(0, -3)).sort();
  } catch {
    return [];
  }
}
