import { watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

/**
 * Waits for a status file that a global test setup renames into place once what it started
 * (the S3 server, the Chromium install) is ready or has failed, and returns its JSON. Rejects
 * after `timeoutMs`, naming `what` and the file.
 *
 * @example
 * ```ts
 * const status = await waitForStatusFile<S3ServerStatus>(statusFile, { what: 'the S3 test server', timeoutMs: 300_000 });
 * ```
 */
export function waitForStatusFile<T>(statusFile: string, options: { readonly what: string; readonly timeoutMs: number }): Promise<T> {
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
      readStatus<T>(statusFile).then(
        (status) => status !== undefined && settle(() => resolve(status)),
        (error: unknown) => settle(() => reject(error)),
      );
    // Watch first, then look: a status renamed into place between the two is still seen.
    const watcher = watch(dirname(statusFile), (_event, name) => {
      if (name === basename(statusFile)) void look();
    });
    const timer = setTimeout(
      () => settle(() => reject(new Error(`${options.what} reported nothing within ${options.timeoutMs / 1000} s (status file ${statusFile})`))),
      options.timeoutMs,
    );
    void look();
  });
}

async function readStatus<T>(statusFile: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(statusFile, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
