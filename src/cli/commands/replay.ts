import type { Command } from 'commander';
import { loadJob } from '../../runtime/load-job.ts';
import { openLocalEnvironment } from '../../runtime/local-environment.ts';
import { replayRange, ReplayStatus, type ReplayOutcomeOfBatch } from '../../runtime/range-replay.ts';
import { createCliLogger } from '../logger.ts';
import { instant } from '../option-parsers.ts';
import { endpointFlags } from './run.ts';

interface ReplayFlags {
  readonly dir: string;
  readonly jobs: string;
  readonly endpoint?: string;
  readonly region?: string;
  readonly from: Date;
  readonly to?: Date;
  readonly json?: boolean;
}

/**
 * `sluice replay <job> --from <time> [--to <time>]`: reprocesses what the stream holds for a
 * time range into the same table, batch by batch as it was first committed, with the job as
 * it is now, without duplicates.
 *
 * @example
 * ```sh
 * npx sluice replay sensor-readings --from 2026-12-03T08:00:00Z --to 2026-12-03T09:00:00Z
 * ```
 */
export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('reprocess the batches that arrived in a time range with the job as it is now; their earlier output is replaced, nothing is duplicated')
    .argument('<job>', 'job name: jobs/<job>.ts')
    .requiredOption('--from <time>', 'first arrival time (ISO-8601)', instant)
    .option('--to <time>', 'last arrival time (ISO-8601; now when absent)', instant)
    .option('--json', 'print the outcome of each batch as JSON')
    .action(async (name: string, flags: ReplayFlags) => {
      const log = createCliLogger();
      const job = await loadJob(name, { jobsDir: flags.jobs });
      const env = await openLocalEnvironment({ dir: flags.dir, ...endpointFlags(flags) });
      let outcomes: ReplayOutcomeOfBatch[];
      try {
        outcomes = await replayRange({
          job,
          kinesis: env.kinesis,
          store: env.store,
          catalog: env.catalog,
          metricsLog: env.metricsLog,
          from: flags.from,
          ...(flags.to ? { to: flags.to } : {}),
          onBatch: (o) => {
            const line = `${o.shardId} ${o.first}..${o.last}: ${o.status}${o.records === undefined ? '' : ` (${o.records} records, ${o.filesWritten} files written, ${o.filesRemoved} earlier files removed)`}${o.error ? `: ${o.error}` : ''}`;
            if (o.status === ReplayStatus.Replayed) log.info(line);
            else log.warn(line);
          },
        });
      } finally {
        await env.close();
      }
      if (flags.json) process.stdout.write(`${JSON.stringify({ job: job.name, outcomes })}\n`);
      const count = (status: ReplayStatus) => outcomes.filter((o) => o.status === status).length;
      if (outcomes.length === 0) log.warn(`no committed batch of ${job.name} arrived in that range (replay reprocesses batches sluice run committed and kept in its metrics log)`);
      else log.success(`${outcomes.length} batches: ${count(ReplayStatus.Replayed)} replayed, ${count(ReplayStatus.Compacted)} left alone (compacted), ${count(ReplayStatus.Expired)} expired, ${count(ReplayStatus.Failed)} failed`);
      if (count(ReplayStatus.Failed) > 0) process.exitCode = 1;
    });
}
