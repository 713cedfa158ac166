/**
 * The Lambda entry of a job's bundle (see deploy/bundle-options.ts). `sluice:job` is not a
 * package: esbuild aliases it to `jobs/<name>.ts` when `serverless package` bundles the job,
 * so the job module is imported statically and tree-shaken with the rest. parquet-wasm's
 * `.wasm` is inlined as bytes (esbuild's `binary` loader) and handed over before the first
 * write, so a cold start reads no file beside the bundle.
 *
 * @example
 * ```yaml
 * functions:
 *   handler:
 *     handler: src/runtime/lambda/bundle-entry.handler
 * ```
 */
import job from 'sluice:job';
import parquetWasmBytes from 'parquet-wasm/esm/parquet_wasm_bg.wasm';
import { useParquetWasmBytes } from '../../format/parquet-wasm-module.ts';
import { createKinesisHandler } from './kinesis-handler.ts';
import { createRejectsPublisher } from './rejects-metric.ts';

useParquetWasmBytes(parquetWasmBytes);

/** The job's Kinesis handler, with S3 and Glue from the function's environment. */
export const handler = createKinesisHandler(job, { onBatch: createRejectsPublisher({ job: job.name }) });
