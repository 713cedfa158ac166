import type { Job } from '../src/job/define-job.ts';
import { rejectsTableName } from '../src/format/rejects-table.ts';
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
 * What a role may do with the objects under some key prefixes. Each is the exact set of IAM
 * actions behind the SDK calls of one kind (the role-grants test maps every call to these):
 * - `write`: PutObject, and a multipart upload's Create/UploadPart/Complete, which IAM
 *   authorizes as `s3:PutObject`; AbortMultipartUpload, as a failed upload is aborted.
 * - `read`: GetObject and HeadObject, both `s3:GetObject`.
 * - `delete`: DeleteObjects, authorized per key as `s3:DeleteObject`.
 *
 * @example
 * ```ts
 * ObjectAccess.write; // ['s3:PutObject', 's3:AbortMultipartUpload']
 * ```
 */
export const ObjectAccess = {
  write: ['s3:PutObject', 's3:AbortMultipartUpload'],
  read: ['s3:GetObject'],
  delete: ['s3:DeleteObject'],
} as const satisfies Readonly<Record<string, readonly string[]>>;
export type ObjectAccess = keyof typeof ObjectAccess;

/**
 * One statement granting some kinds of {@link ObjectAccess} to the objects under key prefixes
 * of the bucket.
 *
 * @example
 * ```ts
 * objectStatement({ sid: 'WriteTableObjects', access: ['write'], keyPrefixes: ['iot/sensor_readings'], bucketArn });
 * // { Sid: 'WriteTableObjects', Effect: 'Allow', Action: ['s3:PutObject', 's3:AbortMultipartUpload'], Resource: [<bucket ARN>/iot/sensor_readings/*] }
 * ```
 */
export function objectStatement(options: {
  readonly sid: string;
  readonly access: readonly ObjectAccess[];
  readonly keyPrefixes: readonly string[];
  readonly bucketArn: CfnValue;
}): PolicyStatement {
  return {
    Sid: options.sid,
    Effect: 'Allow',
    Action: options.access.flatMap((access) => ObjectAccess[access]),
    Resource: options.keyPrefixes.map((prefix) => join([options.bucketArn, `/${prefix}/*`])),
  };
}

/**
 * The Glue resources a role needs to work with the partitions of tables of the job's
 * database: the account's catalog, the database and each table (IAM checks all three).
 *
 * @example
 * ```ts
 * { Sid: 'RegisterPartitions', Effect: 'Allow', Action: ['glue:BatchCreatePartition'], Resource: glueTableResources(job, { tables: [job.output.name] }) }
 * ```
 */
export function glueTableResources(job: Job, options: { readonly tables: readonly string[] }): CfnValue[] {
  const { database } = job.output;
  return [
    regionalArn({ service: 'glue', resource: 'catalog' }),
    regionalArn({ service: 'glue', resource: `database/${database}` }),
    ...options.tables.map((table) => regionalArn({ service: 'glue', resource: `table/${database}/${table}` })),
  ];
}

/**
 * The statement letting a role use the bucket's customer-managed KMS key, with the actions
 * given (none when the bucket has no such key): S3 asks KMS for `kms:GenerateDataKey` on
 * every write and for `kms:Decrypt` on every read and on completing a multipart upload
 * (which reads the parts' data keys back).
 *
 * @example
 * ```ts
 * statements.push(...bucketKeyStatements(options.kmsKey, { actions: ['kms:GenerateDataKey', 'kms:Decrypt'] }));
 * ```
 */
export function bucketKeyStatements(kmsKey: string | undefined, options: { readonly actions: readonly string[] }): PolicyStatement[] {
  return kmsKey === undefined ? [] : [{ Sid: 'UseBucketKey', Effect: 'Allow', Action: [...options.actions], Resource: [kmsKey] }];
}

/**
 * The function's statements, least privilege: what its code calls (PutObject and the
 * multipart calls under its table's two key prefixes, GetTable and BatchCreatePartition on
 * its Glue table and rejects table) and what Lambda calls with its role (the event source
 * mapping reads the stream and sends failed batches to the queue; the runtime writes the log
 * group). Nothing is granted on `*`: Lambda's documented Kinesis permissions do not include
 * `kinesis:ListStreams`. test/deploy/role-grants.test.ts derives every SDK call the bundle
 * can make and checks both ways: each call allowed, each grant called.
 *
 * @example
 * ```ts
 * functionRoleStatements(job, options).map((s) => s.Sid);
 * // ['WriteLogs', 'ReadStream', 'WriteTableObjects', 'RegisterPartitions', 'SendFailedBatches']
 * ```
 */
export function functionRoleStatements(job: Job, options: FunctionRoleOptions): PolicyStatement[] {
  const { output } = job;
  const keyPrefixes = [tableRootKey({ prefix: output.prefix, table: output.name }), rejectsRootKey({ prefix: output.prefix, table: output.name })];
  return [
    // The log group itself is declared by the stack, so the function never creates one.
    { Sid: 'WriteLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [options.logGroupArn] },
    // What Lambda's event source mapping calls with the function's role (a shared-throughput
    // consumer: no SubscribeToShard). Serverless v3's generated statement lacks ListShards and
    // DescribeStreamSummary.
    {
      Sid: 'ReadStream',
      Effect: 'Allow',
      Action: ['kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards'],
      Resource: [options.streamArn],
    },
    // Files are only ever written: a retried batch overwrites its keys, it never reads, lists or deletes.
    objectStatement({ sid: 'WriteTableObjects', access: ['write'], keyPrefixes, bucketArn: options.bucketArn }),
    // GetTable: the table's storage descriptor, copied into each new partition. The rejects
    // table's partitions (arrival hours) are registered by the same commit.
    {
      Sid: 'RegisterPartitions',
      Effect: 'Allow',
      Action: ['glue:GetTable', 'glue:BatchCreatePartition'],
      Resource: glueTableResources(job, { tables: [output.name, rejectsTableName(output.name)] }),
    },
    { Sid: 'SendFailedBatches', Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [options.queueArn] },
    // Decrypt too: completing a multipart upload (a file over the threshold) reads its data keys back.
    ...bucketKeyStatements(options.kmsKey, { actions: ['kms:GenerateDataKey', 'kms:Decrypt'] }),
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
