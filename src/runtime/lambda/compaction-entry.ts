/**
 * The Lambda entry of a job's scheduled compaction function: a bundle of its own, built with
 * the same options as the Kinesis function's (bundle-entry.ts), so the Parquet reader and
 * the compaction code it needs stay out of the Kinesis function's bundle and cold start.
 *
 * @example
 * ```yaml
 * functions:
 *   compact:
 *     handler: src/runtime/lambda/compaction-entry.compact
 * ```
 */
import { parquetWasmCompiled } from './parquet-wasm-beside-bundle.ts';
import job from 'sluice:job';
import { createCompactionHandler } from './compaction-handler.ts';
import { createCompactionMetricsPublisher } from './emf-metrics.ts';

/** The job's scheduled compaction, with S3 and Glue from the function's environment; each run's totals go out as EMF metrics. */
export const compact = createCompactionHandler(job, { onRun: createCompactionMetricsPublisher({ job: job.name }) });

await parquetWasmCompiled;
