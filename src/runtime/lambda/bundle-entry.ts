/**
 * The Lambda entry of a job's bundle (see deploy/bundle-options.ts). `sluice:job` is not a
 * package: esbuild aliases it to `jobs/<name>.ts` when `serverless package` bundles the job,
 * so the job module is imported statically and tree-shaken with the rest. parquet-wasm's
 * `.wasm` ships as a file beside the bundle; the first import points parquet-wasm at it and
 * starts its compile before the job's modules evaluate (ES modules evaluate in import order),
 * and the module's load ends when it is compiled (top-level await, which Lambda's Node.js
 * runtimes wait for during init).
 *
 * @example
 * ```yaml
 * functions:
 *   handler:
 *     handler: src/runtime/lambda/bundle-entry.handler
 *   compact:
 *     handler: src/runtime/lambda/bundle-entry.compact
 * ```
 */
import { parquetWasmCompiled } from './parquet-wasm-beside-bundle.ts';
import job from 'sluice:job';
import { createCompactionHandler } from './compaction-handler.ts';
import { createKinesisHandler } from './kinesis-handler.ts';
import { createRejectsPublisher } from './rejects-metric.ts';

/** The job's Kinesis handler, with S3 and Glue from the function's environment. */
export const handler = createKinesisHandler(job, { onBatch: createRejectsPublisher({ job: job.name }) });

/** The job's scheduled compaction: the stack's second function, from the same bundle. */
export const compact = createCompactionHandler(job);

await parquetWasmCompiled;
