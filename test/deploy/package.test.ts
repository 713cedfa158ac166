import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PARQUET_WASM_FILE } from '../../deploy/bundle-options.ts';
import { glueTableResource, rejectsTableResource } from '../../deploy/glue-table-resource.ts';
import { COMPACTION_FUNCTION_SIZING, COMPACTION_HANDLER } from '../../deploy/compaction-function.ts';
import { CompactionFanOut, CompactionLogicalId } from '../../deploy/compaction-state-machine.ts';
import { LogicalId } from '../../deploy/logical-ids.ts';
import { ParquetHive } from '../../src/catalog/glue-table-input.ts';
import type { Job } from '../../src/job/define-job.ts';
import { HandlerEnvironment } from '../../src/runtime/lambda/handler-environment.ts';
import { eventOfRecords } from '../../src/runtime/lambda/kinesis-event.ts';
import { BATCH_METRIC_READINGS } from '../../src/observability/batch-metrics.ts';
import { COMPACTION_METRIC_READINGS } from '../../src/observability/compaction-metrics.ts';
import { BatchMetric, JobDimension, MetricNamespace, REJECT_STAGES, StageDimension } from '../../src/observability/metric-names.ts';
import { loadJob } from '../../src/runtime/load-job.ts';
import { glueColumns } from '../../src/schema/glue-types.ts';
import { senseHat, streamRecords } from '../helpers/records.ts';
import { startFakeAws, type RecordedRequest } from './fake-aws-server.ts';
import { specProblems } from './cfn-spec.ts';
import { serverless, type CliRun } from './serverless-cli.ts';
import { zipEntries } from './zip-entries.ts';

/**
 * `serverless package` (osls + serverless-esbuild) for each sample job, offline, then the
 * CloudFormation template and the Lambda artifact it produced, checked against the job
 * module; and the packaged bundle run in a fresh `node` with nothing beside it.
 */

const PROJECT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const INVOKE_BUNDLE = join(PROJECT, 'test/deploy/invoke-bundle.mjs');
const BUNDLE = 'src/runtime/lambda/bundle-entry.mjs';
/** The compaction function's bundle, built from its own entry beside the Kinesis one. */
const COMPACTION_BUNDLE = 'src/runtime/lambda/compaction-entry.mjs';
/** parquet-wasm's wasm, beside the bundle in the zip (deploy/bundle-options.ts). */
const WASM = `${dirname(BUNDLE)}/${PARQUET_WASM_FILE}`;
/** parquet-wasm's wasm as installed: what the zip must carry, byte for byte. */
const INSTALLED_WASM = join(PROJECT, 'node_modules/parquet-wasm/esm', PARQUET_WASM_FILE);
const JOBS = ['sensor-readings', 'device-activity'] as const;
type JobName = (typeof JOBS)[number];

/** A CloudFormation template is untyped JSON: properties are read loosely. */
interface Resource {
  readonly Type: string;
  readonly Properties: Record<string, any>;
  readonly DependsOn?: string[];
  readonly DeletionPolicy?: string;
}
interface Template {
  readonly Resources: Record<string, Resource>;
  readonly Outputs: Record<string, { Value: unknown }>;
}

let scratch: string;

interface Packaged {
  readonly run: CliRun;
  readonly template: Template;
  readonly zip: Buffer;
  readonly zipName: string;
  readonly networkLog: string;
}

async function packageJob(name: JobName): Promise<Packaged> {
  const dir = join(scratch, name);
  await mkdir(dir, { recursive: true });
  const networkLog = join(dir, 'network.log');
  await writeFile(networkLog, '');
  const out = join(dir, 'package');
  const run = await serverless(['package', `--param=job=${name}`, '--package', out], { dir, networkLog });
  if (run.code !== 0) throw new Error(`serverless package --param=job=${name} exited ${run.code}:\n${run.stdout}\n${run.stderr}`);
  const zipName = `sluice-${name}.zip`;
  return {
    run,
    template: JSON.parse(await readFile(join(out, 'cloudformation-template-update-stack.json'), 'utf8')) as Template,
    zip: await readFile(join(out, zipName)),
    zipName,
    networkLog: await readFile(networkLog, 'utf8'),
  };
}

/** `serverless print` resolves the whole configuration (our variables included) without bundling. */
async function printConfig(name: string, params: readonly string[], cliOptions: readonly string[] = []): Promise<{ run: CliRun; config: { resources: Template } | undefined; networkLog: string }> {
  const dir = join(scratch, `print-${name}`);
  await mkdir(dir, { recursive: true });
  const networkLog = join(dir, 'network.log');
  await writeFile(networkLog, '');
  const run = await serverless(['print', '--format', 'json', ...params.map((p) => `--param=${p}`), ...cliOptions], { dir, networkLog });
  const json = run.stdout.slice(run.stdout.indexOf('{'));
  return { run, config: run.code === 0 ? (JSON.parse(json) as { resources: Template }) : undefined, networkLog: await readFile(networkLog, 'utf8') };
}

const packaged = new Map<JobName, Packaged>();
const jobs = new Map<JobName, Job>();
let withOptions: Awaited<ReturnType<typeof printConfig>>;
let withoutJob: Awaited<ReturnType<typeof printConfig>>;

const OPTION_PARAMS = [
  'job=sensor-readings',
  'createStream=true',
  'shards=2',
  'iotTopic=sensors/+/readings',
  'encryption=aws:kms',
  'kmsKey=arn:aws:kms:eu-west-1:123456789012:key/0b4f6f35-5bb3-4f6e-9a2c-6b1d2f3e4a5b',
  'alarmTopic=arn:aws:sns:eu-west-1:123456789012:ops',
  'bucket=acme-sluice-readings',
  'createDatabase=false',
  'rejectsExpireDays=7',
] as const;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'sluice-deploy-'));
  for (const name of JOBS) jobs.set(name, await loadJob(name, { jobsDir: join(PROJECT, 'jobs') }));
  // Concurrently: each run has its own HOME, service folder and package folder.
  const [sensor, activity, options, missing] = await Promise.all([
    packageJob('sensor-readings'),
    packageJob('device-activity'),
    // The KMS key and the alarm topic are in eu-west-1: so is the stack.
    printConfig('options', OPTION_PARAMS, ['--region', 'eu-west-1', '--stage', 'prod']),
    printConfig('missing', []),
  ]);
  packaged.set('sensor-readings', sensor);
  packaged.set('device-activity', activity);
  withOptions = options;
  withoutJob = missing;
}, 120_000);

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const resourcesOfType = (template: Template, type: string): Array<[string, Resource]> =>
  Object.entries(template.Resources).filter(([, r]) => r.Type === type);

/** A dashboard widget, as far as the test reads it. */
interface DashboardWidget {
  readonly type: string;
  readonly properties: { readonly region: string; readonly metrics: unknown[][] };
}

/**
 * The dashboard's body, an `Fn::Sub` template, as JSON with each `${name}` read as `<name>`,
 * and the names it substitutes.
 */
function dashboardBody(dashboard: Resource): { body: { widgets: DashboardWidget[] }; placeholders: Set<string> } {
  const template = dashboard.Properties['DashboardBody'] as { 'Fn::Sub': string };
  expect(Object.keys(template)).toEqual(['Fn::Sub']);
  const placeholders = new Set([...template['Fn::Sub'].matchAll(/\$\{([^}]+)\}/g)].map((m) => m[1]!));
  return { body: JSON.parse(template['Fn::Sub'].replaceAll(/\$\{([^}]+)\}/g, '<$1>')) as { widgets: DashboardWidget[] }, placeholders };
}

/** One line of a metric widget, `[namespace, name, dimension, value, ..., { stat, ... }]`, read back. */
function dashboardLine(entry: unknown[]): { namespace: string; name: string; dimensions: Record<string, string>; stat: string | undefined } {
  const rendering = typeof entry.at(-1) === 'object' ? (entry.at(-1) as { stat?: string }) : {};
  const [namespace, name, ...pairs] = (typeof entry.at(-1) === 'object' ? entry.slice(0, -1) : entry) as string[];
  const dimensions: Record<string, string> = {};
  for (let i = 0; i < pairs.length; i += 2) dimensions[pairs[i]!] = pairs[i + 1]!;
  return { namespace: namespace!, name: name!, dimensions, stat: rendering.stat };
}

const streamArnOf = (stream: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:kinesis:\${AWS::Region}:\${AWS::AccountId}:stream/${stream}` });
const glueArn = (resource: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:glue:\${AWS::Region}:\${AWS::AccountId}:${resource}` });
const bucketArn = { 'Fn::GetAtt': [LogicalId.Bucket, 'Arn'] };
const inBucket = (key: string) => ({ 'Fn::Join': ['', [bucketArn, key]] });

describe.each(JOBS)('serverless package --param="job=%s"', (name) => {
  const get = () => ({ job: jobs.get(name)!, pack: packaged.get(name)!, resources: packaged.get(name)!.template.Resources });

  it('uses only resource types, properties and attributes of the CloudFormation resource specification', () => {
    expect(specProblems(get().pack.template)).toEqual([]);
  });

  it('packages offline: no connection or DNS lookup was attempted', () => {
    const { pack } = get();
    expect(pack.networkLog).toBe('');
    expect(pack.run.stdout + pack.run.stderr).toContain(`Packaging sluice-${name} for stage dev`);
  });

  it("maps the job's batch and retry settings onto the Kinesis event source mapping", () => {
    const { job, resources } = get();
    const mappings = resourcesOfType(get().pack.template, 'AWS::Lambda::EventSourceMapping');
    expect(mappings.map(([id]) => id)).toEqual([LogicalId.EventSourceMapping]);
    const mapping = resources[LogicalId.EventSourceMapping]!;
    expect(mapping.Properties).toEqual({
      EventSourceArn: streamArnOf(job.source.stream),
      FunctionName: { 'Fn::GetAtt': [LogicalId.Function, 'Arn'] },
      Enabled: true,
      StartingPosition: job.batch.startingPosition,
      BatchSize: job.batch.size,
      MaximumBatchingWindowInSeconds: job.batch.windowSeconds,
      ParallelizationFactor: job.batch.parallelizationFactor,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: job.retry.bisectOnError,
      MaximumRetryAttempts: job.retry.maxAttempts,
      MaximumRecordAgeInSeconds: job.retry.maxRecordAgeSeconds,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [LogicalId.FailureQueue, 'Arn'] } } },
    });
    expect(mapping.DependsOn).toContain(LogicalId.FunctionRole);
    expect(resources[LogicalId.FailureQueue]!.Type).toBe('AWS::SQS::Queue');
  });

  it('declares the Glue database and the Parquet table with exactly the columns of the row schema', () => {
    const { job, resources } = get();
    expect(resources[LogicalId.Database]!.Properties['DatabaseInput']).toEqual({ Name: job.output.database });
    const table = resources[LogicalId.Table]!;
    expect(table.Type).toBe('AWS::Glue::Table');
    expect(table.Properties['DatabaseName']).toBe(job.output.database);
    const input = table.Properties['TableInput'];
    expect(input.Name).toBe(job.output.name);
    expect(input.TableType).toBe('EXTERNAL_TABLE');
    expect(input.StorageDescriptor.Columns).toEqual(glueColumns(job.output.dataColumns));
    expect(input.PartitionKeys).toEqual(['year', 'month', 'day', 'hour', ...job.output.partitionKeys].map((key) => ({ Name: key, Type: 'string' })));
    expect(input.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
    expect(input.StorageDescriptor.InputFormat).toBe('org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat');
    expect(input.StorageDescriptor.OutputFormat).toBe('org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat');
    expect(input.StorageDescriptor.Location).toEqual({ 'Fn::Join': ['', ['s3://', { Ref: LogicalId.Bucket }, `/${job.output.prefix}/${job.output.name}/`]] });
    // The pure generator, fed the same bucket, gives exactly what was deployed.
    expect(input).toEqual(glueTableResource(job, { bucket: { Ref: LogicalId.Bucket } }).Properties.TableInput);
  });

  it('runs the bundle on nodejs24.x, arm64, with the bucket and job in its environment', () => {
    const { job, resources } = get();
    const functions = resourcesOfType(get().pack.template, 'AWS::Lambda::Function');
    expect(functions.map(([id]) => id).sort()).toEqual([LogicalId.CompactionFunction, LogicalId.Function].sort());
    const fn = resources[LogicalId.Function]!.Properties;
    expect(fn['Runtime']).toBe('nodejs24.x');
    expect(fn['Architectures']).toEqual(['arm64']);
    expect(fn['Handler']).toBe('src/runtime/lambda/bundle-entry.handler');
    expect(fn['MemorySize']).toBe(1024);
    expect(fn['Timeout']).toBe(120);
    expect(fn['Role']).toEqual({ 'Fn::GetAtt': [LogicalId.FunctionRole, 'Arn'] });
    expect(fn['Environment']).toEqual({ Variables: { [HandlerEnvironment.Bucket]: { Ref: LogicalId.Bucket }, SLUICE_JOB: job.name } });
  });

  it("grants least privilege: exactly this job's stream, key prefixes, table, queue and log group", () => {
    const { job, pack } = get();
    const roles = resourcesOfType(pack.template, 'AWS::IAM::Role');
    // The framework's own role (IamRoleLambdaExecution) is not generated: each function has ours, the compaction state machine and its schedule theirs.
    expect(roles.map(([id]) => id).sort()).toEqual([LogicalId.CompactionRole, LogicalId.FunctionRole, CompactionLogicalId.StateMachineRole, CompactionLogicalId.ScheduleRole].sort());
    expect(resourcesOfType(pack.template, 'AWS::IAM::Policy')).toEqual([]);
    expect(resourcesOfType(pack.template, 'AWS::IAM::ManagedPolicy')).toEqual([]);
    const role = pack.template.Resources[LogicalId.FunctionRole]!.Properties;
    expect(role['ManagedPolicyArns']).toBeUndefined();
    expect(role['AssumeRolePolicyDocument'].Statement).toEqual([{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }]);
    const statements = role['Policies'].flatMap((p: { PolicyDocument: { Statement: unknown[] } }) => p.PolicyDocument.Statement);
    const { prefix, name: table, database } = job.output;
    expect(statements).toEqual([
      { Sid: 'WriteLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [{ 'Fn::GetAtt': [LogicalId.FunctionLogGroup, 'Arn'] }] },
      {
        Sid: 'ReadStream',
        Effect: 'Allow',
        Action: ['kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards'],
        Resource: [streamArnOf(job.source.stream)],
      },
      // Written only: a retried batch overwrites its keys; it never reads, lists or deletes them.
      {
        Sid: 'WriteTableObjects',
        Effect: 'Allow',
        Action: ['s3:PutObject', 's3:AbortMultipartUpload'],
        Resource: [inBucket(`/${prefix}/${table}/*`), inBucket(`/${prefix}/_rejects/${table}/*`)],
      },
      {
        Sid: 'RegisterPartitions',
        Effect: 'Allow',
        Action: ['glue:GetTable', 'glue:BatchCreatePartition'],
        // The rejects table's partitions are registered with the table's.
        Resource: [glueArn('catalog'), glueArn(`database/${database}`), glueArn(`table/${database}/${table}`), glueArn(`table/${database}/${table}_rejects`)],
      },
      { Sid: 'SendFailedBatches', Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [{ 'Fn::GetAtt': [LogicalId.FailureQueue, 'Arn'] }] },
    ]);
    // Nothing on "*": the event source mapping needs no kinesis:ListStreams (test/deploy/role-grants.test.ts checks every call).
    expect(statements.filter((s: { Resource: unknown[] }) => s.Resource.includes('*'))).toEqual([]);
  });

  it('runs compaction hourly through a state machine fanning out over the compaction function, with least privilege of its own', () => {
    const { job, pack, resources } = get();
    const fn = resources[LogicalId.CompactionFunction]!.Properties;
    expect(fn['Handler']).toBe(COMPACTION_HANDLER);
    expect(fn['MemorySize']).toBe(COMPACTION_FUNCTION_SIZING.memorySize);
    expect(fn['Timeout']).toBe(COMPACTION_FUNCTION_SIZING.timeout);
    expect(fn['ReservedConcurrentExecutions']).toBe(CompactionFanOut.partitions * CompactionFanOut.units);
    expect(fn['Role']).toEqual({ 'Fn::GetAtt': [LogicalId.CompactionRole, 'Arn'] });
    expect(fn['Environment']).toEqual({ Variables: { [HandlerEnvironment.Bucket]: { Ref: LogicalId.Bucket }, SLUICE_JOB: job.name } });
    // The schedule starts the state machine, which alone invokes the function: no rule or permission of the framework's.
    const rules = resourcesOfType(pack.template, 'AWS::Events::Rule');
    expect(rules.map(([id]) => id)).toEqual([CompactionLogicalId.Schedule]);
    const rule = rules[0]![1];
    expect(rule.Properties['ScheduleExpression']).toBe('rate(1 hour)');
    expect(rule.Properties['State']).toBe('ENABLED');
    expect(rule.Properties['Targets']).toEqual([expect.objectContaining({ Arn: { Ref: CompactionLogicalId.StateMachine }, RoleArn: { 'Fn::GetAtt': [CompactionLogicalId.ScheduleRole, 'Arn'] } })]);
    expect(resourcesOfType(pack.template, 'AWS::Lambda::Permission').map(([, r]) => r.Properties['FunctionName'])).not.toContainEqual({ 'Fn::GetAtt': [LogicalId.CompactionFunction, 'Arn'] });
    const machine = resources[CompactionLogicalId.StateMachine]!;
    expect(machine.Type).toBe('AWS::StepFunctions::StateMachine');
    // Every Task of the definition invokes the compaction function, named by its ARN.
    const joined = machine.Properties['DefinitionString']['Fn::Join'][1] as unknown[];
    const arns = joined.filter((part) => typeof part !== 'string');
    expect(arns.length).toBe(4);
    expect(new Set(arns.map((a) => JSON.stringify(a)))).toEqual(new Set([JSON.stringify({ 'Fn::GetAtt': [LogicalId.CompactionFunction, 'Arn'] })]));
    const statementsOf = (id: string) => resources[id]!.Properties['Policies'].flatMap((p: { PolicyDocument: { Statement: unknown[] } }) => p.PolicyDocument.Statement);
    expect(statementsOf(CompactionLogicalId.StateMachineRole)).toEqual([
      { Sid: 'InvokeCompaction', Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [{ 'Fn::GetAtt': [LogicalId.CompactionFunction, 'Arn'] }] },
    ]);
    expect(statementsOf(CompactionLogicalId.ScheduleRole)).toEqual([{ Sid: 'StartCompaction', Effect: 'Allow', Action: ['states:StartExecution'], Resource: [{ Ref: CompactionLogicalId.StateMachine }] }]);
    const role = resources[LogicalId.CompactionRole]!.Properties;
    const statements = role['Policies'].flatMap((p: { PolicyDocument: { Statement: unknown[] } }) => p.PolicyDocument.Statement);
    const { prefix, name: table, database } = job.output;
    expect(statements).toEqual([
      { Sid: 'WriteLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [{ 'Fn::GetAtt': [LogicalId.CompactionLogGroup, 'Arn'] }] },
      {
        Sid: 'ReadAndRetireFiles',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:DeleteObject'],
        Resource: [inBucket(`/${prefix}/${table}/*`), inBucket(`/${prefix}/_compacted/${table}/*`)],
      },
      // It writes (and aborts uploads) only in its own folder, never among the table's files.
      { Sid: 'WriteGenerations', Effect: 'Allow', Action: ['s3:PutObject', 's3:AbortMultipartUpload'], Resource: [inBucket(`/${prefix}/_compacted/${table}/*`)] },
      // Unconditioned: a missing state file must answer 404, not 403 (deploy/compaction-function.ts).
      { Sid: 'ListBucket', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [bucketArn] },
      {
        Sid: 'SwapPartitions',
        Effect: 'Allow',
        Action: ['glue:GetTable', 'glue:GetPartitions', 'glue:BatchUpdatePartition', 'glue:BatchCreatePartition'],
        Resource: [glueArn('catalog'), glueArn(`database/${database}`), glueArn(`table/${database}/${table}`)],
      },
    ]);
    expect(resources[LogicalId.CompactionLogGroup]!.Properties['RetentionInDays']).toBe(30);
  });

  it('encrypts the bucket, blocks public access, refuses plain HTTP and expires rejects', () => {
    const { job, resources } = get();
    const bucket = resources[LogicalId.Bucket]!.Properties;
    expect(bucket['BucketEncryption'].ServerSideEncryptionConfiguration).toEqual([{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }]);
    expect(bucket['PublicAccessBlockConfiguration']).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(bucket['LifecycleConfiguration'].Rules).toContainEqual({ Id: 'expire-rejects', Status: 'Enabled', Prefix: `${job.output.prefix}/_rejects/`, ExpirationInDays: 30 });
    // What the README's stack section promises besides: kept on stack deletion, owner-enforced, no forgotten uploads.
    expect(resources[LogicalId.Bucket]!.DeletionPolicy).toBe('Retain');
    expect(bucket['OwnershipControls']).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    expect(bucket['LifecycleConfiguration'].Rules).toContainEqual(
      expect.objectContaining({ Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: expect.any(Number) } }),
    );
    expect(resources[LogicalId.FailureQueue]!.Properties['MessageRetentionPeriod']).toBe(14 * 24 * 3600);
    expect(resources[LogicalId.FunctionLogGroup]!.Properties['RetentionInDays']).toBe(30);
    const policy = resources[LogicalId.BucketPolicy]!.Properties;
    expect(policy['Bucket']).toEqual({ Ref: LogicalId.Bucket });
    expect(policy['PolicyDocument'].Statement).toEqual([
      {
        Sid: 'DenyPlainHttp',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [bucketArn, inBucket('/*')],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ]);
  });

  it("alarms on the function's iterator age, data freshness, rejects and batches given up on", () => {
    const { job, pack, resources } = get();
    const alarms = Object.fromEntries(resourcesOfType(pack.template, 'AWS::CloudWatch::Alarm').map(([id, r]) => [id, r.Properties]));
    expect(Object.keys(alarms).sort()).toEqual([LogicalId.DataFreshnessAlarm, LogicalId.FailedBatchesAlarm, LogicalId.IteratorAgeAlarm, LogicalId.RejectsAlarm].sort());
    // Per function, not per stream: the function the event source mapping invokes, so two jobs on one stream are told apart.
    expect(resources[LogicalId.EventSourceMapping]!.Properties['FunctionName']).toEqual({ 'Fn::GetAtt': [LogicalId.Function, 'Arn'] });
    expect(alarms[LogicalId.IteratorAgeAlarm]).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'IteratorAge',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: LogicalId.Function } }],
      Statistic: 'Maximum',
      Threshold: 300_000,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(alarms[LogicalId.DataFreshnessAlarm]).toMatchObject({
      Namespace: MetricNamespace,
      MetricName: BatchMetric.DataFreshness,
      Dimensions: [{ Name: JobDimension, Value: job.name }],
      Statistic: 'Maximum',
      Threshold: 900_000,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(alarms[LogicalId.RejectsAlarm]).toMatchObject({
      Namespace: MetricNamespace,
      MetricName: BatchMetric.Rejects,
      Dimensions: [{ Name: JobDimension, Value: job.name }],
      Statistic: 'Sum',
      Threshold: 0,
    });
    expect(alarms[LogicalId.FailedBatchesAlarm]).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [LogicalId.FailureQueue, 'QueueName'] } }],
    });
  });

  it("charts exactly the metrics the packaged functions emit on a dashboard, beside Lambda's own and the failure queue's", async () => {
    const { job, pack, resources } = get();
    expect(resourcesOfType(pack.template, 'AWS::CloudWatch::Dashboard').map(([id]) => id)).toEqual([LogicalId.Dashboard]);
    const { body, placeholders } = dashboardBody(resources[LogicalId.Dashboard]!);
    // Every placeholder names a resource of this template (or an attribute of one) or a pseudo parameter.
    for (const placeholder of placeholders) expect(placeholder.startsWith('AWS::') || placeholder.split('.')[0]! in resources, placeholder).toBe(true);
    expect(body.widgets.every((w) => w.type === 'metric' && w.properties.region === '<AWS::Region>')).toBe(true);
    const lines = body.widgets.flatMap((w) => w.properties.metrics.map(dashboardLine));

    const [kinesis, compaction] = await Promise.all([coldRun(name, ColdFunction.Kinesis), coldRun(name, ColdFunction.Compaction)]);
    const batchDocuments = emfOf(kinesis.run.stdout);
    const emitted = emittedMetrics([...batchDocuments, ...emfOf(compaction.run.stdout)]);
    expect(emitted.size).toBeGreaterThan(Object.keys(BATCH_METRIC_READINGS).length);
    // Both ways: each sluice metric charted is one a function emits, and each one emitted is charted.
    const charted = lines.filter((l) => l.namespace === MetricNamespace);
    expect(new Set(charted.map((l) => metricKey(l.namespace, l.name, Object.keys(l.dimensions))))).toEqual(emitted);
    expect(charted.every((l) => l.dimensions[JobDimension] === job.name)).toBe(true);
    // Rejects by stage: a line for every stage a reject can carry, so any stage the handler emits has one.
    const stages = charted.filter((l) => StageDimension in l.dimensions).map((l) => l.dimensions[StageDimension]);
    expect(stages).toEqual(REJECT_STAGES);
    for (const d of batchDocuments.filter((d) => StageDimension in d)) expect(stages).toContain(d[StageDimension]);
    // The alarms on sluice metrics name emitted metrics too.
    const alarms = resourcesOfType(pack.template, 'AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);
    const sluiceAlarms = alarms.filter((a) => a['Namespace'] === MetricNamespace);
    expect(sluiceAlarms.map((a) => a['MetricName']).sort()).toEqual([BatchMetric.DataFreshness, BatchMetric.Rejects]);
    for (const alarm of sluiceAlarms) {
      const dimensions = alarm['Dimensions'] as Array<{ Name: string; Value: unknown }>;
      expect(emitted).toContain(metricKey(MetricNamespace, alarm['MetricName'], dimensions.map((d) => d.Name)));
      expect(dimensions).toEqual([{ Name: JobDimension, Value: job.name }]);
    }

    // Lambda's own metrics of the two functions, and the failure queue's depth.
    const others = lines.filter((l) => l.namespace !== MetricNamespace).map((l) => `${l.namespace} ${l.name} ${JSON.stringify(l.dimensions)}`);
    const fn = (logicalId: string, metric: string) => `AWS/Lambda ${metric} ${JSON.stringify({ FunctionName: `<${logicalId}>` })}`;
    expect(new Set(others)).toEqual(
      new Set([
        ...['IteratorAge', 'Errors', 'Throttles', 'Duration', 'ConcurrentExecutions'].map((metric) => fn(LogicalId.Function, metric)),
        fn(LogicalId.CompactionFunction, 'Errors'),
        `AWS/SQS ApproximateNumberOfMessagesVisible ${JSON.stringify({ QueueName: `<${LogicalId.FailureQueue}.QueueName>` })}`,
      ]),
    );
    expect(lines.find((l) => l.name === 'IteratorAge')!.stat).toBe('Maximum');
    expect(pack.template.Outputs['DashboardUrl']!.Value).toEqual({
      'Fn::Sub': `https://console.aws.amazon.com/cloudwatch/home?region=\${AWS::Region}#dashboards:name=\${${LogicalId.Dashboard}}`,
    });
  });

  it("zips the ESM bundles with parquet-wasm's wasm as a file beside them, not inlined", async () => {
    const { pack } = get();
    const entries = zipEntries(pack.zip);
    const names = entries.map((e) => e.name);
    expect(names).toContain(BUNDLE);
    expect(names).toContain(COMPACTION_BUNDLE);
    expect(names).toContain(WASM);
    // Only bundles and the wasm: nothing else from the project rides along.
    expect(names.filter((n) => n !== WASM).every((n) => n.endsWith('.mjs'))).toBe(true);
    const wasm = entries.find((e) => e.name === WASM)!.data;
    const installed = await readFile(INSTALLED_WASM);
    expect(Buffer.from(wasm).equals(installed)).toBe(true);
    const bundle = Buffer.from(entries.find((e) => e.name === BUNDLE)!.data);
    // The code alone (~1.4 MB): far more means the wasm went back inside as base64.
    expect(bundle.byteLength).toBeGreaterThan(500_000);
    expect(bundle.byteLength).toBeLessThan(3_000_000);
    // The base64 of the wasm's first 60 bytes (magic, version, first sections): what the bundle would
    // hold if it were inlined. Not the bare magic: hyparquet's snappy decoder (used by compaction)
    // inlines a wasm of its own, of a few KB.
    expect(bundle.includes(installed.subarray(0, 60).toString('base64'))).toBe(false);
    expect(bundle.includes(`"./${PARQUET_WASM_FILE}"`)).toBe(true);
    // zod's English messages (rejects quote them), and none of its other locales (Dutch here).
    expect(bundle.includes('Invalid input: expected')).toBe(true);
    expect(bundle.includes('Ongeldige invoer')).toBe(false);
  });

  it("keeps compaction's Parquet reader out of the Kinesis function's bundle", () => {
    const { pack } = get();
    const entries = zipEntries(pack.zip);
    const text = (name: string): string => Buffer.from(entries.find((e) => e.name === name)!.data).toString('utf8');
    const [compaction, kinesis] = [text(COMPACTION_BUNDLE), text(BUNDLE)];
    // Strings hyparquet and the compaction plan carry as they are (messages survive minifying).
    const compactionOnly = ['parquet file invalid', '_state.json'];
    for (const marker of compactionOnly) {
      expect(compaction).toContain(marker);
      expect(kinesis).not.toContain(marker);
    }
  });
});

/** Per job: Kinesis documents for a cold-start invocation, how many of them are good, and the bad ones' reject stages. */
const coldStartRecords: Readonly<Record<JobName, { documents: unknown[]; good: number; column: string; values: unknown[]; rejectsByStage: Record<string, number> }>> = {
  'sensor-readings': {
    documents: [senseHat({ count: 1, client_id: 'rpi-a' }), senseHat({ count: 2, client_id: 'rpi-b' }), { not: 'a reading' }],
    good: 2,
    column: 'device_id',
    values: ['rpi-a', 'rpi-b'],
    rejectsByStage: { validation: 1 },
  },
  'device-activity': {
    documents: [
      { uuid: '0b4f6f35-5bb3-4f6e-9a2c-6b1d2f3e4a5b', device_ts: '2026-11-23 08:15:02.123456', device_id: 7, device_temp: 36.6, track_id: 3, activity_type: 'walking' },
      { uuid: 'not-a-uuid', device_ts: '2026-11-23 08:15:03.000000', device_id: 7, device_temp: 36.6, track_id: 3, activity_type: 'walking' },
    ],
    good: 1,
    column: 'event_id',
    values: ['0b4f6f35-5bb3-4f6e-9a2c-6b1d2f3e4a5b'],
    rejectsByStage: { validation: 1 },
  },
};

const BUNDLE_BUCKET = 'bundle-test';

/** The packaged functions a test runs cold. */
const ColdFunction = { Kinesis: 'kinesis', Compaction: 'compaction' } as const;
type ColdFunction = (typeof ColdFunction)[keyof typeof ColdFunction];

/** How each packaged function is invoked: its bundle, its export and the event it gets. */
const coldInvocations: Readonly<Record<ColdFunction, (name: JobName) => { args: string[]; event: unknown }>> = {
  [ColdFunction.Kinesis]: (name) => ({ args: [INVOKE_BUNDLE, BUNDLE], event: kinesisEventFor(jobs.get(name)!, streamRecords(coldStartRecords[name].documents)) }),
  [ColdFunction.Compaction]: () => ({ args: [INVOKE_BUNDLE, COMPACTION_BUNDLE, 'compact'], event: { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} } }),
};

/** What a packaged function printed, and the requests it made of the fake AWS. */
interface ColdRun {
  readonly run: CliRun;
  readonly requests: readonly RecordedRequest[];
}

const coldRuns = new Map<string, Promise<ColdRun>>();

/**
 * A job's packaged function run once, cold, in a fresh node beside its unzipped artifact,
 * against a fake S3 and Glue: the tests of what it wrote and the dashboard's test of what it
 * emitted read the same run.
 */
function coldRun(name: JobName, fn: ColdFunction): Promise<ColdRun> {
  const key = `${name}/${fn}`;
  if (!coldRuns.has(key)) coldRuns.set(key, runCold(name, fn));
  return coldRuns.get(key)!;
}

async function runCold(name: JobName, fn: ColdFunction): Promise<ColdRun> {
  const job = jobs.get(name)!;
  const dir = await mkdtemp(join(tmpdir(), 'sluice-bundle-'));
  const aws = await startFakeAws({
    tables: {
      [`${job.output.database}.${job.output.name}`]: glueTableResource(job, { bucket: BUNDLE_BUCKET }).Properties.TableInput,
      [`${job.output.database}.${job.output.name}_rejects`]: rejectsTableResource(job, { bucket: BUNDLE_BUCKET }).Properties.TableInput,
    },
  });
  try {
    await unpack(packaged.get(name)!.zip, dir);
    const { args, event } = coldInvocations[fn](name);
    const run = await runNode(args, { cwd: dir, stdin: JSON.stringify(event), env: lambdaEnv({ home: dir, endpoint: aws.endpoint, bucket: BUNDLE_BUCKET, job }) });
    return { run, requests: aws.requests };
  } finally {
    await aws.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** One Embedded Metric Format document, as Powertools Metrics prints it. */
interface EmfDocument {
  readonly _aws: { readonly CloudWatchMetrics: ReadonlyArray<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> };
  readonly [field: string]: unknown;
}

/** The EMF documents among a function's output lines. */
const emfOf = (stdout: string): EmfDocument[] =>
  stdout
    .split('\n')
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as EmfDocument);

/** A metric as CloudWatch tells metrics apart, dimension values aside: namespace, name and the set of dimension names. */
const metricKey = (namespace: string, name: string, dimensions: readonly string[]): string => `${namespace} ${name} {${[...dimensions].sort().join(',')}}`;

/** Every metric the EMF documents define, as {@link metricKey}s. */
const emittedMetrics = (documents: readonly EmfDocument[]): Set<string> =>
  new Set(documents.flatMap((d) => d._aws.CloudWatchMetrics.flatMap((m) => m.Dimensions.flatMap((names) => m.Metrics.map((metric) => metricKey(m.Namespace, metric.Name, names))))));

describe.each(JOBS)('the packaged bundle of %s, cold, in a fresh node', (name) => {
  it('imports with only its zip beside it and writes Parquet through the wasm file', async () => {
    const job = jobs.get(name)!;
    const { run, requests } = await coldRun(name, ColdFunction.Kinesis);
    expect(run.code, run.stderr).toBe(0);
    expect(answerOf(run)).toEqual({ type: 'function', answer: { batchItemFailures: [] } });
    const { documents, good, column, values, rejectsByStage } = coldStartRecords[name];

    const tableRoot = `/${BUNDLE_BUCKET}/${job.output.prefix}/${job.output.name}/`;
    const rejectsRoot = `/${BUNDLE_BUCKET}/${job.output.prefix}/_rejects/${job.output.name}/`;
    const parquetPuts = requests.filter((r) => r.method === 'PUT' && r.path.startsWith(tableRoot) && r.path.endsWith('.parquet'));
    expect(parquetPuts.length).toBeGreaterThan(0);
    const rows: Array<Record<string, unknown>> = [];
    for (const put of parquetPuts) {
      expect(Buffer.from(put.body.subarray(0, 4)).toString()).toBe('PAR1');
      const buffer = put.body.buffer.slice(put.body.byteOffset, put.body.byteOffset + put.body.byteLength) as ArrayBuffer;
      rows.push(...((await parquetReadObjects({ file: buffer, compressors })) as Array<Record<string, unknown>>));
    }
    expect(rows).toHaveLength(good);
    expect(rows.map((r) => r[column])).toEqual(values);
    const rejectPuts = requests.filter((r) => r.method === 'PUT' && r.path.startsWith(rejectsRoot));
    expect(rejectPuts.length).toBeGreaterThan(0);
    // One registration for the table's partitions and one for its rejects table's arrival hour.
    const registrations = requests.filter((r) => r.target === 'AWSGlue.BatchCreatePartition');
    const tableOf = (r: (typeof registrations)[number]) => (JSON.parse(Buffer.from(r.body).toString('utf8')) as { TableName: string }).TableName;
    expect(registrations.map(tableOf).sort()).toEqual([job.output.name, `${job.output.name}_rejects`]);
    const partitionCalls = registrations.filter((r) => tableOf(r) === job.output.name);

    // Every batch metric in one Embedded Metric Format document, named as the dashboard and alarms expect,
    // then one document per stage that had rejects, with the stage dimension.
    const [batch, ...stages] = emfOf(run.stdout);
    expect(batch!._aws.CloudWatchMetrics).toEqual([
      { Namespace: MetricNamespace, Dimensions: [[JobDimension]], Metrics: Object.entries(BATCH_METRIC_READINGS).map(([Name, reading]) => ({ Name, Unit: reading.unit })) },
    ]);
    expect(batch![JobDimension]).toBe(job.name);
    const partitionsRegistered = (JSON.parse(Buffer.from(partitionCalls[0]!.body).toString('utf8')) as { PartitionInputList: unknown[] }).PartitionInputList.length;
    expect(batch).toMatchObject({
      [BatchMetric.KinesisRecords]: documents.length,
      [BatchMetric.Records]: documents.length,
      [BatchMetric.Rows]: good,
      [BatchMetric.Rejects]: documents.length - good,
      [BatchMetric.FilesWritten]: parquetPuts.length,
      [BatchMetric.BytesWritten]: [...parquetPuts, ...rejectPuts].reduce((sum, put) => sum + put.body.byteLength, 0),
      [BatchMetric.PartitionsRegistered]: partitionsRegistered,
    });
    // The clock's readings: exact values are the handler test's (test/runtime/batch-metrics-emf.test.ts).
    for (const timed of [BatchMetric.BatchDuration, BatchMetric.DataFreshness, BatchMetric.EventTimeLag]) expect(batch![timed]).toEqual(expect.any(Number));
    expect(stages.map((d) => d._aws.CloudWatchMetrics)).toEqual(
      stages.map(() => [{ Namespace: MetricNamespace, Dimensions: [[JobDimension, StageDimension]], Metrics: [{ Name: BatchMetric.Rejects, Unit: 'Count' }] }]),
    );
    expect(Object.fromEntries(stages.map((d) => [d[StageDimension], d[BatchMetric.Rejects]]))).toEqual(rejectsByStage);
    expect(stages.every((d) => d[JobDimension] === job.name)).toBe(true);
  });
});

describe('the packaged compaction function, cold, in a fresh node', () => {
  it("imports its own bundle's compact export, lists the Glue partitions, answers the totals and emits them", async () => {
    const job = jobs.get('sensor-readings')!;
    const { run, requests } = await coldRun('sensor-readings', ColdFunction.Compaction);
    expect(run.code, run.stderr).toBe(0);
    expect(answerOf(run)).toMatchObject({ type: 'function', answer: { table: 'iot.sensor_readings', partitions: { seen: 0, compacted: 0, skipped: 0, failed: 0 }, unreached: 0 } });
    expect(requests.filter((r) => r.target === 'AWSGlue.GetPartitions')).toHaveLength(1);
    const emf = emfOf(run.stdout);
    expect(emf.map((d) => d._aws.CloudWatchMetrics)).toEqual([
      [{ Namespace: MetricNamespace, Dimensions: [[JobDimension]], Metrics: Object.entries(COMPACTION_METRIC_READINGS).map(([Name, reading]) => ({ Name, Unit: reading.unit })) }],
    ]);
    expect(emf[0]![JobDimension]).toBe(job.name);
    for (const name of Object.keys(COMPACTION_METRIC_READINGS)) expect(emf[0]![name]).toBe(0);
  });
});

describe('the packaged bundle without its wasm file', () => {
  it('loads, then fails the batch naming the file it looked for', async () => {
    const job = jobs.get('sensor-readings')!;
    const dir = await mkdtemp(join(tmpdir(), 'sluice-bundle-'));
    try {
      const bundle = zipEntries(packaged.get('sensor-readings')!.zip).find((e) => e.name === BUNDLE)!;
      await mkdir(join(dir, dirname(BUNDLE)), { recursive: true });
      await writeFile(join(dir, BUNDLE), bundle.data);
      const run = await runNode([INVOKE_BUNDLE, BUNDLE], {
        cwd: dir,
        stdin: JSON.stringify(kinesisEventFor(job, streamRecords([senseHat({ count: 1 })]))),
        // Nothing listens at this endpoint: a batch that got as far as S3 would fail for another reason.
        env: lambdaEnv({ home: dir, endpoint: 'http://127.0.0.1:9', bucket: 'bundle-test', job }),
      });
      expect(run.code, run.stderr).toBe(0);
      expect(answerOf(run).answer.batchItemFailures).toHaveLength(1);
      expect(run.stdout + run.stderr).toContain("parquet-wasm's wasm could not be read from");
      expect(run.stdout + run.stderr).toContain(join(dir, dirname(BUNDLE), PARQUET_WASM_FILE));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** The zip unpacked into `dir` as Lambda unpacks it into /var/task: no node_modules within reach. */
async function unpack(zip: Buffer, dir: string): Promise<void> {
  for (const entry of zipEntries(zip)) {
    await mkdir(join(dir, dirname(entry.name)), { recursive: true });
    await writeFile(join(dir, entry.name), entry.data);
  }
}

/** A Kinesis event of the job's stream, as the event source mapping sends it. */
const kinesisEventFor = (job: Job, records: Parameters<typeof eventOfRecords>[0]) =>
  eventOfRecords(records, {
    streamArn: `arn:aws:kinesis:us-east-1:123456789012:stream/${job.source.stream}`,
    region: 'us-east-1',
    functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f',
  });

/** A function's environment: dummy credentials, the AWS endpoints, the bucket and job, nothing inherited but PATH. */
const lambdaEnv = (options: { home: string; endpoint: string; bucket: string; job: Job }): NodeJS.ProcessEnv => ({
  PATH: process.env['PATH'] ?? '',
  HOME: options.home,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'x',
  AWS_SECRET_ACCESS_KEY: 'x',
  AWS_ENDPOINT_URL_S3: options.endpoint,
  AWS_ENDPOINT_URL_GLUE: options.endpoint,
  [HandlerEnvironment.Bucket]: options.bucket,
  SLUICE_JOB: options.job.name,
});

/** What invoke-bundle.mjs printed as the handler's answer. */
const answerOf = (run: CliRun) => JSON.parse(run.stdout.split('\n').find((l) => l.startsWith('ANSWER '))!.slice('ANSWER '.length));

function runNode(args: readonly string[], options: { cwd: string; stdin: string; env: NodeJS.ProcessEnv }): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr, seconds: (Date.now() - started) / 1000 }));
    child.stdin.end(options.stdin);
  });
}

describe('stack params', () => {
  it('names the available jobs when --param="job=<name>" is missing', () => {
    expect(withoutJob.run.code).not.toBe(0);
    // The sample jobs are among those named; a job a user adds to jobs/ may be too.
    const named = /--param="job=<name>" is required: the job to deploy, one of ((?:[\w-]+, )*[\w-]+)/.exec(withoutJob.run.stdout + withoutJob.run.stderr);
    expect(named?.[1]?.split(', ').map((job) => job.trim())).toEqual(expect.arrayContaining(['device-activity', 'sensor-hourly', 'sensor-readings']));
  });

  it('creates the stream, feeds it from an IoT topic and takes a KMS key, through Serverless variable resolution', () => {
    expect(withOptions.run.code, withOptions.run.stderr).toBe(0);
    expect(withOptions.networkLog).toBe('');
    const resources = withOptions.config!.resources.Resources;
    expect(resources[LogicalId.Stream]).toEqual({
      Type: 'AWS::Kinesis::Stream',
      Properties: {
        Name: 'iot-sensor',
        ShardCount: 2,
        RetentionPeriodHours: 24,
        StreamModeDetails: { StreamMode: 'PROVISIONED' },
        StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
      },
    });
    const streamArn = { 'Fn::GetAtt': [LogicalId.Stream, 'Arn'] };
    expect(resources[LogicalId.EventSourceMapping]!.Properties['EventSourceArn']).toEqual(streamArn);
    const kmsKey = OPTION_PARAMS.find((p) => p.startsWith('kmsKey='))!.slice('kmsKey='.length);
    // IoT's substitution templates survive Serverless's own `${...}` resolution. A message the
    // rule cannot put on the stream is kept in the bucket (the error action), not lost.
    const ruleRole = { 'Fn::GetAtt': [LogicalId.IotTopicRuleRole, 'Arn'] };
    expect(resources[LogicalId.IotTopicRule]!.Properties).toEqual({
      RuleName: 'sluice_sensor_readings_prod',
      TopicRulePayload: {
        Sql: "SELECT * FROM 'sensors/+/readings'",
        AwsIotSqlVersion: '2016-03-23',
        RuleDisabled: false,
        Actions: [{ Kinesis: { StreamName: { Ref: LogicalId.Stream }, PartitionKey: '${clientid()}', RoleArn: ruleRole } }],
        ErrorAction: { S3: { BucketName: { Ref: LogicalId.Bucket }, Key: 'iot/_iot-errors/${timestamp()}-${newuuid()}.json', RoleArn: ruleRole } },
      },
    });
    const iotRole = resources[LogicalId.IotTopicRuleRole]!.Properties;
    // Only IoT acting for this rule in this account may assume the role.
    expect(iotRole['AssumeRolePolicyDocument'].Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'iot.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnLike: { 'aws:SourceArn': { 'Fn::Sub': 'arn:${AWS::Partition}:iot:${AWS::Region}:${AWS::AccountId}:rule/sluice_sensor_readings_prod' } },
        },
      },
    ]);
    expect(iotRole['Policies'][0].PolicyDocument.Statement).toEqual([
      { Sid: 'PutRecords', Effect: 'Allow', Action: ['kinesis:PutRecord'], Resource: [streamArn] },
      { Sid: 'KeepFailedMessages', Effect: 'Allow', Action: ['s3:PutObject'], Resource: [inBucket('/iot/_iot-errors/*')] },
      { Sid: 'UseBucketKey', Effect: 'Allow', Action: ['kms:GenerateDataKey'], Resource: [kmsKey] },
    ]);
    const bucket = resources[LogicalId.Bucket]!.Properties;
    expect(bucket['BucketName']).toBe('acme-sluice-readings');
    expect(bucket['BucketEncryption'].ServerSideEncryptionConfiguration).toEqual([
      { ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: kmsKey }, BucketKeyEnabled: true },
    ]);
    expect(bucket['LifecycleConfiguration'].Rules[0].ExpirationInDays).toBe(7);
    const statements = resources[LogicalId.FunctionRole]!.Properties['Policies'][0].PolicyDocument.Statement as Array<{ Sid: string; Resource: unknown[] }>;
    expect(statements.find((s) => s.Sid === 'ReadStream')!.Resource).toEqual([streamArn]);
    expect(statements.find((s) => s.Sid === 'UseBucketKey')!.Resource).toEqual([kmsKey]);
    expect(resources[LogicalId.Database]).toBeUndefined();
    expect(resources[LogicalId.Table]!.DependsOn).toBeUndefined();
    expect(resources[LogicalId.RejectsAlarm]!.Properties['AlarmActions']).toEqual(['arn:aws:sns:eu-west-1:123456789012:ops']);
  });

  it('refuses a KMS key of another region than the stack, before anything is packaged', async () => {
    const { run } = await printConfig('kms-elsewhere', OPTION_PARAMS, ['--region', 'us-east-1']);
    expect(run.code).not.toBe(0);
    expect(run.stdout + run.stderr).toContain('the key is in eu-west-1 and the stack deploys to us-east-1; S3 can only use a key of the bucket\'s region');
  });
});

