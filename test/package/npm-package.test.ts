import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zipEntries } from '../deploy/zip-entries.ts';
import { runCommand, succeeded, userEnvironment, type CommandResult } from './run-command.ts';

/**
 * sluice as a user gets it: `npm pack` of this repository, the tarball installed into an
 * empty folder, `sluice init` there, the new project's own `npm install` and `npm test`, its
 * sample job produced, run and queried on the embedded default, and `serverless package` of
 * it offline. Installs come from npm's cache (`--prefer-offline`): the same packages this
 * repository installed, so the test needs the registry only for what the cache lacks.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const NO_NETWORK = join(ROOT, 'test/deploy/no-network.cjs');
const INSTALL = ['install', '--prefer-offline', '--no-audit', '--no-fund'];
const JOB = 'readings';

interface PackedFile {
  readonly path: string;
}

let scratch: string;
let tarball: string;
let packedFiles: string[];
/** The folder the tarball was installed into, whose `sluice` ran `init`. */
let cli: string;
/** The project `sluice init` made. */
let project: string;
let initRun: CommandResult;
/** Runs one step of the user's way through, failing with all it printed unless it succeeded. */
const step = async (name: string, run: () => Promise<CommandResult>): Promise<CommandResult> => {
  const r = succeeded(await run(), name);
  if (process.env['SLUICE_STEP_TIMES']) console.error(`STEP ${name}: ${r.seconds} s`);
  return r;
};

const sluice = (args: readonly string[]): Promise<CommandResult> => runCommand(join(project, 'node_modules/.bin/sluice'), args, { cwd: project });

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'sluice-package-'));
  // `npm pack` runs `prepack`, which builds dist/ from the sources first.
  const packed = await step('npm pack', () => runCommand('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: ROOT }));
  const [manifest] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as Array<{ filename: string; files: PackedFile[] }>;
  tarball = join(scratch, manifest!.filename);
  packedFiles = manifest!.files.map((f) => f.path).sort();

  cli = join(scratch, 'cli');
  await mkdir(cli);
  await step('install the tarball', () => runCommand('npm', [...INSTALL, tarball], { cwd: cli }));
  project = join(scratch, 'my-pipelines');
  initRun = await step('sluice init', () => runCommand(join(cli, 'node_modules/.bin/sluice'), ['init', project, '--sluice', `file:${tarball}`], { cwd: scratch }));
  await step('npm install in the project', () => runCommand('npm', INSTALL, { cwd: project }));
}, 600_000);

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('holds the compiled library with its type declarations, the CLI, the deploy pieces, the templates and the documents', () => {
    expect(packedFiles).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'LICENSE',
        'CHANGELOG.md',
        'DESIGN.md',
        'bin/sluice.js',
        'dist/src/index.js',
        'dist/src/index.d.ts',
        'dist/src/runtime/lambda/index.js',
        'dist/src/runtime/lambda/index.d.ts',
        'dist/src/testing/index.js',
        'dist/src/testing/index.d.ts',
        'dist/src/cli/main.js',
        'dist/src/cli/dashboard/page/index.html',
        'dist/src/runtime/lambda/bundle-entry.js',
        'dist/src/runtime/lambda/compaction-entry.js',
        'dist/deploy/serverless-stack.js',
        'deploy/serverless-stack.cjs',
        'deploy/bundle-plugins.cjs',
        'templates/project/serverless.yml',
        'templates/project/gitignore',
      ]),
    );
  });

  it('holds no test, bench or fixture file of its own, and no TypeScript source but the sample jobs and the templates', () => {
    // The scaffold's test (templates/project/test/) is content a user gets, not a test of sluice's.
    const own = packedFiles.filter((f) => !f.startsWith('templates/project/'));
    expect(own.filter((f) => /(^|\/)(test|tests|__tests__|bench|fixtures?|coverage|\.ci|scripts|docs)\//.test(f))).toEqual([]);
    expect(own.filter((f) => /\.(test|spec|property\.test)\.[cm]?[jt]s$|(^|\/)vitest\.config|(^|\/)tsconfig[^/]*\.json$/.test(f))).toEqual([]);
    expect(own.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !/^(jobs|schemas)\/[^/]+\.ts$/.test(f))).toEqual([]);
    expect(own.filter((f) => f.startsWith('src/'))).toEqual([]);
  });

  it('imports sluice, sluice/lambda and sluice/testing under plain node, from the compiled package', async () => {
    const probe = `
      const entries = {};
      for (const name of ['sluice', 'sluice/lambda', 'sluice/testing']) {
        const module = await import(name);
        entries[name] = { exports: Object.keys(module), url: import.meta.resolve(name) };
      }
      console.log(JSON.stringify({ entries, execArgv: process.execArgv }));`;
    const run = succeeded(await runCommand(process.execPath, ['--input-type=module', '-e', probe], { cwd: cli }), 'node -e import');
    const { entries, execArgv } = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as {
      entries: Record<string, { exports: string[]; url: string }>;
      execArgv: string[];
    };
    expect(execArgv).toEqual(['--input-type=module', '-e', probe]);
    expect(entries['sluice']!.exports).toEqual(expect.arrayContaining(['defineJob', 'kinesisStream', 'table', 'hourOf', 'SluiceError']));
    expect(entries['sluice/lambda']!.exports).toEqual(expect.arrayContaining(['createKinesisHandler', 'createCompactionHandler']));
    expect(entries['sluice/testing']!.exports).toEqual(expect.arrayContaining(['streamRecords', 'recordsFromLines', 'recordFromBytes', 'runJobBatch', 'kinesisEvent', 'memoryAdapters']));
    expect(entries['sluice']!.url).toBe(`file://${join(cli, 'node_modules/sluice/dist/src/index.js')}`);
    expect(entries['sluice/testing']!.url).toBe(`file://${join(cli, 'node_modules/sluice/dist/src/testing/index.js')}`);
  });
});

describe('a project made by sluice init, outside this repository', () => {
  it('has a sample job, its schema and test, serverless.yml and a README, and sluice as a dependency', async () => {
    const files = (await readdir(project, { recursive: true })).filter((f) => !f.startsWith('node_modules') && !f.startsWith('package-lock'));
    expect(files).toEqual(
      expect.arrayContaining(['.gitignore', 'README.md', 'jobs/readings.ts', 'package.json', 'schemas/sense-hat.ts', 'serverless.yml', 'test/readings.test.ts', 'tsconfig.json']),
    );
    const manifest = JSON.parse(await readFile(join(project, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(manifest.dependencies['sluice']).toBe(`file:${tarball}`);
    expect(await readFile(join(project, 'jobs/readings.ts'), 'utf8')).toMatch(/from 'sluice';/);
    expect(initRun.stdout).toContain('npm run demo');
  });

  it('refuses a second init over it, naming the files, and writes nothing', async () => {
    await writeFile(join(project, 'jobs/readings.ts'), '// mine\n', { flag: 'a' });
    const again = await runCommand(join(project, 'node_modules/.bin/sluice'), ['init', '.'], { cwd: project });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/refusing to overwrite 8 files in .*: \.gitignore, README\.md, jobs\/readings\.ts, package\.json/);
    expect(await readFile(join(project, 'jobs/readings.ts'), 'utf8')).toMatch(/\/\/ mine\n$/);
  });

  it('passes its own npm test: the type check and the unit test of its job through sluice/testing', async () => {
    const tested = await step('npm test', () => runCommand('npm', ['test'], { cwd: project }));
    expect(tested.stdout).toMatch(/Tests\s+\S*4 passed/);
  });

  it('produces, runs and queries its sample job on the embedded default, with the state in the project', async () => {
    await step('sluice produce', () => sluice(['produce', '--job', JOB, '--simulate', 'sense-hat', '--create', '--records', '500', '--hours', '2', '--start', '2026-11-23T06:00:00Z']));
    await step('sluice run', () => sluice(['run', JOB, '--until-caught-up']));
    const queried = await step('sluice query', () =>
      sluice(['query', '--json', 'SELECT count(*) AS n, count(DISTINCT device_id) AS devices, min(event_time) AS first FROM telemetry.readings']),
    );
    expect(JSON.parse(queried.stdout)).toEqual([{ n: 500, devices: 10, first: expect.stringMatching(/^2026-11-23T06:00/) }]);
    expect((await readdir(join(project, '.sluice'))).sort()).toEqual(expect.arrayContaining(['catalog', 'checkpoints', 'kinesis', 'warehouse']));
    const listed = succeeded(await sluice(['jobs']), 'sluice jobs');
    expect(listed.stdout).toBe('readings\tsensors -> telemetry.readings\n');
    const status = succeeded(await sluice(['status', JOB, '--json']), 'sluice status');
    expect(status.stdout).toContain('"rows":500');
  });

  it('packages its job for Lambda offline: nodejs24.x, the handler from node_modules/sluice, the schema lock in its own schemas/', async () => {
    const home = join(scratch, 'serverless-home');
    const networkLog = join(scratch, 'network.log');
    await mkdir(home);
    await writeFile(networkLog, '');
    const packagedRun = await step('serverless package', () =>
      runCommand(process.execPath, ['--require', NO_NETWORK, join(project, 'node_modules/osls/bin/serverless.js'), 'package', `--param=job=${JOB}`], {
        cwd: project,
        env: userEnvironment({ HOME: home, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x', SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', SLUICE_NETWORK_LOG: networkLog }),
      }),
    );
    expect(packagedRun.stdout + packagedRun.stderr).toContain(`Packaging sluice-${JOB} for stage dev`);
    expect(await readFile(networkLog, 'utf8')).toBe('');
    const template = JSON.parse(await readFile(join(project, '.serverless/cloudformation-template-update-stack.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(functions.map((f) => [f.Properties['Runtime'], f.Properties['Handler']]).sort()).toEqual([
      ['nodejs24.x', 'node_modules/sluice/dist/src/runtime/lambda/bundle-entry.handler'],
      ['nodejs24.x', 'node_modules/sluice/dist/src/runtime/lambda/compaction-entry.compact'],
    ]);
    const zip = zipEntries(await readFile(join(project, `.serverless/sluice-${JOB}.zip`)));
    expect(zip.map((e) => e.name).sort()).toEqual([
      'node_modules/sluice/dist/src/runtime/lambda/bundle-entry.mjs',
      'node_modules/sluice/dist/src/runtime/lambda/compaction-entry.mjs',
      'node_modules/sluice/dist/src/runtime/lambda/parquet_wasm_bg.wasm',
    ]);
    const lock = JSON.parse(await readFile(join(project, 'schemas/lock/telemetry.readings.json'), 'utf8')) as { columns: Array<{ name: string }> };
    expect(lock.columns.map((c) => c.name)).toContain('temperature_c');
  });
});
