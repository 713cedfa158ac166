import { JobDefinitionError } from '../src/errors.ts';
import type { Job } from '../src/job/define-job.ts';
import type { CfnResource, CfnValue } from './cloudformation.ts';

/**
 * Options of {@link eventSourceMappingResource}.
 *
 * @example
 * ```ts
 * const options: EventSourceMappingOptions = {
 *   streamArn: stream.arn, functionArn: getAtt(LogicalId.Function, 'Arn'),
 *   failureDestinationArn: getAtt(LogicalId.FailureQueue, 'Arn'), dependsOn: [LogicalId.FunctionRole],
 * };
 * ```
 */
export interface EventSourceMappingOptions {
  readonly streamArn: CfnValue;
  readonly functionArn: CfnValue;
  readonly failureDestinationArn: CfnValue;
  /** The role must hold the stream permissions before Lambda validates the mapping. */
  readonly dependsOn: readonly string[];
}

/**
 * The Kinesis event source mapping, with exactly the job's batch and retry settings. It
 * always reports batch item failures: the handler answers a failed batch with the batch's
 * first sequence number, so the checkpoint never moves into a batch (DESIGN.md §4).
 *
 * @example
 * ```ts
 * eventSourceMappingResource(job, options).Properties.BatchSize; // job.batch.size
 * ```
 */
export function eventSourceMappingResource(job: Job, options: EventSourceMappingOptions): CfnResource {
  if (!Number.isInteger(job.batch.windowSeconds)) {
    throw new JobDefinitionError(job.name, `batch.windowSeconds ${job.batch.windowSeconds}: Lambda's event source mapping takes whole seconds; use ${Math.ceil(job.batch.windowSeconds)}`);
  }
  return {
    Type: 'AWS::Lambda::EventSourceMapping',
    DependsOn: options.dependsOn,
    Properties: {
      EventSourceArn: options.streamArn,
      FunctionName: options.functionArn,
      Enabled: true,
      StartingPosition: job.batch.startingPosition,
      BatchSize: job.batch.size,
      MaximumBatchingWindowInSeconds: job.batch.windowSeconds,
      ParallelizationFactor: job.batch.parallelizationFactor,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: job.retry.bisectOnError,
      MaximumRetryAttempts: job.retry.maxAttempts,
      MaximumRecordAgeInSeconds: job.retry.maxRecordAgeSeconds,
      DestinationConfig: { OnFailure: { Destination: options.failureDestinationArn } },
    },
  };
}
