import type { Job } from '../src/job/define-job.ts';
import { rejectsRootKey, tableRootKey } from '../src/partition/object-keys.ts';
import { join, regionalArn, type CfnResource, type CfnValue } from './cloudformation.ts';

/**
 * Options of {@link functionRoleResource}.
 *
 * @example
 * ```ts
 * const options: FunctionRoleOptions = {
 *   streamArn: stream.arn, bucketArn: getAtt(LogicalId.Bucket, 'Arn'), queueArn: getAtt(LogicalId.FailureQueue, 'Arn'),
 *   logGroupArn: getAtt(LogicalId.FunctionLogGroup, 'Arn'),
 * };
 * ```
 */
export interface FunctionRoleOptions {
  readonly streamArn: CfnValue;
  readonly bucketArn: CfnValue;
  readonly queueArn: CfnValue;
  /** The function's log group ARN (`...:log-group:/aws/lambda/<name>:*`, as GetAtt gives it). */
  readonly logGroupArn: CfnValue;
  /** The bucket's customer-managed KMS key, when it has one. */
  readonly kmsKey?: string;
}

/**
 * One IAM policy statement.
 *
 * @example
 * ```ts
 * const statement: PolicyStatement = { Sid: 'SendFailedBatches', Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [queueArn] };
 * ```
 */
export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Action: readonly string[];
  readonly Resource: readonly CfnValue[];
  readonly Condition?: Readonly<Record<string, unknown>>;
}

/**
 * Object access under some key prefixes of the bucket: read, write and delete the objects,
 * and list the prefixes (ListBucket takes the bucket as resource, scoped by a prefix condition).
 *
 * @example
 * ```ts
 * objectStatements({ keyPrefixes: ['iot/sensor_readings'], bucketArn, sid: 'WriteTableObjects' });
 * // [{ Sid: 'WriteTableObjects', Action: ['s3:PutObject', ...] }, { Sid: 'ListTableObjects', Action: ['s3:ListBucket'], ... }]
 * ```
 */
export function objectStatements(options: { readonly keyPrefixes: readonly string[]; readonly bucketArn: CfnValue; readonly sid: string }): PolicyStatement[] {
  const { keyPrefixes, bucketArn } = options;
  return [
    {
      Sid: options.sid,
      Effect: 'Allow',
      // AbortMultipartUpload: a large file goes up in parts, and a failed upload is aborted.
      Action: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
      Resource: keyPrefixes.map((prefix) => join([bucketArn, `/${prefix}/*`])),
    },
    {
      Sid: 'ListTableObjects',
      Effect: 'Allow',
      Action: ['s3:ListBucket'],
      Resource: [bucketArn],
      Condition: { StringLike: { 's3:prefix': keyPrefixes.flatMap((prefix) => [prefix, `${prefix}/*`]) } },
    },
  ];
}

/**
 * The Glue resources a role needs to work with one table's partitions: the account's
 * catalog, the table's database and the table (IAM checks all three).
 *
 * @example
 * ```ts
 * { Sid: 'RegisterPartitions', Effect: 'Allow', Action: ['glue:BatchCreatePartition'], Resource: glueTableResources(job) }
 * ```
 */
export function glueTableResources(job: Job): CfnValue[] {
  const { database, name } = job.output;
  return [
    regionalArn({ service: 'glue', resource: 'catalog' }),
    regionalArn({ service: 'glue', resource: `database/${database}` }),
    regionalArn({ service: 'glue', resource: `table/${database}/${name}` }),
  ];
}

/**
 * The statement letting a role encrypt and decrypt with the bucket's customer-managed KMS
 * key; none when the bucket has none.
 *
 * @example
 * ```ts
 * statements.push(...bucketKeyStatements(options.kmsKey));
 * ```
 */
export function bucketKeyStatements(kmsKey: string | undefined): PolicyStatement[] {
  return kmsKey === undefined ? [] : [{ Sid: 'UseBucketKey', Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: [kmsKey] }];
}

/**
 * The function's statements, least privilege: exactly the job's stream, its table's two key
 * prefixes in the bucket, its Glue catalog, database and table, its failure queue and its
 * log group. The only `*` is `kinesis:ListStreams`, an action IAM authorizes on no resource
 * type (AWS requires `*` for it); Lambda's event source mapping calls it.
 *
 * @example
 * ```ts
 * functionRoleStatements(job, options).map((s) => s.Sid);
 * // ['WriteLogs', 'ReadStream', 'ListStreams', 'WriteTableObjects', 'ListTableObjects', 'RegisterPartitions', 'SendFailedBatches']
 * ```
 */
export function functionRoleStatements(job: Job, options: FunctionRoleOptions): PolicyStatement[] {
  const { output } = job;
  const keyPrefixes = [tableRootKey({ prefix: output.prefix, table: output.name }), rejectsRootKey({ prefix: output.prefix, table: output.name })];
  return [
    // The log group itself is declared by the stack, so the function never creates one.
    { Sid: 'WriteLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [options.logGroupArn] },
    // What Lambda's event source mapping calls with the function's role. Serverless v3's
    // generated statement lacks ListShards and DescribeStreamSummary.
    {
      Sid: 'ReadStream',
      Effect: 'Allow',
      Action: ['kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards'],
      Resource: [options.streamArn],
    },
    // AWS requires "*": ListStreams has no resource type to scope it to.
    { Sid: 'ListStreams', Effect: 'Allow', Action: ['kinesis:ListStreams'], Resource: ['*'] },
    ...objectStatements({ keyPrefixes, bucketArn: options.bucketArn, sid: 'WriteTableObjects' }),
    {
      Sid: 'RegisterPartitions',
      Effect: 'Allow',
      Action: ['glue:GetTable', 'glue:GetPartition', 'glue:GetPartitions', 'glue:BatchCreatePartition', 'glue:CreatePartition'],
      Resource: glueTableResources(job),
    },
    { Sid: 'SendFailedBatches', Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [options.queueArn] },
    ...bucketKeyStatements(options.kmsKey),
  ];
}

/**
 * The function's execution role with {@link functionRoleStatements} inline, so the
 * permissions exist as soon as the role does (the event source mapping depends on it).
 *
 * @example
 * ```ts
 * resources[LogicalId.FunctionRole] = functionRoleResource(job, options);
 * ```
 */
export function functionRoleResource(job: Job, options: FunctionRoleOptions): CfnResource {
  return lambdaRoleResource({ policyName: `sluice-${job.name}`, statements: functionRoleStatements(job, options) });
}

/**
 * A role Lambda can assume, with one inline policy.
 *
 * @example
 * ```ts
 * lambdaRoleResource({ policyName: 'sluice-sensor-readings-compaction', statements });
 * ```
 */
export function lambdaRoleResource(options: { readonly policyName: string; readonly statements: readonly PolicyStatement[] }): CfnResource {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
      Policies: [{ PolicyName: options.policyName, PolicyDocument: { Version: '2012-10-17', Statement: options.statements } }],
    },
  };
}
