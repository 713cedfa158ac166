import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalCatalog } from '../catalog/local-catalog.ts';
import { UsageError } from '../errors.ts';
import { projectPaths } from '../runtime/local-environment.ts';
import { nameSegment } from '../checkpoint/name-segment.ts';

/**
 * `sluice demo` runs in a state folder of its own and clears it before each run. It clears
 * only a folder the demo itself made (its marker is there) that holds nothing but the
 * demo's jobs' state, or an empty or absent one: the project's own state folder, where a
 * user's jobs keep their streams, tables and checkpoints, is never the demo's to clear.
 */

/**
 * Marks a folder the demo made; only the demo writes it, so only the demo's folders carry it.
 *
 * @example
 * ```ts
 * const ours = (await readdir(dir)).includes(DEMO_MARKER);
 * ```
 */
export const DEMO_MARKER = '.sluice-demo';

/** The demo's folder inside a project state folder, when no `--dir` says where to run it. */
const DEMO_SUBFOLDER = 'demo';

/**
 * Where the demo keeps its state when no folder is named: a folder of its own inside the
 * project's state folder, beside (never over) the user's jobs' state.
 *
 * @example
 * ```ts
 * demoStateDir('.sluice'); // '.sluice/demo'
 * ```
 */
export function demoStateDir(projectDir: string): string {
  return join(projectDir, DEMO_SUBFOLDER);
}

/**
 * What the demo may leave in its folder: its jobs' tables and checkpoints.
 *
 * @example
 * ```ts
 * const owned: DemoState = { tables: ['iot.sensor_readings'], jobs: ['sensor-readings'] };
 * ```
 */
export interface DemoState {
  /** `<database>.<table>` of the demo's jobs. */
  readonly tables: readonly string[];
  /** Names of the demo's jobs. */
  readonly jobs: readonly string[];
}

const exists = (path: string): Promise<boolean> => readdir(path).then(() => true, (error: NodeJS.ErrnoException) => error.code !== 'ENOENT');

/** Folder entries, none when it does not exist. */
const entriesOf = (path: string): Promise<string[]> => readdir(path).catch(() => []);

/** Another live process that serves the folder's embedded Kinesis store (`run` still going): its pid. */
async function livingServer(dir: string): Promise<number | undefined> {
  let pid: number;
  try {
    pid = (JSON.parse(await readFile(join(dir, 'kinesis.endpoint.json'), 'utf8')) as { pid: number }).pid;
  } catch {
    return undefined;
  }
  try {
    // Signal 0 only asks whether the process exists.
    process.kill(pid, 0);
    return pid === process.pid ? undefined : pid;
  } catch {
    return undefined;
  }
}

/** What in `dir` is not the demo's: other jobs' tables and checkpoints, named for the user. */
async function foreignState(dir: string, owned: DemoState): Promise<string[]> {
  const paths = projectPaths(dir);
  const tables = (await new LocalCatalog({ dir: paths.catalog }).listTables().catch(() => []))
    .map((t) => `${t.database}.${t.name}`)
    .filter((t) => !owned.tables.includes(t));
  const ownJobs = new Set(owned.jobs.map(nameSegment));
  const jobs = (await entriesOf(paths.checkpoints)).filter((j) => !ownJobs.has(j));
  return [
    ...(tables.length > 0 ? [`tables ${tables.join(', ')}`] : []),
    ...(jobs.length > 0 ? [`checkpoints of jobs ${jobs.map(decodeURIComponent).join(', ')}`] : []),
  ];
}

/** What a folder the demo did not make holds, named for the user. */
async function contentsOf(dir: string, entries: readonly string[]): Promise<string> {
  const paths = projectPaths(dir);
  const tables = (await new LocalCatalog({ dir: paths.catalog }).listTables().catch(() => [])).map((t) => `${t.database}.${t.name}`);
  const jobs = (await entriesOf(paths.checkpoints)).map(decodeURIComponent);
  const named = [
    ...(tables.length > 0 ? [`tables ${tables.join(', ')}`] : []),
    ...(jobs.length > 0 ? [`checkpoints of jobs ${jobs.join(', ')}`] : []),
    ...(entries.includes('kinesis') ? ['an embedded Kinesis store (kinesis/) with its streams'] : []),
  ];
  const others = entries.filter((e) => !['catalog', 'checkpoints', 'kinesis'].includes(e));
  return [...named, ...(others.length > 0 ? [`${others.length} other entries (${others.slice(0, 5).join(', ')}${others.length > 5 ? ', ...' : ''})`] : [])].join('; ');
}

/**
 * Empties the demo's state folder for a fresh run, or refuses, naming what it found, when
 * the folder holds anything the demo did not make. Absent or empty folders are made the
 * demo's.
 *
 * @example
 * ```ts
 * await resetDemoFolder('.sluice/demo', { tables: ['iot.sensor_readings'], jobs: ['sensor-readings'] });
 * ```
 */
export async function resetDemoFolder(dir: string, owned: DemoState): Promise<void> {
  if (await exists(dir)) {
    const entries = await readdir(dir);
    if (entries.length > 0) {
      if (!entries.includes(DEMO_MARKER)) {
        throw new UsageError(
          `refusing to clear ${dir} for the demo: the demo did not make it, and it holds ${await contentsOf(dir, entries)}. ` +
            'Leave out --dir (the demo then runs in .sluice/demo), or name an empty or new folder',
        );
      }
      const foreign = await foreignState(dir, owned);
      if (foreign.length > 0) {
        throw new UsageError(
          `refusing to clear the demo's folder ${dir}: it also holds ${foreign.join('; ')}, which the demo did not make. ` +
            'Move them, or run the demo with --dir <empty or new folder>',
        );
      }
      const server = await livingServer(dir);
      if (server !== undefined) {
        throw new UsageError(`refusing to clear the demo's folder ${dir}: sluice process ${server} is using it; stop it first`);
      }
      await rm(dir, { recursive: true, force: true });
    }
  }
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, DEMO_MARKER), 'made by sluice demo, which clears this folder on its next run\n');
}
