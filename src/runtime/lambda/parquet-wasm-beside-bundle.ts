/**
 * Points parquet-wasm at the `.wasm` file shipped beside the Lambda bundle and starts
 * compiling it. Bundles only (deploy/bundle-options.ts): esbuild's `file` loader copies the
 * wasm next to the bundle and turns this import into its path relative to the bundle, which
 * `import.meta.url` (the bundle's own URL) resolves.
 *
 * Imported first by a bundle's entry: the compile then runs on V8's background threads while
 * the rest of the bundle (zod schemas, the job, the SDK) evaluates, instead of after it on
 * the main thread; the entry awaits {@link parquetWasmCompiled} at its end (top-level await),
 * so loading the bundle ends with the wasm compiled and the first batch only instantiates it.
 */
import wasmPath from 'parquet-wasm/esm/parquet_wasm_bg.wasm';
import { precompileParquetWasm, useParquetWasmFile } from '../../format/parquet-wasm-module.ts';

useParquetWasmFile(new URL(wasmPath, import.meta.url));

/**
 * Settles when the wasm beside the bundle is compiled (never rejects: a missing or broken
 * file fails the first write, with the path it looked at).
 *
 * @example
 * ```ts
 * import { parquetWasmCompiled } from './parquet-wasm-beside-bundle.ts'; // the entry's first import
 * import job from 'sluice:job';
 * export const handler = createKinesisHandler(job);
 * await parquetWasmCompiled;
 * ```
 */
export const parquetWasmCompiled: Promise<void> = precompileParquetWasm();
