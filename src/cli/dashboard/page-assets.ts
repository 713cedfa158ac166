import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * A file the dashboard serves, read into memory once.
 *
 * @example
 * ```ts
 * const asset: PageAsset = { body: new TextEncoder().encode('<!doctype html>'), contentType: 'text/html; charset=utf-8' };
 * ```
 */
export interface PageAsset {
  readonly body: Uint8Array;
  readonly contentType: string;
}

const require = createRequire(import.meta.url);
const pageFile = (name: string): string => fileURLToPath(new URL(`./page/${name}`, import.meta.url));

/**
 * Every file the page needs, by URL path: the hand-written page beside this module and uPlot's
 * distributed build, found through Node's resolution so it works wherever npm put it (a
 * checkout, or sluice installed as a dependency). A fixed list, not a folder served as is:
 * no request path ever reaches the file system.
 */
const ASSETS: Readonly<Record<string, { readonly file: () => string; readonly contentType: string }>> = {
  '/': { file: () => pageFile('index.html'), contentType: 'text/html; charset=utf-8' },
  '/dashboard.js': { file: () => pageFile('dashboard.js'), contentType: 'text/javascript; charset=utf-8' },
  '/dashboard.css': { file: () => pageFile('dashboard.css'), contentType: 'text/css; charset=utf-8' },
  '/vendor/uPlot.esm.js': { file: () => require.resolve('uplot/dist/uPlot.esm.js'), contentType: 'text/javascript; charset=utf-8' },
  '/vendor/uPlot.min.css': { file: () => require.resolve('uplot/dist/uPlot.min.css'), contentType: 'text/css; charset=utf-8' },
};

/**
 * Reads the page's files.
 *
 * @example
 * ```ts
 * const assets = await loadPageAssets();
 * assets.get('/dashboard.js')?.contentType; // 'text/javascript; charset=utf-8'
 * ```
 */
export async function loadPageAssets(): Promise<ReadonlyMap<string, PageAsset>> {
  const entries = await Promise.all(
    Object.entries(ASSETS).map(async ([path, asset]) => [path, { body: new Uint8Array(await readFile(asset.file())), contentType: asset.contentType }] as const),
  );
  return new Map(entries);
}
