import { spawn } from 'node:child_process';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

/**
 * What the S3 tests receive through `inject('s3TestServer')`: where the server reports once
 * it is up or has failed. Endpoint and keys are only known then, which is why this is a file
 * and not the values themselves (see {@link S3ServerStatus}).
 *
 * @example
 * ```ts
 * const { statusFile } = inject('s3TestServer');
 * ```
 */
export interface S3TestServerHandle {
  readonly statusFile: string;
}

/**
 * The content of the status file: the server's endpoint and user, or why it did not start.
 *
 * @example
 * ```ts
 * const status: S3ServerStatus = { ok: true, endpoint: 'http://127.0.0.1:25452', accessKeyId: 'SLUICE...', secretAccessKey: '...' };
 * ```
 */
export type S3ServerStatus =
  | { readonly ok: true; readonly endpoint: string; readonly accessKeyId: string; readonly secretAccessKey: string }
  | { readonly ok: false; readonly message: string };

declare module 'vitest' {
  export interface ProvidedContext {
    s3TestServer: S3TestServerHandle;
  }
}

const SCRIPT = fileURLToPath(new URL('../../scripts/s3-test-server.sh', import.meta.url));

/**
 * Vitest global setup: starts ONE S3 server (single-node Ceph radosgw on loopback, installed
 * with apt when absent) for the whole run and stops it at teardown. It starts in the
 * background, so the ~15 s of Ceph start overlap the other test files; S3 tests wait for the
 * status file (test/helpers/s3-test-server.ts) and fail with the script's own words when
 * the server could not start.
 *
 * @example
 * ```ts
 * // vitest.config.ts
 * export default defineConfig({ test: { globalSetup: ['test/setup/s3-server.ts'] } });
 * ```
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = await mkdtemp(join(tmpdir(), 'sluice-s3-server-'));
  const stateDir = join(root, 'ceph');
  const statusFile = join(root, 'status.json');
  const report = async (status: S3ServerStatus) => {
    // Written whole and renamed into place: a waiting test never reads half a status.
    await writeFile(`${statusFile}.tmp`, JSON.stringify(status));
    await rename(`${statusFile}.tmp`, statusFile);
  };

  // Its own process group: a teardown during start can end the script and every daemon it launched at once.
  const starter = spawn('bash', [SCRIPT, 'start', stateDir], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, S3_SERVER_OWNER_PID: String(process.pid) },
  });
  let stdout = '';
  let stderr = '';
  starter.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  starter.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let running = true;
  const finished = new Promise<void>((done) => {
    starter.on('error', (error) => {
      running = false;
      void report({ ok: false, message: `could not run ${SCRIPT}: ${error.message}` }).finally(done);
    });
    starter.on('close', (code, signal) => {
      running = false;
      const found = /endpoint=(\S+) access_key=(\S+) secret_key=(\S+)/.exec(stdout);
      const status: S3ServerStatus =
        code === 0 && found
          ? { ok: true, endpoint: found[1] as string, accessKeyId: found[2] as string, secretAccessKey: found[3] as string }
          : { ok: false, message: `${SCRIPT} start exited with ${signal ?? `code ${code}`}:\n${stderr.trim() || stdout.trim()}` };
      void report(status).finally(done);
    });
  });

  project.provide('s3TestServer', { statusFile });

  return async () => {
    if (running && starter.pid !== undefined) {
      try {
        process.kill(-starter.pid, 'SIGTERM');
      } catch {
        // Already gone between the check and the kill.
      }
    }
    await finished;
    await new Promise<void>((done) => spawn('bash', [SCRIPT, 'stop', stateDir], { stdio: 'ignore' }).on('close', () => done()));
    await rm(root, { recursive: true, force: true });
  };
}
