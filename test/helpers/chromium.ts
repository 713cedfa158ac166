import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { inject } from 'vitest';
import { waitForStatusFile } from './status-file.ts';
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
  const status = await waitForStatusFile<ChromiumStatus>(inject('chromium').statusFile, { what: 'the Chromium install', timeoutMs: CHROMIUM_WAIT_MS });
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
