import { join } from 'node:path';
import type { Command } from 'commander';
import { NoRowsWrittenError } from '../../errors.ts';
import { rejectsRootKey } from '../../partition/object-keys.ts';
import { assertOwnsItsTable } from '../../runtime/jobs-folder.ts';
import { loadJob } from '../../runtime/load-job.ts';
import { openLocalEnvironment } from '../../runtime/local-environment.ts';
import { runJob, type RunSummary } from '../../runtime/local-runner.ts';
import { createCliLogger } from '../logger.ts';
import { startProgress } from '../progress.ts';
import { ProgressOutcome } from '../progress-outcome.ts';
import { decimal, wholeNumber } from '../option-parsers.ts';
import { stopSignal } from '../stop-signal.ts';
import { runEventLog, seededChaos } from '../run-events.ts';
import { startBackgroundCheck } from '../check/background-check.ts';
import type { CheckOutcome } from '../check/check-outcome.ts';
import { allRejectedWatch } from '../warnings/all-rejected.ts';
import { manyFilesWarning } from '../warnings/many-files.ts';

interface RunFlags {
  readonly dir: string;
  readonly jobs: string;
  readonly endpoint?: string;
  readonly region?: string;
  readonly untilCaughtUp?: boolean;
  readonly batchSize?: number;
  readonly batchWindow?: number;
  readonly startingPosition?: 'TRIM_HORIZON' | 'LATEST';
  readonly json?: boolean;
  readonly chaos?: number;
  readonly seed: number;
  readonly worker?: string;
}

/** `sluice run <job>`: consume the job's stream into its table until stopped or caught up. */
export function registerRun(program: Command): void {
  program
    .command('run')
    .description("consume every shard of the job's stream into its table (Ctrl-C stops after the in-flight batches commit)")
    .argument('<job>', 'job name: jobs/<job>.ts')
    .option('--until-caught-up', 'exit once every shard is read to its end')
    .option('--batch-size <n>', "records per batch (default: the job's batch.size)", wholeNumber({ min: 1, max: 10_000 }))
    .option('--batch-window <seconds>', "batching window (default: the job's batch.windowSeconds)", decimal({ max: 300 }))
    .option('--starting-position <position>', 'where a shard without a checkpoint starts: TRIM_HORIZON or LATEST', (v) => {
      if (v !== 'TRIM_HORIZON' && v !== 'LATEST') throw new Error('use TRIM_HORIZON or LATEST');
      return v;
    })
    .option('--chaos <p>', 'inject failures: each commit step fails or the worker dies with probability p (0-1)', decimal({ max: 1 }))
    .option('--seed <n>', 'seed of --chaos, for a replayable run', wholeNumber(), 1)
    .option('--worker <name>', 'this worker\'s name in shard leases (default <host>:<job>); give each worker sharing a stream its own')
    .option('--json', 'print the summary as JSON')
    .action(async (name: string, flags: RunFlags) => {
      const log = createCliLogger();
      const job = await loadJob(name, { jobsDir: flags.jobs });
      await assertOwnsItsTable(job, { jobsDir: flags.jobs });
      // tsx runs a job without checking its types: the compiler runs beside the run, or its cached outcome is used.
      const check = startBackgroundCheck({ job: job.name, jobsDir: flags.jobs, stateDir: flags.dir });
      const env = await openLocalEnvironment({ dir: flags.dir, ...endpointFlags(flags) });
      log.info(`running ${job.name}: stream ${job.source.stream} -> ${job.output.database}.${job.output.name} (Kinesis at ${env.endpoint})`);
      // A stream has no end to measure against: count records, with no total.
      const progress = startProgress({ label: job.name, unit: 'records', logger: log });
      const stop = stopSignal({
        onFirst: () => progress.interrupt(() => log.info('stopping after the in-flight batches commit (Ctrl-C again to quit at once)')),
      });
      const describeEvent = runEventLog(log);
      const warn = (line: string) => progress.interrupt(() => log.warn(line));
      void check.outcome.then((outcome) => outcome && outcome.errors > 0 && warn(typeCheckWarning(outcome)));
      const manyFiles = manyFilesWarning({ job, warn });
      const allRejected = allRejectedWatch({ job, store: env.store, warn });
      let summary: RunSummary | undefined;
      try {
        summary = await runJob({
          job,
          kinesis: env.kinesis,
          store: env.store,
          catalog: env.catalog,
          checkpoints: env.checkpoints,
          signal: stop.signal,
          ...(flags.untilCaughtUp ? { untilCaughtUp: true } : {}),
          ...(flags.batchSize ? { batchSize: flags.batchSize } : {}),
          ...(flags.batchWindow !== undefined ? { batchWindowSeconds: flags.batchWindow } : {}),
          ...(flags.startingPosition ? { startingPosition: flags.startingPosition } : {}),
          ...(flags.worker ? { worker: flags.worker } : {}),
          ...(flags.chaos ? { chaos: seededChaos({ probability: flags.chaos, seed: flags.seed }) } : {}),
          onEvent: (event) => progress.interrupt(() => describeEvent(event)),
          metricsLog: env.metricsLog,
          failuresDir: join(env.paths.failures, job.name),
          onBatch: (report) => {
            progress.interrupt(() =>
              log.info(`${report.shardId}: ${report.records} records -> ${report.rows} rows in ${report.files.length} files, ${report.rejects} rejects`),
            );
            progress.advance(report.records, report.shardId);
            manyFiles(report);
            allRejected.onBatch(report);
          },
        });
        await allRejected.settled();
        // A run that caught up waits for the check (it overlapped the run); a stopped one does not.
        if (summary.stopped) check.stop();
        else await check.outcome;
      } catch (error) {
        check.stop();
        throw error;
      } finally {
        // A run that threw or was stopped says so; only a run that caught up ends on "done".
        const outcome = summary === undefined ? ProgressOutcome.Failed : summary.stopped ? ProgressOutcome.Stopped : ProgressOutcome.Done;
        progress.done(undefined, { outcome });
        stop.dispose();
        await env.close();
      }
      if (flags.json) process.stdout.write(`${JSON.stringify({ job: job.name, ...summary, warehouse: env.paths.warehouse })}\n`);
      else {
        const totals = `${summary.records} records -> ${summary.rows} rows, ${summary.rejects} rejects, ${summary.files} files in ${summary.batches} batches`;
        if (summary.stopped) log.warn(`stopped: ${totals} committed; the next run resumes from the checkpoints`);
        else log.success(totals);
        if (summary.retries || summary.restarts) log.info(`${summary.retries} retried invocations, ${summary.restarts} worker restarts`);
        if (summary.sentToDestination) log.warn(`${summary.sentToDestination} records sent to the on-failure destination: ${join(env.paths.failures, job.name)}`);
      }
      if (flags.untilCaughtUp && !summary.stopped && summary.rows === 0 && summary.rejects > 0) {
        const top = allRejected.top();
        const rejects = env.store.locationOf(rejectsRootKey({ prefix: job.output.prefix, table: job.output.name }));
        throw new NoRowsWrittenError(
          `job '${job.name}' wrote no rows: ${summary.rejects} of the ${summary.userRecords} records it read were rejected` +
            `${top ? `, most at stage '${top.stage}': ${top.reason}` : ''}. Fix the job (npx sluice check ${job.name}); ` +
            `the rejects keep each record's bytes, with its reason, under ${rejects}`,
        );
      }
    });
}

/** The warning of a job that does not type-check. */
function typeCheckWarning(outcome: CheckOutcome): string {
  const errors = `${outcome.errors} type error${outcome.errors === 1 ? '' : 's'}`;
  return (
    `job '${outcome.job}' does not type-check (${errors}, the first: ${outcome.first ?? 'see sluice check'}); ` +
    `it runs as written, since its types are not checked at run time: npx sluice check ${outcome.job} shows every error`
  );
}

/** `--endpoint` / `--region`, when given. */
export function endpointFlags(flags: { endpoint?: string; region?: string }): { endpoint?: string; region?: string } {
  return { ...(flags.endpoint ? { endpoint: flags.endpoint } : {}), ...(flags.region ? { region: flags.region } : {}) };
}
