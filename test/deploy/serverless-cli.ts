import { spawn } from 'node:child_process';
import { copyFile, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The Serverless CLI (osls + serverless-esbuild) run offline the way the deploy tests need
 * it: dummy credentials, a HOME and a service folder of its own, every connection refused
 * and logged.
 */

const PROJECT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SERVERLESS = join(PROJECT, 'node_modules/osls/bin/serverless.js');
const NO_NETWORK = join(PROJECT, 'test/deploy/no-network.cjs');

/** What a service folder needs from the project, linked (serverless.yml is copied: osls ignores a linked one). */
const SERVICE_LINKS = ['package.json', 'tsconfig.json', 'node_modules', 'deploy', 'src', 'jobs', 'schemas'];

/**
 * One finished CLI run.
 *
 * @example
 * ```ts
 * const run: CliRun = { code: 0, stdout: '...', stderr: '', seconds: 2.4 };
 * ```
 */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/**
 * A service folder of its own for one Serverless run: osls empties `<service>/.serverless/`
 * when packaging starts and serverless-esbuild stages the zip there, so two runs in one
 * folder (two jobs, or another `npm test` in the same checkout) would delete each other's
 * artifacts.
 */
async function serviceFolder(dir: string): Promise<string> {
  const service = join(dir, 'service');
  await mkdir(service, { recursive: true });
  await copyFile(join(PROJECT, 'serverless.yml'), join(service, 'serverless.yml'));
  for (const entry of SERVICE_LINKS) await symlink(join(PROJECT, entry), join(service, entry));
  return service;
}

/**
 * Runs the Serverless CLI in `dir` (created if missing) offline; connection attempts are
 * written to `networkLog`.
 *
 * @example
 * ```ts
 * const run = await serverless(['print', '--format', 'json', '--param=job=sensor-readings'], { dir, networkLog });
 * ```
 */
export async function serverless(args: readonly string[], options: { readonly dir: string; readonly networkLog: string }): Promise<CliRun> {
  const started = Date.now();
  const home = join(options.dir, 'home');
  await mkdir(home, { recursive: true });
  const cwd = await serviceFolder(options.dir);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--require', NO_NETWORK, SERVERLESS, ...args], {
      cwd,
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: home,
        AWS_ACCESS_KEY_ID: 'x',
        AWS_SECRET_ACCESS_KEY: 'x',
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
        SLUICE_NETWORK_LOG: options.networkLog,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr, seconds: (Date.now() - started) / 1000 }));
  });
}

/**
 * A packaged service: the CloudFormation template and the artifact.
 *
 * @example
 * ```ts
 * const { template, zip } = await packageService({ dir, args: ['--param=job=sensor-readings'], zipName: 'sluice-sensor-readings.zip' });
 * ```
 */
export interface PackagedService {
  readonly run: CliRun;
  readonly template: { readonly Resources: Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown> }>; readonly Outputs?: Record<string, unknown> };
  readonly zip: Buffer;
  readonly networkLog: string;
}

/**
 * `serverless package` with `args` (params, `--region`, `--stage`) into `dir`; rejects with
 * the CLI's output when it fails.
 *
 * @example
 * ```ts
 * const packaged = await packageService({ dir, args: ['--param=job=sensor-readings', '--region', 'eu-west-1'], zipName: 'sluice-sensor-readings.zip' });
 * ```
 */
export async function packageService(options: { readonly dir: string; readonly args: readonly string[]; readonly zipName: string }): Promise<PackagedService> {
  await mkdir(options.dir, { recursive: true });
  const networkLog = join(options.dir, 'network.log');
  await writeFile(networkLog, '');
  const out = join(options.dir, 'package');
  const run = await serverless(['package', ...options.args, '--package', out], { dir: options.dir, networkLog });
  if (run.code !== 0) throw new Error(`serverless package ${options.args.join(' ')} exited ${run.code}:\n${run.stdout}\n${run.stderr}`);
  return {
    run,
    template: JSON.parse(await readFile(join(out, 'cloudformation-template-update-stack.json'), 'utf8')) as PackagedService['template'],
    zip: await readFile(join(out, options.zipName)),
    networkLog: await readFile(networkLog, 'utf8'),
  };
}
