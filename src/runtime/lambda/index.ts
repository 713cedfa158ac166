/**
 * The AWS Lambda runtime adapter (`sluice/lambda`): the core never imports it.
 *
 * @example
 * ```ts
 * import { createKinesisHandler } from 'sluice/lambda';
 * import job from './jobs/sensor-readings.ts';
 * export const handler = createKinesisHandler(job);
 * ```
 */
export { createKinesisHandler, PrepareAdapters, type HandlerAdapters, type KinesisHandler, type KinesisHandlerOptions } from './kinesis-handler.ts';
export { awsAdaptersFromEnvironment } from './aws-adapters.ts';
export { HandlerEnvironment } from './handler-environment.ts';
export {
  createCompactionHandler,
  type CompactionHandler,
  type CompactionHandlerOptions,
  type CompactionInvocationContext,
  type CompactionSummary,
} from './compaction-handler.ts';
export { eventOfRecords, recordsOfEvent } from './kinesis-event.ts';
