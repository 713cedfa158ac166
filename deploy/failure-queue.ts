import type { CfnResource } from './cloudformation.ts';

/**
 * Seconds the queue keeps a message: SQS's maximum (14 days). A message is only the failed
 * range's metadata (shard, first and last sequence number); the records stay on the stream
 * and must be redriven within the stream's retention.
 */
const RETENTION_SECONDS = 14 * 24 * 3600;

/**
 * The on-failure destination of the job's event source mapping: the batches that ran out of
 * attempts or record age land here, to be redriven from their first sequence number.
 *
 * @example
 * ```ts
 * resources[LogicalId.FailureQueue] = failureQueueResource();
 * ```
 */
export function failureQueueResource(): CfnResource {
  return {
    Type: 'AWS::SQS::Queue',
    Properties: { MessageRetentionPeriod: RETENTION_SECONDS, SqsManagedSseEnabled: true },
  };
}
