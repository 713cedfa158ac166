import { appendFile, mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BatchMetrics } from '../observability/batch-metrics.ts';
import type { CompactionMetrics } from '../observability/compaction-metrics.ts';
import { latestPerBatch, type MetricsLog, type ShardFailure } from '../observability/metrics-log.ts';
import { nameSegment } from '../checkpoint/name-segment.ts';

/**
 * Options of {@link LocalMetricsLog}.
 *
 * @example
 * ```ts
 * const options: LocalMetricsLogOptions = { dir: '.sluice/metrics' };
 * ```
 */
export interface LocalMetricsLogOptions {
  /** The metrics folder of the project's state, e.g. `.sluice/metrics`. */
  readonly dir: string;
}

/** Lines already read from one file, and where reading stopped. */
interface Tail<T> {
  offset: number;
  readonly entries: T[];
}

/**
 * The metrics log of local runs, in the project's state folder: per job, `batches/<shard>.ndjson`
 * (one line per committed batch), `failing/<shard>.json` (the failing batch of a shard, removed
 * by its next commit) and `compactions.ndjson`. Reads are incremental: a reader that polls
 * (the dashboard) parses only what was appended since its last read.
 *
 * @example
 * ```ts
 * const log = new LocalMetricsLog({ dir: paths.metrics });
 * await log.appendBatch(report.metrics);
 * const batches = await log.batches('sensor-readings');
 * ```
 */
export class LocalMetricsLog implements MetricsLog {
  private readonly tails = new Map<string, Tail<unknown>>();

  constructor(private readonly options: LocalMetricsLogOptions) {}

  async appendBatch(metrics: BatchMetrics): Promise<void> {
    const dir = join(this.jobDir(metrics.job), 'batches');
    await mkdir(dir, { recursive: true });
    await appendFile(join(dir, `${nameSegment(metrics.shardId)}.ndjson`), `${JSON.stringify(metrics)}\n`);
    await rm(this.failurePath(metrics.job, metrics.shardId), { force: true });
  }

  async recordFailure(failure: Omit<ShardFailure, 'attempts' | 'since'>): Promise<ShardFailure> {
    const path = this.failurePath(failure.job, failure.shardId);
    const previous = await readJson<ShardFailure>(path);
    const same = previous !== undefined && previous.first === failure.first;
    const next: ShardFailure = { ...failure, attempts: same ? previous.attempts + 1 : 1, since: same ? previous.since : failure.at };
    await mkdir(join(this.jobDir(failure.job), 'failing'), { recursive: true });
    // Written whole and renamed into place: a reader never sees half a document.
    await writeFile(`${path}.tmp`, JSON.stringify(next));
    await rename(`${path}.tmp`, path);
    return next;
  }

  async appendCompaction(run: CompactionMetrics): Promise<void> {
    await mkdir(this.jobDir(run.job), { recursive: true });
    await appendFile(join(this.jobDir(run.job), 'compactions.ndjson'), `${JSON.stringify(run)}\n`);
  }

  async batches(job: string): Promise<readonly BatchMetrics[]> {
    const dir = join(this.jobDir(job), 'batches');
    const files = (await listOrEmpty(dir)).filter((f) => f.endsWith('.ndjson'));
    const all = await Promise.all(files.map((f) => this.readTail<BatchMetrics>(join(dir, f))));
    return latestPerBatch(all.flat());
  }

  async failures(job: string): Promise<readonly ShardFailure[]> {
    const dir = join(this.jobDir(job), 'failing');
    const files = (await listOrEmpty(dir)).filter((f) => f.endsWith('.json'));
    const read = await Promise.all(files.map((f) => readJson<ShardFailure>(join(dir, f))));
    return read.filter((f): f is ShardFailure => f !== undefined);
  }

  async compactions(job: string): Promise<readonly CompactionMetrics[]> {
    return [...(await this.readTail<CompactionMetrics>(join(this.jobDir(job), 'compactions.ndjson')))];
  }

  private jobDir(job: string): string {
    return join(this.options.dir, nameSegment(job));
  }

  private failurePath(job: string, shardId: string): string {
    return join(this.jobDir(job), 'failing', `${nameSegment(shardId)}.json`);
  }

  /** The file's complete lines, reading only what was appended since the last call. */
  private async readTail<T>(path: string): Promise<readonly T[]> {
    let tail = this.tails.get(path) as Tail<T> | undefined;
    if (!tail) this.tails.set(path, (tail = { offset: 0, entries: [] }));
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return tail.entries;
      throw error;
    }
    try {
      const { size } = await handle.stat();
      if (size < tail.offset) {
        // The file was replaced (a cleared state folder): read it from the start.
        tail.offset = 0;
        tail.entries.length = 0;
      }
      if (size === tail.offset) return tail.entries;
      const bytes = Buffer.alloc(size - tail.offset);
      await handle.read(bytes, 0, bytes.length, tail.offset);
      // Only complete lines: a line being appended right now is read next time.
      const end = bytes.lastIndexOf(0x0a) + 1;
      for (const line of bytes.subarray(0, end).toString('utf8').split('\n')) {
        if (line === '') continue;
        try {
          tail.entries.push(JSON.parse(line) as T);
        } catch {
          // A line a killed writer left half-written, then appended after: skipped.
        }
      }
      tail.offset += end;
      return tail.entries;
    } finally {
      await handle.close();
    }
  }
}

async function listOrEmpty(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || error instanceof SyntaxError) return undefined;
    throw error;
  }
}
