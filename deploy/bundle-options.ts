/**
 * Options of {@link bundleOptions}.
 *
 * @example
 * ```ts
 * const options: BundleOptionsInput = { jobModule: '/repo/jobs/sensor-readings.ts', workFolder: '.esbuild/sensor-readings-4242' };
 * ```
 */
export interface BundleOptionsInput {
  /** Absolute path of the job module, imported by the entry as `sluice:job`. */
  readonly jobModule: string;
  /** serverless-esbuild's scratch folder, relative to the project. */
  readonly workFolder: string;
}

/**
 * The bundle's entry, as the function's `handler` names it (`<file without extension>.<export>`).
 *
 * @example
 * ```ts
 * functions: { handler: { handler: BUNDLE_HANDLER } }
 * ```
 */
export const BUNDLE_HANDLER = 'src/runtime/lambda/bundle-entry.handler';

/**
 * serverless-esbuild's options (`custom.esbuild`) for a job's bundle: one ESM file holding the
 * handler, the job and parquet-wasm's wasm, so the function needs no file beside it.
 *
 * - `alias`: the entry imports `sluice:job`; this makes it the job's module, statically.
 * - `loader: { '.wasm': 'binary' }`: the wasm becomes a `Uint8Array` inside the bundle; the
 *   entry hands it to parquet-wasm before the first write.
 * - `exclude: []`: the AWS SDK is bundled too, so the function runs the SDK version the tests
 *   ran, not whatever the runtime ships (the plugin leaves `aws-sdk` v2 out by default).
 * - `banner`: CommonJS code inside an ESM bundle calls `require` for Node's built-ins, and
 *   ESM has no `require` of its own.
 * - `keepNames`: sluice's errors name themselves after their class, which minifying would mangle.
 * - `outputWorkFolder`: a folder per run, so two jobs can be packaged at the same time.
 *
 * @example
 * ```ts
 * custom: { esbuild: bundleOptions({ jobModule: resolve('jobs/sensor-readings.ts'), workFolder: '.esbuild/sensor-readings-4242' }) }
 * ```
 */
export function bundleOptions(options: BundleOptionsInput): Record<string, unknown> {
  return {
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    outputFileExtension: '.mjs',
    mainFields: ['module', 'main'],
    alias: { 'sluice:job': options.jobModule },
    loader: { '.wasm': 'binary' },
    exclude: [],
    external: [],
    banner: { js: "import { createRequire as __sluiceCreateRequire } from 'node:module'; const require = __sluiceCreateRequire(import.meta.url);" },
    minify: true,
    keepNames: true,
    legalComments: 'none',
    sourcemap: false,
    outputWorkFolder: options.workFolder,
  };
}
