import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the sluice package itself lives and in which form this code runs: the TypeScript
 * sources of a checkout of the repository (`src/`, through tsx, vitest or esbuild), or the
 * compiled JavaScript of an installed package (`dist/src/`). Paths to the package's own files
 * (the CLI's entry, the sample jobs, the project templates) are found from here instead of by
 * counting `../` from each module, which would differ between `src/x` and `dist/src/x`.
 */

/**
 * The package.json `exports` condition that selects the TypeScript sources; set only for runs
 * inside the repository.
 *
 * @example
 * ```ts
 * esbuildOptions.conditions = RUNNING_FROM_SOURCE ? [SOURCE_CONDITION] : [];
 * ```
 */
export const SOURCE_CONDITION = 'sluice-source';

/**
 * The sources end in `.ts`; the compiled package's modules in `.js`. A module's own URL
 * tells which one is running, whatever loaded it.
 *
 * @example
 * ```ts
 * RUNNING_FROM_SOURCE; // true in a checkout run through tsx, false in node_modules/sluice
 * ```
 */
// The path, not the URL: tsx's tsImport() adds a query (`?tsx-namespace=...`) to the modules it loads.
export const RUNNING_FROM_SOURCE: boolean = new URL(import.meta.url).pathname.endsWith('.ts');

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'sluice') return dir;
    // Unreachable in a checkout or an install (both have sluice's package.json above this file); kept finite.
    if (dirname(dir) === dir) throw new Error(`no package.json of sluice above ${start}`);
  }
}

/**
 * The absolute path of the sluice package: the repository's root, or `node_modules/sluice`.
 *
 * @example
 * ```ts
 * join(SLUICE_PACKAGE_ROOT, 'bin', 'sluice.js'); // the CLI's entry
 * ```
 */
export const SLUICE_PACKAGE_ROOT: string = findPackageRoot(dirname(fileURLToPath(import.meta.url)));
