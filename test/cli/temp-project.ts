/**
 * A user's project in a temp folder, for CLI tests that need jobs of their own: a jobs
 * folder, `package.json` of an ES module project, and the repository's node_modules linked
 * in (so a job's `import { z } from 'zod'` resolves as it does in a real project). Jobs
 * import sluice from this checkout's `src/index.ts`.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin', 'sluice.js');
/** What a job module imports sluice's API from. */
export const SLUICE_API = join(ROOT, 'src', 'index.ts');
/** The sample jobs. */
export const SAMPLE_JOBS = join(ROOT, 'jobs');

export interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface TempProject {
  readonly root: string;
  readonly jobsDir: string;
  /** The project's default state folder, `<root>/.sluice`. */
  readonly stateDir: string;
  /** Writes `jobs/<name>.ts`. */
  writeJob(name: string, source: string): Promise<string>;
  /** Runs `sluice --jobs <jobsDir> ...args` in the project folder (state in `.sluice` unless args say `--dir`); `jobsDir` to use another jobs folder. */
  sluice(args: readonly string[], options?: { readonly env?: NodeJS.ProcessEnv; readonly jobsDir?: string }): Promise<Finished>;
  remove(): Promise<void>;
}

/**
 * A fresh project folder.
 *
 * @example
 * ```ts
 * const project = await tempProject('sluice-check-');
 * await project.writeJob('draft', jobSource({ name: 'draft', ... }));
 * const checked = await project.sluice(['check', 'draft']);
 * ```
 */
export async function tempProject(prefix: string): Promise<TempProject> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  const jobsDir = join(root, 'jobs');
  await mkdir(jobsDir);
  await writeFile(join(root, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }));
  await symlink(join(ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  return {
    root,
    jobsDir,
    stateDir: join(root, '.sluice'),
    writeJob: async (name, source) => {
      const file = join(jobsDir, `${name}.ts`);
      await writeFile(file, source);
      return file;
    },
    sluice: (args, options = {}) =>
      new Promise((done, fail) => {
        const child = spawn(process.execPath, [BIN, '--jobs', options.jobsDir ?? jobsDir, ...args], { cwd: root, env: { ...process.env, CI: '1', ...options.env } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
        child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
        child.on('error', fail);
        child.on('close', (code) => done({ code, stdout, stderr }));
      }),
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

/**
 * The source of a job module reading `stream` into `<database>.<table>`, partitioned by the
 * hour of `event_time`; `map` is the body of its map step, over the record `m`.
 *
 * @example
 * ```ts
 * readingsJob({ name: 'typo', stream: 's', database: 'd', table: 't', map: '({ device: m.device, event_time: parseDeviceTime(m.at), temperature_c: m.temprature })' });
 * ```
 */
export function readingsJob(options: { name: string; stream: string; database: string; table: string; map?: string; extra?: string }): string {
  const map = options.map ?? '({ device: m.device, event_time: parseDeviceTime(m.at), temperature_c: m.temperature })';
  return `import { z } from 'zod';
import { defineJob, hourOf, kinesisStream, parseDeviceTime, table } from '${SLUICE_API}';

const Reading = z.object({ device: z.string(), at: z.string(), temperature: z.number() });
const Row = z.object({ device: z.string(), event_time: z.date(), temperature_c: z.number() });

export default defineJob({
  name: '${options.name}',
  source: kinesisStream({ stream: '${options.stream}', records: Reading }),
  steps: (s) => s.map((m) => ${map}, { name: 'to-row' }),
  output: table({ database: '${options.database}', name: '${options.table}', rows: Row, partitionBy: hourOf('event_time')${options.extra ?? ''} }),
  batch: { size: 100, windowSeconds: 0 },
});
`;
}
