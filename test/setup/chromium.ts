import { spawn } from 'node:child_process';
import { watch } from 'node:fs';
import { access, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { ProvidedContext } from 'vitest';
import type { TestProject } from 'vitest/node';

/**
 * What browser tests receive through `inject('chromium')`: where the install reports once
 * Chromium is there or could not be installed (see {@link ChromiumStatus}).
 *
 * @example
 * ```ts
 * const { statusFile } = inject('chromium');
 * ```
 */
export interface ChromiumHandle {
  readonly statusFile: string;
}

/**
 * The content of the status file: the browser's path, or why there is none.
 *
 * @example
 * ```ts
 * const status: ChromiumStatus = { ok: true, executablePath: '/usr/bin/chromium' };
 * ```
 */
export type ChromiumStatus = { readonly ok: true; readonly executablePath: string } | { readonly ok: false; readonly message: string };

declare module 'vitest' {
  export interface ProvidedContext {
    chromium: ChromiumHandle;
  }
}

/**
 * Debian's build: `npx playwright install` downloads a browser from a CDN, which a fresh
 * machine without network beyond the package registries cannot do.
 *
 * @example
 * ```ts
 * await launchChromium(); // runs CHROMIUM_PATH
 * ```
 */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Fonts are only a Recommends of chromium: without them a screenshot's text is boxes. */
const PACKAGES = ['chromium', 'fonts-liberation'] as const;

/**
 * Waits for the dpkg lock instead of failing on it, should anything else install packages
 * at the same moment.
 */
const APT = ['-o', 'DPkg::Lock::Timeout=300', '-qq'] as const;

/**
 * `apt-get update` takes the package lists' lock, which DPkg::Lock::Timeout does not cover, so
 * an update running elsewhere makes it fail at once: the shell retries it a bounded number of times.
 */
const INSTALL_SCRIPT = [
  'set -eu',
  'export DEBIAN_FRONTEND=noninteractive',
  `for attempt in $(seq 1 30); do apt-get ${APT.join(' ')} update >&2 && break; [ "$attempt" = 30 ] && exit 1; sleep 2; done`,
  `apt-get ${APT.join(' ')} install -y --no-install-recommends ${PACKAGES.join(' ')} >&2`,
].join('\n');

/** What scripts/s3-test-server.sh installs with apt-get when any of them is missing. */
const CEPH_BINARIES = ['/usr/bin/radosgw', '/usr/bin/ceph-mon', '/usr/bin/ceph-osd'] as const;

/**
 * Vitest global setup: makes sure Debian's Chromium is installed for the browser tests
 * (`test/e2e/dashboard.test.ts`), installing it with apt-get (as root) when absent. The
 * install runs in the background, overlapping the other test files; browser tests wait for
 * the status file (test/helpers/chromium.ts) and fail with apt's own words when it failed.
 *
 * The S3 server's setup (test/setup/s3-server.ts) may be installing Ceph with apt-get at the
 * same time, and its `apt-get update` fails at once when another update holds the lists'
 * lock: so while Ceph is missing, the Chromium install starts only once that setup reports.
 *
 * @example
 * ```ts
 * // vitest.config.ts
 * export default defineConfig({ test: { globalSetup: ['test/setup/s3-server.ts', 'test/setup/chromium.ts'] } });
 * ```
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = await mkdtemp(join(tmpdir(), 'sluice-chromium-'));
  const statusFile = join(root, 'status.json');
  const report = async (status: ChromiumStatus) => {
    // Written whole and renamed into place: a waiting test never reads half a status.
    await writeFile(`${statusFile}.tmp`, JSON.stringify(status));
    await rename(`${statusFile}.tmp`, statusFile);
  };
  project.provide('chromium', { statusFile });

  if (await exists(CHROMIUM_PATH)) {
    await report({ ok: true, executablePath: CHROMIUM_PATH });
    return () => rm(root, { recursive: true, force: true });
  }
  if (process.getuid?.() !== 0) {
    await report({ ok: false, message: `${CHROMIUM_PATH} is missing and this is not root: run\n  sudo apt-get install -y --no-install-recommends ${PACKAGES.join(' ')}` });
    return () => rm(root, { recursive: true, force: true });
  }

  const teardown = new AbortController();
  const s3Status = (project.getProvidedContext() as Partial<ProvidedContext>).s3TestServer?.statusFile;
  const finished = (async () => {
    const cephMissing = !(await Promise.all(CEPH_BINARIES.map(exists))).every(Boolean);
    if (s3Status !== undefined && cephMissing) await fileAppears(s3Status, teardown.signal);
    if (teardown.signal.aborted) return report({ ok: false, message: 'the test run ended before Chromium was installed' });
    return report(await install());
  })();

  return async () => {
    // An install under way is never killed (an interrupted dpkg leaves packages half-configured); one not started yet never starts.
    teardown.abort();
    await finished;
    await rm(root, { recursive: true, force: true });
  };
}

/** Runs the install; resolves with what to report. */
function install(): Promise<ChromiumStatus> {
  return new Promise((done) => {
    const installer = spawn('bash', ['-c', INSTALL_SCRIPT], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    installer.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    installer.on('error', (error) => done({ ok: false, message: `could not run apt-get: ${error.message}` }));
    installer.on('close', (code, signal) => {
      const installed = code === 0 ? exists(CHROMIUM_PATH) : Promise.resolve(false);
      void installed.then((ok) =>
        done(
          ok
            ? { ok: true, executablePath: CHROMIUM_PATH }
            : { ok: false, message: `apt-get install ${PACKAGES.join(' ')} exited with ${signal ?? `code ${code}`}:\n${stderr.trim()}` },
        ),
      );
    });
  });
}

/** Resolves once `path` exists (it appears by rename), or when `signal` aborts. */
function fileAppears(path: string, signal: AbortSignal): Promise<void> {
  return new Promise((done) => {
    const finish = () => {
      watcher.close();
      signal.removeEventListener('abort', finish);
      done();
    };
    const look = () => void exists(path).then((found) => found && finish());
    // Watch first, then look: a file renamed into place between the two is still seen.
    const watcher = watch(dirname(path), (_event, name) => name === basename(path) && look());
    // The folder removed (that setup torn down first): nothing more will appear there.
    watcher.on('error', finish);
    signal.addEventListener('abort', finish, { once: true });
    look();
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
