/**
 * The Lambda entry of a job's Kinesis function (see deploy/bundle-options.ts). `sluice:job`
 * is not a package: esbuild aliases it to `jobs/<name>.ts` when `serverless package` bundles
 * the job, so the job module is imported statically and tree-shaken with the rest.
 * parquet-wasm's `.wasm` ships as a file beside the bundle; the first import points
 * parquet-wasm at it and starts its compile before the job's modules evaluate (ES modules
 * evaluate in import order), and the module's load ends when it is compiled (top-level
 * await, which Lambda's Node.js runtimes wait for during init). Compaction has an entry of
 * its own (compaction-entry.ts), so its Parquet reader never adds to this function's cold start.
 *
 * @example
 * ```yaml
 * functions:
 *   handler:
 *     handler: src/runtime/lambda/bundle-entry.handler
 * ```
 */
import { parquetWasmCompiled } from './parquet-wasm-beside-bundle.ts';
import job from 'sluice:job';
import { createKinesisHandler, PrepareAdapters } from './kinesis-handler.ts';
import { createBatchMetricsPublisher } from './emf-metrics.ts';

/** The job's Kinesis handler, with S3 and Glue from the function's environment, set up during init. */
export const handler = createKinesisHandler(job, { onBatch: createBatchMetricsPublisher({ job: job.name }), prepare: PrepareAdapters.AtInit });

await parquetWasmCompiled;
