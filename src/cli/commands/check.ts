import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { messageOf } from '../../error-message.ts';
import { JobNotFoundError, TypeCheckError } from '../../errors.ts';
import { describeConflict, tableConflicts } from '../../job/table-conflicts.ts';
import type { Job } from '../../job/define-job.ts';
import { listJobs, loadJob } from '../../runtime/load-job.ts';
import { keepOutcome } from '../check/check-cache.ts';
import { outcomeOf } from '../check/check-outcome.ts';
import type { TypeDiagnostic } from '../check/type-check.ts';
import { createCliLogger } from '../logger.ts';

interface CheckFlags {
  readonly dir: string;
  readonly jobs: string;
  readonly json?: boolean;
  /** Keep the outcome in the state folder for `sluice run` (one job only). */
  readonly cache?: boolean;
}

/**
 * What `sluice check --json` prints.
 *
 * @example
 * ```ts
 * const report: CheckReport = { ok: false, config: '/p/tsconfig.json', jobs: [{ job: 'draft', loads: true }], errors: [...], conflicts: [] };
 * ```
 */
export interface CheckReport {
  readonly ok: boolean;
  /** The tsconfig.json the compiler used; null for sluice's default settings. */
  readonly config: string | null;
  readonly jobs: ReadonlyArray<{ readonly job: string; readonly loads: boolean; readonly error?: string }>;
  /** The compiler's errors in the user's files. */
  readonly errors: readonly TypeDiagnostic[];
  /** Pairs of jobs that declare the same table, as sentences. */
  readonly conflicts: readonly string[];
}

/** Each job loaded after the compiler ran: a definition error shows beside the type errors. */
async function loadEach(names: readonly string[], jobsDir: string): Promise<{ loaded: Job[]; jobs: CheckReport['jobs'] }> {
  const loaded: Job[] = [];
  const jobs: Array<CheckReport['jobs'][number]> = [];
  for (const name of names) {
    try {
      loaded.push(await loadJob(name, { jobsDir }));
      jobs.push({ job: name, loads: true });
    } catch (error) {
      jobs.push({ job: name, loads: false, error: messageOf(error) });
    }
  }
  return { loaded, jobs };
}

/**
 * `sluice check [job]`: type-checks the job modules with the TypeScript compiler (the
 * project's tsconfig.json, or strict defaults without one), prints its messages, then loads
 * each job so definition errors show too. Exits 1 on any error. `sluice run` runs it in the
 * background and warns when the job does not type-check.
 *
 * @example
 * ```sh
 * npx sluice check sensor-readings
 * ```
 */
export function registerCheck(program: Command): void {
  program
    .command('check')
    .description("type-check job modules with the TypeScript compiler (the project's tsconfig.json, or strict defaults) and load them; exit 1 on any error")
    .argument('[job]', 'one job (all jobs in the jobs folder when absent)')
    .option('--json', 'print one JSON object: {"ok","config","jobs":[{"job","loads","error"?}],"errors":[{"file","line","column","code","message"}],"conflicts"}')
    .addOption(new Option('--cache', "keep the outcome in the state folder for sluice run (one job)").hideHelp())
    .action(async (name: string | undefined, flags: CheckFlags) => {
      const log = createCliLogger({ quiet: flags.json === true });
      const available = await listJobs({ jobsDir: flags.jobs });
      // Named here as every command names a missing job; the compiler would only say it cannot read a file.
      if (name !== undefined && !available.includes(name)) {
        throw new JobNotFoundError(name, `${resolve(flags.jobs)} (available: ${available.join(', ') || 'none'})`);
      }
      const names = name === undefined ? available : [name];
      const startedAt = Date.now();
      // The compiler takes a quarter of a second to load: only this command pays for it.
      const { typeCheck } = await import('../check/type-check.ts');
      const result = typeCheck({ files: names.map((n) => join(resolve(flags.jobs), `${n}.ts`)), pretty: flags.json !== true && process.stdout.isTTY === true });
      const { loaded, jobs } = await loadEach(names, flags.jobs);
      const conflicts = name === undefined ? tableConflicts(loaded).map(describeConflict) : [];
      const report: CheckReport = { ok: result.errors.length === 0 && jobs.every((j) => j.loads) && conflicts.length === 0, config: result.config ?? null, jobs, errors: result.errors, conflicts };
      if (flags.cache && name !== undefined && jobs[0]?.loads) {
        await keepOutcome({ stateDir: flags.dir, jobsDir: flags.jobs, startedAt, result, outcome: outcomeOf(name, result.errors) });
      }
      if (flags.json) process.stdout.write(`${JSON.stringify(report)}\n`);
      else {
        if (result.errors.length > 0) process.stdout.write(result.formatted);
        for (const job of jobs) if (!job.loads) log.error(`job '${job.job}' does not load: ${job.error}`);
        for (const conflict of conflicts) log.error(conflict);
      }
      const settings = `compiler settings: ${result.config ?? `sluice's defaults, no tsconfig.json above ${flags.jobs}`}`;
      const checked = `checked ${names.length} job${names.length === 1 ? '' : 's'} (${settings})`;
      if (!report.ok) {
        const broken = jobs.filter((j) => !j.loads).length;
        const problems = [
          ...(result.errors.length > 0 ? [`${result.errors.length} type error${result.errors.length === 1 ? '' : 's'}`] : []),
          ...(broken > 0 ? [`${broken} ${broken === 1 ? 'does' : 'do'} not load`] : []),
          ...(conflicts.length > 0 ? [`${conflicts.length} table conflict${conflicts.length === 1 ? '' : 's'}`] : []),
        ];
        throw new TypeCheckError(`${checked}: ${problems.join(', ')}; fix what is shown above`);
      }
      log.success(`${checked}: ${names.length === 1 ? 'it type-checks and loads' : 'they type-check and load'}: ${names.join(', ') || 'none'}`);
    });
}
