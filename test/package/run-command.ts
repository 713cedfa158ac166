import { spawn } from 'node:child_process';
import { dirname } from 'node:path';

/**
 * Commands run as a user runs them in a project of their own: `npm`, `npx sluice`, the
 * project's node_modules/.bin. The Node running the tests is first on PATH, so `npm` and
 * everything it starts run under it (the Node 24 run tests Node 24 end to end), and nothing
 * of vitest's own environment (VITEST_*, NODE_OPTIONS) reaches a project's own vitest.
 */

/**
 * One finished command.
 *
 * @example
 * ```ts
 * const done: CommandResult = { code: 0, stdout: '[{"n":500}]\n', stderr: '', seconds: 3.2 };
 * ```
 */
export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/**
 * The environment of a user's shell: PATH with the test's Node first, HOME (npm's cache
 * lives there, so installs come from it), and no CI-runner or vitest variables.
 *
 * @example
 * ```ts
 * spawn('npm', ['test'], { env: userEnvironment({ HOME: scratchHome }) });
 * ```
 */
export function userEnvironment(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const path = [dirname(process.execPath), process.env['PATH'] ?? ''].join(':');
  return {
    PATH: path,
    HOME: process.env['HOME'] ?? '/root',
    ...(process.env['TMPDIR'] === undefined ? {} : { TMPDIR: process.env['TMPDIR'] }),
    CI: '1',
    // Plain text to assert on, whatever the tools would colour.
    NO_COLOR: '1',
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    ...extra,
  };
}

/**
 * Runs a command to its end (never rejects on a non-zero exit: the caller asserts on it).
 *
 * @example
 * ```ts
 * const installed = await runCommand('npm', ['install', '--prefer-offline'], { cwd: project });
 * expect(installed.code, installed.stderr).toBe(0);
 * ```
 */
export function runCommand(command: string, args: readonly string[], options: { readonly cwd: string; readonly env?: NodeJS.ProcessEnv }): Promise<CommandResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? userEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, seconds: (Date.now() - started) / 1000 }));
  });
}

/**
 * Fails with everything the command printed unless it exited 0, and returns it.
 *
 * @example
 * ```ts
 * const { stdout } = succeeded(await runCommand('npx', ['sluice', 'jobs'], { cwd }), 'sluice jobs');
 * ```
 */
export function succeeded(result: CommandResult, what: string): CommandResult {
  if (result.code !== 0) throw new Error(`${what} exited ${result.code} after ${result.seconds} s:\n${result.stdout}\n${result.stderr}`);
  return result;
}
