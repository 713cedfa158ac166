import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../src/errors.ts';
import { RUNNING_FROM_SOURCE, SOURCE_CONDITION } from '../src/runtime/sluice-package.ts';

/**
 * Where the files a job's bundle is built from lie, as paths relative to the Serverless
 * project (serverless-esbuild resolves handlers and the plugins file against the service
 * folder, and a bundle's path in the zip mirrors its entry's path there). Two layouts:
 *
 * - this repository: the project is sluice itself; entries are the TypeScript sources;
 * - a user's project: sluice is `node_modules/sluice`; entries are its compiled JavaScript.
 *
 * Which one is decided by the form this code runs in (src/runtime/sluice-package.ts): the
 * sources run only in the repository, the compiled package only when installed.
 */

/** The folder of the Lambda entries (bundle-entry, compaction-entry), relative to the project. */
const LAMBDA_ENTRIES_DIR = RUNNING_FROM_SOURCE ? 'src/runtime/lambda' : 'node_modules/sluice/dist/src/runtime/lambda';

/**
 * A Lambda entry's handler as a function's `handler` names it: `<path without extension>.<export>`.
 *
 * @example
 * ```ts
 * lambdaHandler('bundle-entry', 'handler'); // 'src/runtime/lambda/bundle-entry.handler' here,
 * // 'node_modules/sluice/dist/src/runtime/lambda/bundle-entry.handler' in a user's project
 * ```
 */
export function lambdaHandler(entry: 'bundle-entry' | 'compaction-entry', exportName: string): string {
  return `${LAMBDA_ENTRIES_DIR}/${entry}.${exportName}`;
}

/**
 * The esbuild plugins file (deploy/bundle-plugins.cjs), relative to the project.
 *
 * @example
 * ```ts
 * createRequire(import.meta.url)(join(projectDir, BUNDLE_PLUGINS_PATH))();
 * ```
 */
export const BUNDLE_PLUGINS_PATH: string = RUNNING_FROM_SOURCE ? 'deploy/bundle-plugins.cjs' : 'node_modules/sluice/deploy/bundle-plugins.cjs';

/**
 * The package.json `exports` conditions a bundle resolves `sluice` with: in the repository
 * the sample jobs' `import ... from 'sluice'` must reach src/, the same modules as the entry's,
 * or the bundle would hold two copies of the library (and `instanceof` between them fails).
 *
 * @example
 * ```ts
 * { conditions: BUNDLE_CONDITIONS } // ['sluice-source'] here, [] in a user's project
 * ```
 */
export const BUNDLE_CONDITIONS: readonly string[] = RUNNING_FROM_SOURCE ? [SOURCE_CONDITION] : [];

/**
 * Fails unless the project holds sluice where its serverless.yml's handlers point
 * (`node_modules/sluice`): a hoisted install elsewhere (a monorepo's root) would leave
 * serverless-esbuild with an entry outside the service folder. Nothing to check in the repository.
 *
 * @example
 * ```ts
 * assertSluiceInstalled(process.cwd());
 * ```
 */
export function assertSluiceInstalled(projectDir: string): void {
  if (RUNNING_FROM_SOURCE) return;
  const manifest = join(projectDir, 'node_modules', 'sluice', 'package.json');
  if (!existsSync(manifest)) {
    throw new UsageError(
      `${manifest} not found: serverless.yml's functions run sluice's Lambda entries from the project's own node_modules; ` +
        `run \`npm install sluice\` in ${projectDir} (in a workspace, install sluice in this package, not only at the root)`,
    );
  }
}
