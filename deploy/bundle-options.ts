import { BUNDLE_CONDITIONS, BUNDLE_PLUGINS_PATH, lambdaHandler } from './package-paths.ts';

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
 * functions: { handler: { handler: BUNDLE_HANDLER } } // 'src/runtime/lambda/bundle-entry.handler' in this repository
 * ```
 */
export const BUNDLE_HANDLER: string = lambdaHandler('bundle-entry', 'handler');

/**
 * The name parquet-wasm's `.wasm` file has in the function's zip, beside the bundle.
 *
 * @example
 * ```ts
 * entries.map((e) => e.name); // ['src/runtime/lambda/bundle-entry.mjs', `src/runtime/lambda/${PARQUET_WASM_FILE}`]
 * ```
 */
export const PARQUET_WASM_FILE = 'parquet_wasm_bg.wasm';

/**
 * The file serverless-esbuild loads the bundle's esbuild plugins from, relative to the project
 * (it calls its export for the list). A file, because plugin objects given inline lose their
 * functions to Serverless's variable resolution.
 *
 * @example
 * ```ts
 * const plugins = createRequire(import.meta.url)(join(projectDir, BUNDLE_PLUGINS_FILE))();
 * ```
 */
export const BUNDLE_PLUGINS_FILE: string = BUNDLE_PLUGINS_PATH;

/**
 * serverless-esbuild's options (`custom.esbuild`) for a job's bundles, one per function entry: one ESM file holding the
 * entry's handler and the job, with parquet-wasm's `.wasm` as a file beside it. What a cold start
 * loads is what these options decide, so each is chosen for load time too.
 *
 * - `target: 'node24'`: the function's runtime (nodejs24.x), so nothing it runs natively is down-levelled.
 * - `conditions`: {@link BUNDLE_CONDITIONS}, so the job's `import ... from 'sluice'` reaches the same
 *   modules as the entry (the sources in this repository, the compiled package in a user's project).
 * - `alias`: the entry imports `sluice:job`; this makes it the job's module, statically.
 * - `loader: { '.wasm': 'file' }` with `assetNames: '[name]'`: esbuild copies the wasm beside
 *   the bundle as {@link PARQUET_WASM_FILE} and the import yields its relative path; the entry
 *   reads it as bytes. Inlined (`binary`), its 4.9 MB became 6.6 MB of base64 that V8 had to
 *   scan with the code and decode at every cold start.
 * - `plugins`: {@link BUNDLE_PLUGINS_FILE}, whose `zodEnglishOnly` (deploy/zod-english-only.ts)
 *   drops zod's other locales, which only error messages in other languages need: less code to parse at load.
 * - `exclude: []`: the AWS SDK is bundled too, so the function runs the SDK version the tests
 *   ran, not whatever the runtime ships (the plugin leaves `aws-sdk` v2 out by default).
 * - `banner`: CommonJS code inside an ESM bundle calls `require` for Node's built-ins, and
 *   ESM has no `require` of its own.
 * - `minify`, no source map, no legal comments: less text to read and parse at load.
 * - `keepNames: false`: sluice's errors name themselves in their class body (src/errors.ts), so
 *   minified class names never reach a log; keeping every name would add a `__name` call per
 *   function and class, code to parse and run at load.
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
    target: 'node24',
    conditions: [...BUNDLE_CONDITIONS],
    format: 'esm',
    outputFileExtension: '.mjs',
    mainFields: ['module', 'main'],
    alias: { 'sluice:job': options.jobModule },
    loader: { '.wasm': 'file' },
    assetNames: '[name]',
    plugins: BUNDLE_PLUGINS_FILE,
    exclude: [],
    external: [],
    banner: { js: "import { createRequire as __sluiceCreateRequire } from 'node:module'; const require = __sluiceCreateRequire(import.meta.url);" },
    minify: true,
    keepNames: false,
    legalComments: 'none',
    sourcemap: false,
    outputWorkFolder: options.workFolder,
  };
}
