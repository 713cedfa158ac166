import { spawn } from 'node:child_process';

/** The command that opens a URL in the desktop's browser, by platform; others: xdg-open. */
const OPENERS: Readonly<Partial<Record<NodeJS.Platform, (url: string) => readonly [string, string[]]>>> = {
  darwin: (url) => ['open', [url]],
  // `start` is a cmd built-in; its first quoted argument is a window title.
  win32: (url) => ['cmd', ['/c', 'start', '""', url]],
};

/**
 * Opens `url` in the user's browser, best effort: a machine without a desktop (no xdg-open)
 * only loses the convenience, the URL is printed anyway.
 *
 * @example
 * ```ts
 * if (process.stdout.isTTY) openBrowser('http://127.0.0.1:4917/');
 * ```
 */
export function openBrowser(url: string): void {
  const [command, args] = (OPENERS[process.platform] ?? ((u: string) => ['xdg-open', [u]] as const))(url);
  const child = spawn(command, args, { stdio: 'ignore', detached: true });
  child.on('error', () => undefined);
  child.unref();
}
