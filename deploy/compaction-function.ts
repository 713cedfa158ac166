import { compactedRootKey } from '../src/compaction/compaction-layout.ts';
import type { Job } from '../src/job/define-job.ts';
import { tableRootKey } from '../src/partition/object-keys.ts';
import { HandlerEnvironment } from '../src/runtime/lambda/handler-environment.ts';
import type { CfnResource, CfnValue } from './cloudformation.ts';
import { bucketKeyStatements, glueTableResources, lambdaRoleResource, objectStatements, type PolicyStatement } from './function-role.ts';
import type { FunctionSizing } from './function-sizing.ts';
import { LogicalId } from './logical-ids.ts';

/**
 * The compaction function's entry, a bundle of its own (`<file without extension>.<export>`).
 *
 * @example
 * ```ts
 * functions: { compact: { handler: COMPACTION_HANDLER } }
 * ```
 */
export const COMPACTION_HANDLER = 'src/runtime/lambda/compaction-entry.compact';

/**
 * Memory and timeout of the compaction function:
 * - 3008 MB: one output file's rows are decoded and encoded in memory (a 128 MiB Parquet file
 *   is several times that as rows), and Lambda's CPU grows with memory.
 * - 900 s, Lambda's maximum: a run stops taking partitions a minute before it, and the next
 *   scheduled run carries on.
 *
 * @example
 * ```ts
 * COMPACTION_FUNCTION_SIZING.timeout; // 900
 * ```
 */
export const COMPACTION_FUNCTION_SIZING: FunctionSizing = { memorySize: 3008, timeout: 900 };

/**
 * Options of {@link compactionFunction} and {@link compactionRoleResource}.
 *
 * @example
 * ```ts
 * const options: CompactionFunctionOptions = { bucket: ref(LogicalId.Bucket), bucketArn: getAtt(LogicalId.Bucket, 'Arn'), schedule: 'rate(1 hour)' };
 * ```
 */
export interface CompactionFunctionOptions {
  readonly bucket: CfnValue;
  readonly bucketArn: CfnValue;
  /** An EventBridge schedule expression: `rate(...)` or `cron(...)`. */
  readonly schedule: string;
  /** The bucket's customer-managed KMS key, when it has one. */
  readonly kmsKey?: string;
}

/**
 * The compaction function as serverless.yml's `functions:` takes it: its own bundle's
 * `compact` export, run on `schedule` by an EventBridge rule the framework declares, with
 * reserved concurrency 1 so that two runs never compact the same table at once (a second
 * scheduled invocation waits, throttled, instead of racing the first), and a role of its own.
 *
 * @example
 * ```ts
 * functions[COMPACTION_FUNCTION_KEY] = compactionFunction(job, options);
 * ```
 */
export function compactionFunction(job: Job, options: CompactionFunctionOptions): Readonly<Record<string, unknown>> {
  return {
    handler: COMPACTION_HANDLER,
    description: `sluice job ${job.name}: compacts ${job.output.database}.${job.output.name} (${options.schedule})`,
    role: LogicalId.CompactionRole,
    ...COMPACTION_FUNCTION_SIZING,
    reservedConcurrency: 1,
    environment: { [HandlerEnvironment.Bucket]: options.bucket, [HandlerEnvironment.Job]: job.name },
    events: [{ schedule: { rate: [options.schedule], enabled: true } }],
  };
}

/**
 * The compaction function's statements, least privilege: the table's files and its
 * compaction folder (read, write, delete: it writes generations and deletes replaced
 * files), listing limited to those prefixes, the Glue table's partitions (read them, update
 * their location, create one that is missing), and its own log group.
 *
 * @example
 * ```ts
 * compactionRoleStatements(job, options).map((s) => s.Sid);
 * // ['WriteLogs', 'CompactTableObjects', 'ListTableObjects', 'SwapPartitions']
 * ```
 */
export function compactionRoleStatements(job: Job, options: CompactionFunctionOptions & { readonly logGroupArn: CfnValue }): PolicyStatement[] {
  const { output } = job;
  const keyPrefixes = [tableRootKey({ prefix: output.prefix, table: output.name }), compactedRootKey({ prefix: output.prefix, table: output.name })];
  return [
    { Sid: 'WriteLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [options.logGroupArn] },
    ...objectStatements({ keyPrefixes, bucketArn: options.bucketArn, sid: 'CompactTableObjects' }),
    {
      Sid: 'SwapPartitions',
      Effect: 'Allow',
      Action: ['glue:GetTable', 'glue:GetPartition', 'glue:GetPartitions', 'glue:BatchUpdatePartition', 'glue:UpdatePartition', 'glue:BatchCreatePartition', 'glue:CreatePartition'],
      Resource: glueTableResources(job),
    },
    ...bucketKeyStatements(options.kmsKey),
  ];
}

/**
 * The compaction function's execution role with {@link compactionRoleStatements} inline.
 *
 * @example
 * ```ts
 * resources[LogicalId.CompactionRole] = compactionRoleResource(job, { ...options, logGroupArn: getAtt(LogicalId.CompactionLogGroup, 'Arn') });
 * ```
 */
export function compactionRoleResource(job: Job, options: CompactionFunctionOptions & { readonly logGroupArn: CfnValue }): CfnResource {
  return lambdaRoleResource({ policyName: `sluice-${job.name}-compaction`, statements: compactionRoleStatements(job, options) });
}
