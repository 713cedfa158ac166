import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { nameSegment } from '../../checkpoint/name-segment.ts';
import type { TypeCheckResult } from './type-check.ts';
import type { CheckOutcome } from './check-outcome.ts';
import { findTsconfig, typescriptVersion } from './tsconfig-location.ts';

/**
 * The last type-check of a job, kept so `sluice run` need not run the compiler (seconds)
 * while no file the job's program read has changed since: each file's size and modification
 * time, the compiler's version and the tsconfig.json in use decide. Kept where build tools
 * keep theirs, `node_modules/.cache/sluice/` of the project (the nearest folder above the jobs
 * with a `node_modules`), so every state folder of the project shares it; in the state
 * folder when there is none.
 */

const CACHE_VERSION = 1;

interface FileStamp {
  readonly size: number;
  readonly mtimeMs: number;
}

interface CacheFile {
  readonly version: typeof CACHE_VERSION;
  readonly typescript: string;
  readonly config: string | null;
  readonly files: Readonly<Record<string, FileStamp>>;
  readonly outcome: CheckOutcome;
}

/** Where a job module's outcome is kept: by the module's absolute path, so two projects' jobs of one name never share it. */
function cachePath(options: { readonly stateDir: string; readonly jobsDir: string; readonly job: string }): string {
  const module = join(resolve(options.jobsDir), `${options.job}.ts`);
  const file = `${nameSegment(options.job)}-${createHash('sha256').update(module).digest('hex').slice(0, 16)}.json`;
  for (let dir = resolve(options.jobsDir); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules'))) return join(dir, 'node_modules', '.cache', 'sluice', 'type-check', file);
    if (dirname(dir) === dir) return join(options.stateDir, 'type-check', file);
  }
}

async function stampOf(file: string): Promise<FileStamp | undefined> {
  const stats = await stat(file).catch(() => undefined);
  return stats && { size: stats.size, mtimeMs: stats.mtimeMs };
}

/**
 * The outcome a check of the job over unchanged files had, or undefined when there is none
 * or anything it read has changed.
 *
 * @example
 * ```ts
 * const cached = await cachedOutcome({ stateDir: '.sluice', job: 'sensor-readings', jobsDir: 'jobs' });
 * ```
 */
export async function cachedOutcome(options: { readonly stateDir: string; readonly job: string; readonly jobsDir: string }): Promise<CheckOutcome | undefined> {
  let cache: CacheFile;
  try {
    cache = JSON.parse(await readFile(cachePath(options), 'utf8')) as CacheFile;
  } catch {
    return undefined;
  }
  if (cache.version !== CACHE_VERSION || cache.typescript !== typescriptVersion() || cache.config !== (findTsconfig(options.jobsDir) ?? null)) return undefined;
  for (const [file, stamp] of Object.entries(cache.files)) {
    const now = await stampOf(file);
    if (now === undefined || now.size !== stamp.size || now.mtimeMs !== stamp.mtimeMs) return undefined;
  }
  return cache.outcome;
}

/**
 * Keeps the outcome of a check that started at `startedAt` (epoch ms). A file changed since
 * then may have been read before or after its change, so such a check is not kept.
 *
 * @example
 * ```ts
 * const startedAt = Date.now();
 * const result = typeCheck({ files: [file] });
 * await keepOutcome({ stateDir: '.sluice', jobsDir: 'jobs', startedAt, result, outcome: { job: 'x', errors: result.errors.length } });
 * ```
 */
export async function keepOutcome(options: {
  readonly stateDir: string;
  readonly jobsDir: string;
  readonly startedAt: number;
  readonly result: TypeCheckResult;
  readonly outcome: CheckOutcome;
}): Promise<void> {
  const files: Record<string, FileStamp> = {};
  for (const file of options.result.files) {
    const stamp = await stampOf(file);
    if (stamp === undefined || stamp.mtimeMs >= options.startedAt) return;
    files[file] = stamp;
  }
  const cache: CacheFile = {
    version: CACHE_VERSION,
    typescript: typescriptVersion(),
    config: options.result.config ?? null,
    files,
    outcome: options.outcome,
  };
  const path = cachePath({ ...options, job: options.outcome.job });
  await mkdir(dirname(path), { recursive: true });
  // Written beside and renamed, so a concurrent run never reads half a file.
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(cache));
  await rename(temp, path);
}
