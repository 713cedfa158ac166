import { compactedRootKey } from '../src/compaction/compaction-layout.ts';
import type { Job } from '../src/job/define-job.ts';
import { tableRootKey } from '../src/partition/object-keys.ts';
import { HandlerEnvironment } from '../src/runtime/lambda/handler-environment.ts';
import type { CfnResource, CfnValue } from './cloudformation.ts';
import { bucketKeyStatements, glueTableResources, lambdaRoleResource, objectStatement, type PolicyStatement } from './function-role.ts';
import { CompactionFanOut } from './compaction-state-machine.ts';
import type { FunctionSizing } from './function-sizing.ts';
import { LogicalId } from './logical-ids.ts';
import { lambdaHandler } from './package-paths.ts';

/**
 * The compaction function's entry, a bundle of its own (`<file without extension>.<export>`).
 *
 * @example
 * ```ts
 * functions: { compact: { handler: COMPACTION_HANDLER } }
 * ```
 */
export const COMPACTION_HANDLER: string = lambdaHandler('compaction-entry', 'compact');

/**
 * Memory and timeout of the compaction function, which runs every step of a run (plan, each
 * unit, each commit, report):
 * - 1769 MB: one full vCPU, which a unit's decoding and encoding use whole (Lambda's CPU grows
 *   with memory up to there; past it a single thread gains nothing). A unit's peak memory
 *   depends on the row group size and read limits, not on the partition (README, Compaction:
 *   the memory formula; `npm run bench` measures it): a few hundred MB, far below this.
 * - 900 s, Lambda's maximum: a unit of the default 128 MiB target takes a fraction of it
 *   (`npm run bench -- --sizing` computes it), and a whole-table run stops taking partitions
 *   a minute before it.
 *
 * @example
 * ```ts
 * COMPACTION_FUNCTION_SIZING.timeout; // 900
 * ```
 */
export const COMPACTION_FUNCTION_SIZING: FunctionSizing = { memorySize: 1769, timeout: 900 };

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
 * `compact` export, invoked for each step of a run by the compaction state machine, which an
 * EventBridge rule starts on `schedule` (deploy/compaction-state-machine.ts), with a role of
 * its own. Reserved concurrency is the state machine's fan-out (partitions at once times
 * units at once): no run, and no manual invocation beside one, takes more of the account's
 * concurrency than that.
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
    reservedConcurrency: CompactionFanOut.partitions * CompactionFanOut.units,
    environment: { [HandlerEnvironment.Bucket]: options.bucket, [HandlerEnvironment.Job]: job.name },
  };
}

/**
 * The compaction function's statements, least privilege: read and delete the table's files
 * and its compaction folder (it merges files of both and deletes what it replaced), write
 * only under the compaction folder (states and generations), list the bucket, the Glue
 * table's partitions (list them, set their location, create one that went missing), and its
 * own log group. test/deploy/role-grants.test.ts checks these against every SDK call the
 * compaction bundle can make, both ways.
 *
 * @example
 * ```ts
 * compactionRoleStatements(job, options).map((s) => s.Sid);
 * // ['WriteLogs', 'ReadAndRetireFiles', 'WriteGenerations', 'ListBucket', 'SwapPartitions']
 * ```
 */
export function compactionRoleStatements(job: Job, options: CompactionFunctionOptions & { readonly logGroupArn: CfnValue }): PolicyStatement[] {
  const { output } = job;
  const table = { prefix: output.prefix, table: output.name };
  const { bucketArn } = options;
  return [
    { Sid: 'WriteLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [options.logGroupArn] },
    objectStatement({ sid: 'ReadAndRetireFiles', access: ['read', 'delete'], keyPrefixes: [tableRootKey(table), compactedRootKey(table)], bucketArn }),
    objectStatement({ sid: 'WriteGenerations', access: ['write'], keyPrefixes: [compactedRootKey(table)], bucketArn }),
    // Unconditioned, on purpose. Compaction reads a partition's state file to learn whether it
    // was compacted before, and S3 answers a missing key with 404 only to a caller that holds
    // s3:ListBucket on the bucket; to anyone else with 403, which cannot be told from a denied
    // read. AWS documents that rule for the bucket-wide permission only; whether a grant
    // conditioned on s3:prefix counts depends on S3 evaluating the key as s3:prefix, which AWS
    // does not document. Mistaking "no state" for "denied" would fail every first compaction,
    // and mistaking "denied" for "no state" would rebuild a partition without the rows of
    // files already merged and deleted. The bucket is the job's own (the stack creates it):
    // listing it shows this job's key names and nothing else.
    { Sid: 'ListBucket', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [bucketArn] },
    {
      Sid: 'SwapPartitions',
      Effect: 'Allow',
      Action: ['glue:GetTable', 'glue:GetPartitions', 'glue:BatchUpdatePartition', 'glue:BatchCreatePartition'],
      Resource: glueTableResources(job, { tables: [output.name] }),
    },
    ...bucketKeyStatements(options.kmsKey, { actions: ['kms:GenerateDataKey', 'kms:Decrypt'] }),
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
