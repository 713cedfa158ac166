import type { Command } from 'commander';
import { messageOf } from '../../error-message.ts';
import { JobsNotLoadedError } from '../../errors.ts';
import type { Job } from '../../job/define-job.ts';
import { describeConflict } from '../../job/table-conflicts.ts';
import { loadEveryJob } from '../../runtime/jobs-folder.ts';

/** A job's line: its stream and what it writes (an aggregate job's merged view). */
function describeJob(job: Job): string {
  const table = `${job.output.database}.${job.output.name}`;
  const view = job.output.aggregate ? `${job.output.aggregate.view.database}.${job.output.aggregate.view.name} (merged view of ${table})` : table;
  return `${job.source.stream} -> ${view}`;
}

/** One line per message: a module's error may carry a code frame over several. */
const oneLine = (text: string): string => text.split('\n')[0]!.trim();

/**
 * `sluice jobs`: every job in the jobs folder, each loaded (so a bad definition shows here).
 * A job that does not load, or declares another job's table, is listed with why, and the
 * command then exits 1.
 *
 * @example
 * ```sh
 * npx sluice jobs
 * # sensor-readings	iot-sensor -> iot.sensor_readings
 * # draft	NOT LOADED: job 'draft': source: use kinesisStream({ stream: '<name>', records: <zod schema> })
 * ```
 */
export function registerJobs(program: Command): void {
  program
    .command('jobs')
    .description('list every job with its stream and table, loading each; jobs that do not load, or declare the same table, are marked (exit 1)')
    .action(async (flags: { jobs: string }) => {
      const folder = await loadEveryJob({ jobsDir: flags.jobs });
      const conflicts = new Map<string, string>();
      for (const conflict of folder.conflicts) for (const name of conflict.jobs) conflicts.set(name, conflicts.get(name) ?? describeConflict(conflict));
      const lines = [
        ...folder.jobs.map((job) => ({ name: job.name, text: conflicts.has(job.name) ? `${describeJob(job)}\tCONFLICT: ${conflicts.get(job.name)}` : describeJob(job) })),
        ...folder.failures.map((f) => ({ name: f.name, text: `NOT LOADED: ${oneLine(messageOf(f.error))}` })),
      ].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const line of lines) process.stdout.write(`${line.name}\t${line.text}\n`);
      const bad = [...folder.failures.map((f) => f.name), ...conflicts.keys()];
      if (bad.length > 0) {
        throw new JobsNotLoadedError(
          `${bad.length} of ${lines.length} jobs cannot run: ${bad.sort().join(', ')}; fix what is shown beside each ` +
            '(`npx sluice check <job>` prints the compiler\'s messages)',
        );
      }
    });
}
