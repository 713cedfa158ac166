import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BuildOptions } from 'esbuild';

/** esbuild options for the Lambda bundle, and where they came from. */
export interface LambdaBuildOptions {
  readonly options: BuildOptions;
  /** `deploy/bundle-options.ts` when the deploy packaging provided them, else the bench's own. */
  readonly source: string;
}

const projectDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const deployOptionsFile = join(projectDir, 'deploy', 'bundle-options.ts');

/**
 * The options a Node.js Lambda bundle of sluice needs: everything bundled (the AWS SDK too),
 * ESM, parquet-wasm's `.wasm` copied beside the bundle, and a `require` for the CommonJS code inside.
 * Used when the project has no deploy packaging to copy.
 */
const BENCH_OPTIONS: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  loader: { '.wasm': 'file' },
  assetNames: '[name]',
  banner: { js: "import { createRequire as __sluiceCreateRequire } from 'node:module'; const require = __sluiceCreateRequire(import.meta.url);" },
};

/**
 * The keys of serverless-esbuild's `custom.esbuild` that are esbuild's own; the rest (exclude,
 * outputWorkFolder...) are the plugin's. `plugins` is handled apart: the plugin takes a file.
 */
const ESBUILD_KEYS = [
  'bundle', 'platform', 'target', 'format', 'mainFields', 'conditions', 'alias', 'loader', 'external', 'banner', 'footer',
  'define', 'assetNames', 'minify', 'keepNames', 'legalComments', 'sourcemap', 'treeShaking', 'charset',
] as const;

/**
 * serverless-esbuild's `plugins`: a list, or a file relative to the service (the project here)
 * exporting the list or a function returning it, required the way the plugin requires it.
 */
function pluginsOf(plugins: unknown): NonNullable<BuildOptions['plugins']> {
  if (Array.isArray(plugins)) return plugins as NonNullable<BuildOptions['plugins']>;
  if (typeof plugins !== 'string') throw new Error(`plugins is neither a list nor a file: ${String(plugins)}`);
  const exported = createRequire(import.meta.url)(join(projectDir, plugins)) as unknown;
  const list = typeof exported === 'function' ? (exported as () => unknown)() : exported;
  if (!Array.isArray(list)) throw new Error(`${plugins} gives no list of plugins`);
  return list as NonNullable<BuildOptions['plugins']>;
}

/**
 * Prefers the options `serverless package` bundles a job with (deploy/bundle-options.ts), so
 * the cold start measured is the deployed bundle's; falls back to the bench's own when the
 * project has none or they cannot be read. Either way the entry is the bench's (local
 * adapters), never the deployed one's (S3 and Glue over the network).
 *
 * @example
 * ```ts
 * const { options, source } = await lambdaBuildOptions();
 * ```
 */
export async function lambdaBuildOptions(): Promise<LambdaBuildOptions> {
  if (!existsSync(deployOptionsFile)) return { options: BENCH_OPTIONS, source: 'bench defaults (no deploy/bundle-options.ts)' };
  try {
    const deploy = (await import(pathToFileURL(deployOptionsFile).href)) as {
      bundleOptions?: (input: { jobModule: string; workFolder: string }) => Record<string, unknown>;
    };
    if (typeof deploy.bundleOptions !== 'function') throw new Error('no bundleOptions export');
    const all = deploy.bundleOptions({ jobModule: join(projectDir, 'jobs', 'sensor-readings.ts'), workFolder: '.esbuild/bench' });
    const options = Object.fromEntries(ESBUILD_KEYS.filter((k) => k in all).map((k) => [k, all[k]])) as BuildOptions;
    if ('plugins' in all) options.plugins = pluginsOf(all['plugins']);
    // The deployed runtime may be newer than the Node running the bench: build for the one that will run it.
    return { options: { ...options, target: `node${process.versions.node.split('.')[0]}` }, source: 'deploy/bundle-options.ts (serverless-esbuild)' };
  } catch (error) {
    return { options: BENCH_OPTIONS, source: `bench defaults (deploy/bundle-options.ts unusable: ${(error as Error).message})` };
  }
}
