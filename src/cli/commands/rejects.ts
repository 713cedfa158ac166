import type { Command } from 'commander';
import { UsageError } from '../../errors.ts';
import { rejectSummary } from '../../observability/reject-summary.ts';
import { loadJob } from '../../runtime/load-job.ts';
import { LocalCatalog } from '../../catalog/local-catalog.ts';
import { projectPaths } from '../../runtime/local-environment.ts';
import { replayedRootKey, replayRejects } from '../../runtime/reject-replay.ts';
import { RejectStage } from '../../decode/decode.ts';
import { LocalFolderStore } from '../../store/local-folder-store.ts';
import { createCliLogger } from '../logger.ts';
import { instant } from '../option-parsers.ts';
import { startProgress } from '../progress.ts';
import { ProgressOutcome } from '../progress-outcome.ts';

interface RejectsFlags {
  readonly dir: string;
  readonly jobs: string;
  readonly json?: boolean;
}

interface ReplayFlags extends RejectsFlags {
  readonly stage?: RejectStage;
  readonly since?: Date;
}

const STAGES: readonly string[] = Object.values(RejectStage);

/**
 * `sluice rejects <job>`: the job's rejects by stage with the top reasons;
 * `sluice rejects replay <job> [--stage s] [--since t]`: the rejected records through the job
 * as it is now, each one's rows written exactly once however often it runs.
 *
 * @example
 * ```sh
 * npx sluice rejects sensor-readings
 * npx sluice rejects replay sensor-readings --stage step --since 2026-12-03T00:00:00Z
 * ```
 */
export function registerRejects(program: Command): void {
  const rejects = program
    .command('rejects')
    .description("the job's rejects: counts by stage and the top reasons (the table <table>_rejects holds every one)")
    .argument('<job>', 'job name: jobs/<job>.ts')
    .option('--json', 'print one JSON object')
    .action(async (name: string, flags: RejectsFlags) => {
      const job = await loadJob(name, { jobsDir: flags.jobs });
      const store = new LocalFolderStore({ root: projectPaths(flags.dir).warehouse });
      const summary = await rejectSummary(store, job);
      let replayed = 0;
      for await (const _ of store.list(`${replayedRootKey(job)}/`)) replayed++;
      const table = `${job.output.database}.${job.output.name}_rejects`;
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ job: job.name, table, ...summary, replayed })}\n`);
        return;
      }
      const lines = [`${job.name}: ${summary.rejects} rejects in ${table}, ${replayed} replayed`];
      for (const [stage, count] of Object.entries(summary.rejectsByStage)) lines.push(`  ${String(count).padStart(7)} ${stage}`);
      if (summary.topReasons.length > 0) lines.push('top reasons:');
      for (const reason of summary.topReasons) lines.push(`  ${String(reason.count).padStart(7)} ${reason.stage}: ${reason.reason}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });

  rejects
    .command('replay')
    .description('run rejected records through the job as it is now (after a fix); rows are written exactly once, replayed rejects are remembered')
    .argument('<job>', 'job name: jobs/<job>.ts')
    .option('--stage <stage>', `only rejects of this stage (${STAGES.join(', ')})`, (value) => {
      if (!STAGES.includes(value)) throw new UsageError(`--stage ${value}: use one of ${STAGES.join(', ')}`);
      return value as RejectStage;
    })
    .option('--since <time>', 'only rejects that arrived at or after this ISO-8601 time', instant)
    .option('--json', 'print the summary as JSON')
    .exitOverride()
    .action(async (name: string, globals: ReplayFlags) => {
      const log = createCliLogger();
      const job = await loadJob(name, { jobsDir: globals.jobs });
      const paths = projectPaths(globals.dir);
      const progress = startProgress({ label: `replaying rejects of ${job.name}`, unit: 'rejects', logger: log });
      let outcome: ProgressOutcome = ProgressOutcome.Failed;
      try {
        const summary = await replayRejects({
          job,
          store: new LocalFolderStore({ root: paths.warehouse }),
          catalog: new LocalCatalog({ dir: paths.catalog }),
          filter: { ...(globals.stage ? { stage: globals.stage } : {}), ...(globals.since ? { since: globals.since } : {}) },
          onReject: () => progress.advance(),
        });
        outcome = ProgressOutcome.Done;
        progress.done(undefined, { outcome });
        if (globals.json) process.stdout.write(`${JSON.stringify({ job: job.name, ...summary })}\n`);
        else {
          log.success(
            `${summary.matched} rejects matched: ${summary.replayed} replayed into ${summary.rows} rows, ` +
              `${summary.alreadyReplayed} already replayed, ${summary.rejectedAgain} rejected again`,
          );
          for (const reason of summary.reasons) log.warn(`rejected again (${reason.count}): ${reason.stage}: ${reason.reason}`);
        }
      } finally {
        progress.done(undefined, { outcome });
      }
    });
}
