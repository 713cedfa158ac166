import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/**
 * How a bundle loads parquet-wasm: from a `.wasm` file it names (beside the bundle), compiled
 * ahead of the first write. Each test imports the module afresh: its state is per process.
 */

type WasmModule = typeof import('../../src/format/parquet-wasm-module.ts');
const fresh = async (): Promise<WasmModule> => {
  vi.resetModules();
  return import('../../src/format/parquet-wasm-module.ts');
};

const packageWasm = createRequire(import.meta.url).resolve('parquet-wasm/esm/parquet_wasm_bg.wasm');
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-wasm-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('parquetModule from a wasm file', () => {
  it('writes Parquet from the named file, compiled ahead', async () => {
    const beside = join(dir, 'parquet_wasm_bg.wasm');
    await copyFile(packageWasm, beside);
    const { useParquetWasmFile, precompileParquetWasm, parquetModule } = await fresh();
    useParquetWasmFile(pathToFileURL(beside));
    await precompileParquetWasm();
    // The compile is done: the file may go, the module needs only instantiating.
    await rm(beside);
    const pw = parquetModule();
    const ipc = tableToIPC(tableFromArrays({ n: Float64Array.from([1, 2, 3]) }), 'stream');
    const parquet = pw.writeParquet(pw.Table.fromIPCStream(ipc), new pw.WriterPropertiesBuilder().build());
    expect(Buffer.from(parquet.subarray(0, 4)).toString()).toBe('PAR1');
  });

  it('settles without the file and fails the first use, naming the path', async () => {
    const missing = join(dir, 'parquet_wasm_bg.wasm');
    const { useParquetWasmFile, precompileParquetWasm, parquetModule } = await fresh();
    useParquetWasmFile(pathToFileURL(missing));
    await expect(precompileParquetWasm()).resolves.toBeUndefined();
    expect(() => parquetModule()).toThrow(`parquet-wasm's wasm could not be read from ${missing}`);
  });
});
