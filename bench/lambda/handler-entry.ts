/**
 * The Lambda bundle the cold-start and memory measurements load: the `sensor-readings` job
 * behind `createKinesisHandler`, with parquet-wasm's `.wasm` beside the bundle, its compile
 * started by the first import and awaited at the end of the module, exactly as the deployed
 * entry (src/runtime/lambda/bundle-entry.ts) does it, adapters prepared at init too. Two
 * things differ from that entry: the adapters, a local folder instead of S3 and a no-op
 * catalog instead of Glue, so the numbers are sluice's and not the network's; and no batch
 * metrics (`createBatchMetricsPublisher`), whose EMF lines on stdout would come before the one line
 * of marks the harness reads there (so this bundle, unlike the deployed one, leaves out
 * Powertools Metrics).
 */
import { parquetWasmCompiled } from '../../src/runtime/lambda/parquet-wasm-beside-bundle.ts';
import job from '../../jobs/sensor-readings.ts';
import { parquetModule } from '../../src/format/parquet-wasm-module.ts';
import { createKinesisHandler, PrepareAdapters } from '../../src/runtime/lambda/kinesis-handler.ts';
import { LocalFolderStore } from '../../src/store/local-folder-store.ts';
import { noopCatalog } from '../noop-catalog.ts';

/** Where the files go: a temp folder the bench chose. */
const warehouse = process.env['SLUICE_BENCH_WAREHOUSE'];
if (!warehouse) throw new Error('SLUICE_BENCH_WAREHOUSE is not set: the bench sets it to a temp folder before it spawns this bundle');

export const handler = createKinesisHandler(job, {
  adapters: () => ({ store: new LocalFolderStore({ root: warehouse }), catalog: noopCatalog }),
  prepare: PrepareAdapters.AtInit,
});

/**
 * Instantiates parquet-wasm, which the first write would otherwise do: exported only so the
 * harness can show wasm init as its own line of the cold start. The total is the same.
 */
export const initParquet = (): void => void parquetModule();

await parquetWasmCompiled;
