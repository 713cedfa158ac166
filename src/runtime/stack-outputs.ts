import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { messageOf } from '../error-message.ts';
import { UsageError } from '../errors.ts';

/**
 * What `sluice redrive` needs of a deployed job's stack: its failure queue and its bucket.
 *
 * @example
 * ```ts
 * const outputs: DeployedJob = { queueUrl: 'https://sqs.eu-west-1.amazonaws.com/1234/sluice-x-failures', bucket: 'sluice-x-bucket' };
 * ```
 */
export interface DeployedJob {
  readonly queueUrl: string;
  readonly bucket: string;
}

/**
 * The stack name of a job deployed to a stage: `sluice-<job>-<stage>`, as `serverless deploy` names it.
 *
 * @example
 * ```ts
 * jobStackName('sensor-readings', 'prod'); // 'sluice-sensor-readings-prod'
 * ```
 */
export function jobStackName(job: string, stage: string): string {
  return `sluice-${job}-${stage}`;
}

/**
 * Reads a deployed job's `FailureQueueUrl` and `BucketName` outputs (DescribeStacks). Rejects
 * with `UsageError` when the stack does not exist or lacks them, naming the stack.
 *
 * @example
 * ```ts
 * const { queueUrl, bucket } = await deployedJob(new CloudFormationClient({ region }), 'sluice-sensor-readings-prod');
 * ```
 */
export async function deployedJob(client: CloudFormationClient, stackName: string): Promise<DeployedJob> {
  let outputs: Map<string, string>;
  try {
    const answer = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = new Map((answer.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  } catch (error) {
    throw new UsageError(`cannot read the outputs of stack ${stackName}: ${messageOf(error)}; check the job, --stage and --region, or give --queue-url and --bucket`);
  }
  const queueUrl = outputs.get('FailureQueueUrl');
  const bucket = outputs.get('BucketName');
  if (!queueUrl || !bucket) throw new UsageError(`stack ${stackName} has no FailureQueueUrl and BucketName outputs: is it a sluice job's stack? Give --queue-url and --bucket`);
  return { queueUrl, bucket };
}
