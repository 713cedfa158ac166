import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as parquetWasm from 'parquet-wasm/esm';

/**
 * Loads parquet-wasm once per process. The ESM build is initialised from bytes, so the
 * same code works unbundled (bytes read from the package) and in a Lambda bundle (bytes
 * inlined by esbuild and handed over with `useParquetWasmBytes`).
 */
let initialised = false;
let providedBytes: Uint8Array | undefined;

/**
 * Hands parquet-wasm's `.wasm` bytes over before the first write (bundles inline them).
 *
 * @example
 * ```ts
 * import wasm from 'parquet-wasm/esm/parquet_wasm_bg.wasm';
 * useParquetWasmBytes(wasm);
 * ```
 */
export function useParquetWasmBytes(bytes: Uint8Array): void {
  providedBytes = bytes;
}

/** The initialised parquet-wasm module. */
export function parquetModule(): typeof parquetWasm {
  if (!initialised) {
    const bytes =
      providedBytes ?? readFileSync(createRequire(import.meta.url).resolve('parquet-wasm/esm/parquet_wasm_bg.wasm'));
    parquetWasm.initSync({ module: bytes });
    initialised = true;
  }
  return parquetWasm;
}
