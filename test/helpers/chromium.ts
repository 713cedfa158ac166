import { watch } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { inject } from 'vitest';
import type { ChromiumStatus } from '../setup/chromium.ts';

/**
 * How long a test waits for the run's Chromium: covers a first apt install on a fresh machine
 * (apt update + ~25 s), which may queue behind the S3 server's Ceph install.
 *
 * @example
 * ```ts
 * beforeAll(async () => { browser = await launchChromium(); }, CHROMIUM_WAIT_MS);
 * ```
 */
export const CHROMIUM_WAIT_MS = 600_000;

/**
 * Flags for a browser that talks to nothing but the page under test: no sync, no component
 * or safe-browsing updates, no QUIC, no first-run work. Root (CI) needs `--no-sandbox`.
 */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
  '--no-first-run',
  '--no-default-browser-check',
  '--metrics-recording-only',
  '--safebrowsing-disable-auto-update',
] as const;

/**
 * A headless Chromium with a profile of its own.
 *
 * @example
 * ```ts
 * const browser = await launchChromium();
 * const page = await browser.context.newPage();
 * await browser.close();
 * ```
 */
export interface TestBrowser {
  readonly context: BrowserContext;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

/**
 * Waits for the Chromium the global setup (test/setup/chromium.ts) installs, then launches it
 * with a fresh profile through playwright-core. Rejects, so the calling test fails, when it
 * could not be installed: browser tests are never skipped silently.
 *
 * @example
 * ```ts
 * let browser: TestBrowser;
 * beforeAll(async () => { browser = await launchChromium(); }, CHROMIUM_WAIT_MS);
 * afterAll(() => browser?.close());
 * ```
 */
export async function launchChromium(): Promise<TestBrowser> {
  const status = await waitForStatus(inject('chromium').statusFile);
  if (!status.ok) throw new Error(`Chromium (Debian's package) is not installed, so this browser test cannot run:\n${status.message}`);
  const profile = await mkdtemp(join(tmpdir(), 'sluice-chromium-profile-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: status.executablePath,
      headless: true,
      chromiumSandbox: false,
      args: [...ARGS],
      viewport: { width: 1400, height: 1000 },
      deviceScaleFactor: 1,
    });
    return {
      context,
      close: async () => {
        await context.close();
        await rm(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
}

/** The status file appears by rename once Chromium is installed or could not be: watch for it. */
function waitForStatus(statusFile: string): Promise<ChromiumStatus> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (action: () => void) => {
      if (settled) return;
      settled = true;
      watcher.close();
      clearTimeout(timer);
      action();
    };
    const look = () =>
      readStatus(statusFile).then(
        (status) => status !== undefined && settle(() => resolve(status)),
        (error: unknown) => settle(() => reject(error)),
      );
    // Watch first, then look: a status renamed into place between the two is still seen.
    const watcher = watch(dirname(statusFile), (_event, name) => {
      if (name === basename(statusFile)) void look();
    });
    const timer = setTimeout(
      () => settle(() => reject(new Error(`the Chromium install reported nothing within ${CHROMIUM_WAIT_MS / 1000} s (status file ${statusFile})`))),
      CHROMIUM_WAIT_MS,
    );
    void look();
  });
}

async function readStatus(statusFile: string): Promise<ChromiumStatus | undefined> {
  try {
    return JSON.parse(await readFile(statusFile, 'utf8')) as ChromiumStatus;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
