import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as parquetWasm from 'parquet-wasm/esm';

/**
 * Loads parquet-wasm once per process, from the `.wasm` in the package (unbundled) or from a
 * file named with `useParquetWasmFile` (a Lambda bundle ships it beside itself). Bundles ship
 * a file rather than inline bytes: inlined, the 4.9 MB of wasm became 6.6 MB of base64 that
 * V8 scanned and decoded at every cold start.
 */
let initialised = false;
let source: URL | undefined;
let precompiling: Promise<void> | undefined;
let compiled: WebAssembly.Module | undefined;

/**
 * Names the `.wasm` file parquet-wasm is initialised from (a bundle ships it beside itself).
 *
 * @example
 * ```ts
 * import wasmPath from 'parquet-wasm/esm/parquet_wasm_bg.wasm'; // esbuild `file` loader: './parquet_wasm_bg.wasm'
 * useParquetWasmFile(new URL(wasmPath, import.meta.url));
 * ```
 */
export function useParquetWasmFile(file: URL): void {
  source = file;
}

/** Node's global `WebAssembly`: TypeScript declares its types here but, without the DOM lib, not the value. */
const engine = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<WebAssembly.Module> } }).WebAssembly;

const wasmBytes = (): Uint8Array => {
  const file = source ? fileURLToPath(source) : 'parquet-wasm/esm/parquet_wasm_bg.wasm';
  try {
    return readFileSync(source ? file : createRequire(import.meta.url).resolve(file));
  } catch (error) {
    throw new Error(
      `parquet-wasm's wasm could not be read from ${file}: a bundle must ship it beside itself and name it with useParquetWasmFile (deploy/bundle-options.ts)`,
      { cause: error },
    );
  }
};

/**
 * Starts compiling the wasm on V8's background threads, so the compile overlaps whatever the
 * process does before its first write (a bundle evaluating its other modules), and resolves
 * once it is compiled; `parquetModule()` then only instantiates it. It never rejects: if the
 * wasm cannot be read or compiled, the first `parquetModule()` throws the reason, where a
 * write would have met it anyway. Later calls return the first call's promise.
 *
 * @example
 * ```ts
 * useParquetWasmFile(new URL('./parquet_wasm_bg.wasm', import.meta.url));
 * await precompileParquetWasm();
 * ```
 */
export function precompileParquetWasm(): Promise<void> {
  precompiling ??= (async () => {
    try {
      compiled = await engine.compile(wasmBytes());
    } catch {
      // Left to the synchronous path, which raises the same failure at the first write.
    }
  })();
  return precompiling;
}

/**
 * The initialised parquet-wasm module, compiled now unless {@link precompileParquetWasm} did.
 *
 * @example
 * ```ts
 * const pw = parquetModule();
 * pw.writeParquet(table, props);
 * ```
 */
export function parquetModule(): typeof parquetWasm {
  if (!initialised) {
    parquetWasm.initSync({ module: compiled ?? wasmBytes() });
    initialised = true;
  }
  return parquetWasm;
}
