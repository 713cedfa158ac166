import { spawn, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { SLUICE_PACKAGE_ROOT } from '../../runtime/sluice-package.ts';
import { cachedOutcome } from './check-cache.ts';
import { outcomeOf, type CheckOutcome } from './check-outcome.ts';
import type { TypeDiagnostic } from './type-check.ts';

/** The CLI's entry, which a background check runs as `sluice check <job>`. */
const SLUICE_BIN = join(SLUICE_PACKAGE_ROOT, 'bin', 'sluice.js');
/** Below the run's own priority: the compiler's seconds of CPU should not slow the batches. */
const NICE = 10;

/**
 * A type-check of one job running beside `sluice run`.
 *
 * @example
 * ```ts
 * const check = startBackgroundCheck({ job: 'sensor-readings', jobsDir: 'jobs', stateDir: '.sluice' });
 * const outcome = await check.outcome; // undefined when it could not tell
 * ```
 */
export interface BackgroundCheck {
  /** The outcome; undefined when the check could not run or was stopped. Never rejects. */
  readonly outcome: Promise<CheckOutcome | undefined>;
  /** Ends a check still running (the run is over and will not wait for it). */
  stop(): void;
}

/**
 * Tells whether a job type-checks without delaying the run: from the cache when no file the
 * job's program read has changed since the last check, otherwise by `sluice check <job>` in
 * a child process at a lower priority, which keeps its outcome for the next run.
 *
 * @example
 * ```ts
 * const check = startBackgroundCheck({ job: job.name, jobsDir: flags.jobs, stateDir: flags.dir });
 * void check.outcome.then((o) => o && o.errors > 0 && log.warn(`${o.errors} type errors: ${o.first}`));
 * ```
 */
export function startBackgroundCheck(options: { readonly job: string; readonly jobsDir: string; readonly stateDir: string }): BackgroundCheck {
  let child: ChildProcess | undefined;
  let stopped = false;
  const outcome = (async (): Promise<CheckOutcome | undefined> => {
    const cached = await cachedOutcome({ stateDir: options.stateDir, job: options.job, jobsDir: options.jobsDir });
    if (cached !== undefined || stopped) return cached;
    const args = [SLUICE_BIN, '--dir', options.stateDir, '--jobs', options.jobsDir, 'check', options.job, '--json', '--cache'];
    const output = await new Promise<string | undefined>((done) => {
      let stdout = '';
      child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
      try {
        if (child.pid !== undefined) setPriority(child.pid, NICE);
      } catch {
        // A lower priority is a courtesy; a system that refuses it runs the check as it is.
      }
      child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.on('error', () => done(undefined));
      child.on('close', () => done(stopped ? undefined : stdout));
    });
    if (output === undefined) return undefined;
    try {
      const report = JSON.parse(output) as { errors: TypeDiagnostic[] };
      return outcomeOf(options.job, report.errors);
    } catch {
      return undefined;
    }
  })().catch(() => undefined);
  return {
    outcome,
    stop: () => {
      stopped = true;
      child?.kill();
    },
  };
}
