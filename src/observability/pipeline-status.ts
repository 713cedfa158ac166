import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { Catalog } from '../catalog/catalog.ts';
import { openQueryEngine } from '../catalog/query-engine.ts';
import type { CheckpointStore } from '../checkpoint/checkpoint-store.ts';
import { CompactionDefaults } from '../compaction/compaction-settings.ts';
import type { RejectLine } from '../format/rejects-ndjson.ts';
import type { Job } from '../job/define-job.ts';
import { streamName } from '../job/source.ts';
import type { RejectStage } from '../decode/decode.ts';
import { shardBacklog, streamShards } from '../kinesis/shard-reads.ts';
import type { ObjectStore } from '../store/object-store.ts';
import type { CompactionMetrics } from './compaction-metrics.ts';
import type { MetricsLog } from './metrics-log.ts';
import { rejectSummary, type RejectReason } from './reject-summary.ts';

export type { RejectReason } from './reject-summary.ts';

/**
 * Where a status is read from: the ports of a local run (a `LocalEnvironment` is one).
 *
 * @example
 * ```ts
 * const sources: StatusSources = await openLocalEnvironment({ dir: '.sluice' });
 * ```
 */
export interface StatusSources {
  readonly kinesis: KinesisClient;
  readonly store: ObjectStore;
  readonly catalog: Catalog;
  readonly checkpoints: CheckpointStore;
  readonly metricsLog: MetricsLog;
}

/** A shard's state, worst last: `stuck` makes `sluice status` exit 1. */
export const ShardState = {
  /** Never read: no checkpoint and no batch yet. */
  NotStarted: 'not-started',
  Ok: 'ok',
  /** Its batch failed and is being retried. */
  Failing: 'failing',
  /** Its batch failed {@link STUCK_ATTEMPTS} times in a row or more: it will not move without help. */
  Stuck: 'stuck',
} as const;
export type ShardState = (typeof ShardState)[keyof typeof ShardState];

/** Failed attempts in a row at one batch after which its shard counts as stuck. */
export const STUCK_ATTEMPTS = 3;

/** How many records behind a checkpoint are counted at most, per shard. */
export const BACKLOG_LIMIT = 1_000_000;

/**
 * One shard of a job's stream.
 *
 * @example
 * ```ts
 * const shard: ShardStatus = { shardId: 'shardId-000000000000', state: 'ok', checkpoint: '4959...', ended: false, behindRecords: 0,
 *   behindAtLeast: false, behindMs: 0, lastCommitAt: '2026-12-03T09:30:02.120Z', recordsPerSecond: 412.5, batches: 20 };
 * ```
 */
export interface ShardStatus {
  readonly shardId: string;
  readonly state: ShardState;
  /** The last sequence number durably processed; null before the first commit. */
  readonly checkpoint: string | null;
  /** A closed shard read to its end. */
  readonly ended: boolean;
  /** Records on the shard after the checkpoint (to the tip). */
  readonly behindRecords: number;
  /** `behindRecords` is a lower bound: counting stopped at {@link BACKLOG_LIMIT}. */
  readonly behindAtLeast: boolean;
  /** How long ago the oldest unprocessed record arrived (the iterator age); 0 when caught up. */
  readonly behindMs: number;
  /** When the shard's last batch committed (ISO-8601); null when none did. */
  readonly lastCommitAt: string | null;
  /** User records committed per second over the last minute. */
  readonly recordsPerSecond: number;
  /** Batches committed (each counted once, however often it was retried). */
  readonly batches: number;
  /** The failing batch, when the shard is failing or stuck. */
  readonly error?: { readonly message: string; readonly first: string; readonly last: string; readonly attempts: number; readonly since: string };
}

/**
 * One job: its table, its rejects and its shards.
 *
 * @example
 * ```ts
 * const job: JobStatus = (await readPipelineStatus({ sources, jobs })).jobs[0]!;
 * job.rows + job.rejects; // the records the job has taken
 * ```
 */
export interface JobStatus {
  readonly job: string;
  readonly stream: string;
  /** `<database>.<table>`. */
  readonly table: string;
  /** The stream exists (a job whose stream was never made has no shards). */
  readonly streamExists: boolean;
  /** Rows the table holds: `count(*)` over its registered partitions, as a query sees them. */
  readonly rows: number;
  /** Lines in the table's reject files. */
  readonly rejects: number;
  readonly rejectsByStage: Readonly<Partial<Record<RejectStage, number>>>;
  /** The most frequent reject reasons, most frequent first (at most five). */
  readonly topReasons: readonly RejectReason[];
  /** The newest reject, as stored (raw bytes base64 in `data`); null without rejects. */
  readonly latestReject: RejectLine | null;
  /** Registered partitions. */
  readonly partitions: number;
  /** Parquet files a query reads (at the partitions' current locations) and their bytes. */
  readonly files: number;
  readonly bytes: number;
  /** Files below the compaction target size in partitions of more than one file: what compaction would merge. */
  readonly smallFiles: number;
  readonly lastCompaction: CompactionMetrics | null;
  readonly shards: readonly ShardStatus[];
  /** Any shard is stuck. */
  readonly stuck: boolean;
}

/**
 * The status of a project's pipelines, as `sluice status --json` prints it and the dashboard reads it.
 *
 * @example
 * ```ts
 * const status: PipelineStatus = await readPipelineStatus({ sources: env, jobs });
 * ```
 */
export interface PipelineStatus {
  /** When it was read (ISO-8601). */
  readonly at: string;
  readonly jobs: readonly JobStatus[];
}

/**
 * Options of {@link readPipelineStatus}.
 *
 * @example
 * ```ts
 * const options: PipelineStatusOptions = { sources: env, jobs: [job] };
 * ```
 */
export interface PipelineStatusOptions {
  readonly sources: StatusSources;
  readonly jobs: readonly Job[];
  /** The clock; `Date.now` unless given. */
  readonly now?: () => number;
}

const MINUTE_MS = 60_000;

/**
 * Reads the status of each job from what the pipeline left: the table and its rejects (the
 * truth of what was written), the checkpoints against the stream's tip, and the metrics log
 * (throughput, last commits, failing shards, compactions). Rejects with the first port error.
 *
 * @example
 * ```ts
 * const env = await openLocalEnvironment({ dir: '.sluice' });
 * const status = await readPipelineStatus({ sources: env, jobs: [await loadJob('sensor-readings')] });
 * status.jobs[0]!.shards.every((s) => s.behindRecords === 0); // caught up
 * ```
 */
export async function readPipelineStatus(options: PipelineStatusOptions): Promise<PipelineStatus> {
  const now = (options.now ?? Date.now)();
  const known = new Set((await options.sources.catalog.listTables()).map((t) => `${t.database}.${t.name}`));
  const present = options.jobs.filter((job) => known.has(`${job.output.database}.${job.output.name}`));
  const rows = await countRows(options.sources.catalog, present);
  const jobs: JobStatus[] = [];
  for (const job of options.jobs) {
    jobs.push(await jobStatus(options.sources, job, { now, rows: rows.get(job.name) ?? 0, inCatalog: present.includes(job) }));
  }
  return { at: new Date(now).toISOString(), jobs };
}

async function jobStatus(
  sources: StatusSources,
  job: Job,
  context: { readonly now: number; readonly rows: number; readonly inCatalog: boolean },
): Promise<JobStatus> {
  const stream = streamName(job.source.stream);
  const table = { database: job.output.database, name: job.output.name };
  const [shards, rejects, files, compactions] = await Promise.all([
    shardStatuses(sources, job, context.now),
    rejectSummary(sources.store, job),
    context.inCatalog ? fileSummary(sources, job) : { partitions: 0, files: 0, bytes: 0, smallFiles: 0 },
    sources.metricsLog.compactions(job.name),
  ]);
  return {
    job: job.name,
    stream,
    table: `${table.database}.${table.name}`,
    streamExists: shards !== undefined,
    rows: context.rows,
    ...rejects,
    ...files,
    lastCompaction: compactions.at(-1) ?? null,
    shards: shards ?? [],
    stuck: (shards ?? []).some((s) => s.state === ShardState.Stuck),
  };
}

/** `count(*)` of each job's table (all in the catalog), through one DuckDB over the catalog. */
async function countRows(catalog: Catalog, present: readonly Job[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (present.length === 0) return counts;
  const engine = await openQueryEngine({ catalog });
  try {
    for (const job of present) {
      const result = await engine.query(`SELECT count(*) AS n FROM "${job.output.database}"."${job.output.name}"`);
      counts.set(job.name, Number(result.rows[0]?.['n'] ?? 0));
    }
  } finally {
    engine.close();
  }
  return counts;
}

async function shardStatuses(sources: StatusSources, job: Job, now: number): Promise<ShardStatus[] | undefined> {
  const stream = streamName(job.source.stream);
  const listed = await streamShards(sources.kinesis, stream);
  if (listed === undefined) return undefined;
  const [checkpoints, batches, failures] = await Promise.all([
    sources.checkpoints.load({ job: job.name, stream }),
    sources.metricsLog.batches(job.name),
    sources.metricsLog.failures(job.name),
  ]);
  const statuses: ShardStatus[] = [];
  for (const shard of listed) {
    const checkpoint = checkpoints.get(shard.shardId);
    const mine = batches.filter((b) => b.shardId === shard.shardId);
    const failure = failures.find((f) => f.shardId === shard.shardId);
    // A shard with no checkpoint and a LATEST start has nothing behind it until it starts.
    const unread = checkpoint?.sequenceNumber === undefined && job.batch.startingPosition === 'LATEST';
    const backlog =
      checkpoint?.ended === true || unread
        ? { records: 0, atLeast: false }
        : await shardBacklog(sources.kinesis, { stream, shardId: shard.shardId, after: checkpoint?.sequenceNumber, limit: BACKLOG_LIMIT });
    const recent = mine.filter((b) => b.committedAt > now - MINUTE_MS).reduce((sum, b) => sum + b.records, 0);
    const last = mine.at(-1);
    const state: ShardState =
      failure !== undefined
        ? failure.attempts >= STUCK_ATTEMPTS
          ? ShardState.Stuck
          : ShardState.Failing
        : checkpoint === undefined && last === undefined
          ? ShardState.NotStarted
          : ShardState.Ok;
    statuses.push({
      shardId: shard.shardId,
      state,
      checkpoint: checkpoint?.sequenceNumber ?? null,
      ended: checkpoint?.ended ?? false,
      behindRecords: backlog.records,
      behindAtLeast: backlog.atLeast,
      behindMs: 'oldestArrival' in backlog && backlog.oldestArrival !== undefined ? Math.max(0, now - backlog.oldestArrival.getTime()) : 0,
      lastCommitAt: last === undefined ? null : new Date(last.committedAt).toISOString(),
      recordsPerSecond: recent / (MINUTE_MS / 1000),
      batches: mine.length,
      ...(failure === undefined
        ? {}
        : { error: { message: failure.error, first: failure.first, last: failure.last, attempts: failure.attempts, since: new Date(failure.since).toISOString() } }),
    });
  }
  return statuses;
}

async function fileSummary(sources: StatusSources, job: Job): Promise<Pick<JobStatus, 'partitions' | 'files' | 'bytes' | 'smallFiles'>> {
  const partitions = job.output.projection ? [] : await sources.catalog.listPartitions({ database: job.output.database, name: job.output.name });
  // Every object of the job's prefix, matched to the partitions by location: base folders and compacted generations alike.
  const byLocation = new Map<string, { files: number; bytes: number; sizes: number[] }>();
  for (const partition of partitions) byLocation.set(stripSlash(partition.location), { files: 0, bytes: 0, sizes: [] });
  for await (const object of sources.store.list(`${job.output.prefix}/`)) {
    if (!object.key.endsWith('.parquet')) continue;
    const location = sources.store.locationOf(object.key);
    const folder = location.slice(0, Math.max(location.lastIndexOf('/'), location.lastIndexOf('\\')));
    const partition = byLocation.get(folder);
    if (partition === undefined) continue;
    partition.files++;
    partition.bytes += object.size;
    partition.sizes.push(object.size);
  }
  let files = 0;
  let bytes = 0;
  let smallFiles = 0;
  for (const partition of byLocation.values()) {
    files += partition.files;
    bytes += partition.bytes;
    if (partition.files > 1) smallFiles += partition.sizes.filter((size) => size < CompactionDefaults.targetBytes).length;
  }
  return { partitions: partitions.length, files, bytes, smallFiles };
}

const stripSlash = (location: string): string => location.replace(/[/\\]+$/, '');
