import type { Command } from 'commander';
import Table from 'cli-table3';
import bytes from 'bytes';
import ms from 'ms';
import type { Job } from '../../job/define-job.ts';
import { loadJob } from '../../runtime/load-job.ts';
import { assertNoTableConflicts, assertOwnsItsTable, loadEveryJob } from '../../runtime/jobs-folder.ts';
import { openLocalEnvironment } from '../../runtime/local-environment.ts';
import { readPipelineStatus, ShardState, type JobStatus, type PipelineStatus } from '../../observability/pipeline-status.ts';
import { ShardStuckError } from '../../errors.ts';
import { createCliLogger, type CliLogger } from '../logger.ts';
import { messageOf } from '../../error-message.ts';
import { endpointFlags } from './run.ts';

interface StatusFlags {
  readonly dir: string;
  readonly jobs: string;
  readonly endpoint?: string;
  readonly region?: string;
  readonly json?: boolean;
}

/**
 * `sluice status [job]`: each job's table, rejects and shards from the local state; exits 1
 * when a shard is stuck, so scripts can watch a pipeline.
 *
 * @example
 * ```sh
 * npx sluice status sensor-readings --json
 * ```
 */
export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('each job: rows, rejects by stage and top reasons, files, and per shard the checkpoint against the stream tip (exit 1 if a shard is stuck)')
    .argument('[job]', 'one job (all jobs in the jobs folder when absent)')
    .option('--json', 'print one JSON object: {"jobs":[{"job","rows","rejects","shards":[{"shardId","behindRecords",...}],...}]}')
    .action(async (name: string | undefined, flags: StatusFlags) => {
      const log = createCliLogger();
      const jobs = name === undefined ? await loadableJobs(flags.jobs, log) : [await ownJob(name, flags.jobs)];
      const env = await openLocalEnvironment({ dir: flags.dir, ...endpointFlags(flags) });
      let status: PipelineStatus;
      try {
        status = await readPipelineStatus({ sources: env, jobs });
      } finally {
        await env.close();
      }
      if (flags.json) process.stdout.write(`${JSON.stringify(status)}\n`);
      else process.stdout.write(renderStatus(status));
      const stuck = status.jobs.flatMap((j) => j.shards.filter((s) => s.state === ShardState.Stuck).map((s) => `${j.job} ${s.shardId}`));
      if (stuck.length > 0) {
        throw new ShardStuckError(`stuck: ${stuck.join(', ')}; fix the error shown and the shard resumes from its checkpoint on the next run`);
      }
    });
}

/** Every job of the folder that loads; the others are named with their error and left out. Two jobs declaring one table fail. */
async function loadableJobs(jobsDir: string, log: CliLogger): Promise<readonly Job[]> {
  const folder = await loadEveryJob({ jobsDir });
  for (const { name, error } of folder.failures) log.warn(`job '${name}' does not load and is left out: ${messageOf(error)}`);
  assertNoTableConflicts(folder, { jobsDir });
  return folder.jobs;
}

/** The named job, once no other job of the folder declares its table. */
async function ownJob(name: string, jobsDir: string): Promise<Job> {
  const job = await loadJob(name, { jobsDir });
  await assertOwnsItsTable(job, { jobsDir });
  return job;
}

const duration = (milliseconds: number): string => (milliseconds < 1000 ? `${Math.round(milliseconds)} ms` : ms(Math.round(milliseconds)));

/**
 * The status as text: per job, its totals, top reject reasons and a table of shards.
 *
 * @example
 * ```ts
 * process.stdout.write(renderStatus(await readPipelineStatus({ sources: env, jobs })));
 * ```
 */
export function renderStatus(status: PipelineStatus): string {
  if (status.jobs.length === 0) return 'no jobs\n';
  return status.jobs.map(renderJob).join('\n');
}

function renderJob(job: JobStatus): string {
  const lines: string[] = [`${job.job}: ${job.stream} -> ${job.table}`];
  const stages = Object.entries(job.rejectsByStage).map(([stage, n]) => `${stage} ${n}`);
  lines.push(`  rows ${job.rows}, rejects ${job.rejects}${stages.length > 0 ? ` (${stages.join(', ')})` : ''}`);
  lines.push(
    `  ${job.partitions} partitions, ${job.files} files (${bytes(job.bytes) ?? '0B'}), ${job.smallFiles} small files waiting for compaction; ` +
      `last compaction: ${job.lastCompaction === null ? 'never' : `${new Date(job.lastCompaction.at).toISOString()} (${job.lastCompaction.partitionsCompacted} compacted, ${job.lastCompaction.partitionsFailed} failed)`}`,
  );
  for (const reason of job.topReasons) lines.push(`  ${String(reason.count).padStart(7)} ${reason.stage}: ${reason.reason}`);
  if (!job.streamExists) {
    lines.push(`  stream '${job.stream}' does not exist yet: sluice produce creates it`);
    return `${lines.join('\n')}\n`;
  }
  const table = new Table({
    head: ['shard', 'state', 'behind', 'time behind', 'last commit', 'records/s', 'batches'],
    style: { head: [], border: [], compact: true },
  });
  for (const shard of job.shards) {
    table.push([
      shard.shardId,
      shard.state,
      { content: `${shard.behindAtLeast ? '>= ' : ''}${shard.behindRecords}`, hAlign: 'right' as const },
      { content: duration(shard.behindMs), hAlign: 'right' as const },
      shard.lastCommitAt ?? '-',
      { content: shard.recordsPerSecond.toFixed(1), hAlign: 'right' as const },
      { content: String(shard.batches), hAlign: 'right' as const },
    ]);
  }
  lines.push(table.toString().replace(/^/gm, '  '));
  for (const shard of job.shards) {
    if (shard.error) {
      lines.push(`  ${shard.shardId} ${shard.state}: ${shard.error.attempts} failed attempts at ${shard.error.first}..${shard.error.last} since ${shard.error.since}: ${shard.error.message}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
