import type { Command } from 'commander';
import { listJobs, loadJob } from '../../runtime/load-job.ts';

/** `sluice jobs`: the jobs in the jobs folder, each loaded (so a bad definition shows here). */
export function registerJobs(program: Command): void {
  program
    .command('jobs')
    .description('list the jobs and their stream and table (loading each, so definition errors show)')
    .action(async (flags: { jobs: string }) => {
      for (const name of await listJobs({ jobsDir: flags.jobs })) {
        const job = await loadJob(name, { jobsDir: flags.jobs });
        const table = `${job.output.database}.${job.output.name}`;
        const view = job.output.aggregate ? `${job.output.aggregate.view.database}.${job.output.aggregate.view.name} (merged view of ${table})` : table;
        process.stdout.write(`${job.name}\t${job.source.stream} -> ${view}\n`);
      }
    });
}
