/**
 * The role checks of role-grants.test.ts, against what the functions really do: the Kinesis
 * handler and two compaction runs, in-process, over a real S3 server (S3 clients that record
 * each call's command and input) and a Glue stand-in (a client whose calls are answered
 * before they are sent). Every call made is one the bundle analysis derived for that
 * function, and one the function's role allows, on the very bucket, keys and tables used;
 * a read that found no object needs the bucket-wide s3:ListBucket, as S3 requires for a 404.
 */
import { join, resolve } from 'node:path';
import { GlueClient, type PartitionInput, type TableInput } from '@aws-sdk/client-glue';
import type { S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { jobStack } from '../../deploy/job-stack.ts';
import { LogicalId } from '../../deploy/logical-ids.ts';
import { parseStackParams } from '../../deploy/stack-params.ts';
import sensorReadings from '../../jobs/sensor-readings.ts';
import { GlueCatalog } from '../../src/catalog/glue-catalog.ts';
import { glueTableInput } from '../../src/catalog/glue-table-input.ts';
import { createCompactionHandler } from '../../src/runtime/lambda/compaction-handler.ts';
import { eventOfRecords } from '../../src/runtime/lambda/kinesis-event.ts';
import { createKinesisHandler, type HandlerAdapters } from '../../src/runtime/lambda/kinesis-handler.ts';
import { rejectsTableDescriptor, tableDescriptor } from '../../src/runtime/table-descriptor.ts';
import { S3ObjectStore } from '../../src/store/s3-object-store.ts';
import { senseHat, streamRecords } from '../helpers/records.ts';
import { connectS3TestServer, S3_SERVER_WAIT_MS, type S3TestServer } from '../helpers/s3-test-server.ts';
import { resolveCfn, type TemplateResources } from './cfn-resolve.ts';
import { evaluate, type IamRequest, type ResolvedStatement } from './iam-policy.ts';
import { sdkCallAnalysis, type SdkCallAnalysis } from './sdk-calls.ts';

const PROJECT = resolve(import.meta.dirname, '../..');
const job = sensorReadings;
const deployment = { partition: 'aws', region: 'us-east-1', accountId: '123456789012', stackName: 'sluice-sensor-readings-dev' };

/** One SDK call a function made, with its outcome. */
interface Observed {
  readonly service: 's3' | 'glue';
  readonly operation: string;
  readonly input: Record<string, any>;
  /** The error's name when the call failed (`NoSuchKey` for a missing object). */
  readonly failed?: string;
}

/** The IAM requests behind an observed call, from its own input. */
const requestsOf: Readonly<Record<string, (input: Record<string, any>, failed: string | undefined) => IamRequest[]>> = (() => {
  const object = (action: string) => (input: Record<string, any>) => [{ action, resource: `arn:aws:s3:::${input['Bucket']}/${input['Key']}` }];
  const read = (input: Record<string, any>, failed: string | undefined) => [
    ...object('s3:GetObject')(input),
    // S3 answers a missing key with 404 (what the code expects) only to a caller allowed to list the bucket.
    ...(failed === 'NoSuchKey' || failed === 'NotFound' ? [{ action: 's3:ListBucket', resource: `arn:aws:s3:::${input['Bucket']}` }] : []),
  ];
  const glue = (action: string) => (input: Record<string, any>) => {
    const arn = (resource: string) => `arn:aws:glue:${deployment.region}:${deployment.accountId}:${resource}`;
    const table = input['TableName'] ?? input['Name'];
    return [arn('catalog'), arn(`database/${input['DatabaseName']}`), arn(`table/${input['DatabaseName']}/${table}`)].map((resource) => ({ action, resource }));
  };
  return {
    's3:PutObject': object('s3:PutObject'),
    's3:CreateMultipartUpload': object('s3:PutObject'),
    's3:UploadPart': object('s3:PutObject'),
    's3:CompleteMultipartUpload': object('s3:PutObject'),
    's3:AbortMultipartUpload': object('s3:AbortMultipartUpload'),
    's3:GetObject': read,
    's3:HeadObject': read,
    's3:DeleteObjects': (input) =>
      (input['Delete'].Objects as Array<{ Key: string }>).map((o) => ({ action: 's3:DeleteObject', resource: `arn:aws:s3:::${input['Bucket']}/${o.Key}` })),
    's3:ListObjectsV2': (input) => [{ action: 's3:ListBucket', resource: `arn:aws:s3:::${input['Bucket']}`, context: { 's3:prefix': String(input['Prefix'] ?? '') } }],
    'glue:GetTable': glue('glue:GetTable'),
    'glue:GetPartitions': glue('glue:GetPartitions'),
    'glue:BatchCreatePartition': glue('glue:BatchCreatePartition'),
    'glue:BatchUpdatePartition': glue('glue:BatchUpdatePartition'),
  };
})();

/** An S3 client of the test server that records every call and its outcome. */
function recordingS3(s3: S3TestServer, calls: Observed[]): S3Client {
  const client = s3.openClient();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const call = { service: 's3' as const, operation: context.commandName!.replace(/Command$/, ''), input: args.input as Record<string, any> };
      try {
        const answer = await next(args);
        calls.push(call);
        return answer;
      } catch (error) {
        calls.push({ ...call, failed: (error as Error).name });
        throw error;
      }
    },
    { step: 'initialize', name: 'recordCalls' },
  );
  return client;
}

/** The stand-in Glue's partitions, by table, then by values. */
type GluePartitions = Map<string, Map<string, PartitionInput>>;

/** A Glue client answered in memory (tables as given, partitions in `partitions`, shared by the functions), recording every call. */
function recordingGlue(options: { readonly tables: Readonly<Record<string, TableInput>>; readonly partitions: GluePartitions }, calls: Observed[]): GlueClient {
  const { tables, partitions } = options;
  const client = new GlueClient({ region: deployment.region, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const of = (table: string) => partitions.get(table) ?? partitions.set(table, new Map()).get(table)!;
  const answers: Readonly<Record<string, (input: Record<string, any>) => unknown>> = {
    GetTable: (input) => ({ Table: { ...tables[input['Name']], DatabaseName: input['DatabaseName'] } }),
    BatchCreatePartition: (input) => {
      for (const p of input['PartitionInputList'] as PartitionInput[]) of(input['TableName']).set(JSON.stringify(p.Values), p);
      return { Errors: [] };
    },
    BatchUpdatePartition: (input) => {
      for (const entry of input['Entries'] as Array<{ PartitionValueList: string[]; PartitionInput: PartitionInput }>) {
        of(input['TableName']).set(JSON.stringify(entry.PartitionValueList), entry.PartitionInput);
      }
      return { Errors: [] };
    },
    GetPartitions: (input) => ({ Partitions: [...of(input['TableName']).values()] }),
  };
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      const operation = context.commandName!.replace(/Command$/, '');
      const input = args.input as Record<string, any>;
      calls.push({ service: 'glue', operation, input });
      const answer = answers[operation];
      if (answer === undefined) throw new Error(`the Glue stand-in does not answer ${operation}`);
      if (answer === answers['GetTable'] && tables[input['Name']] === undefined) throw Object.assign(new Error('no such table'), { name: 'EntityNotFoundException' });
      return { output: { $metadata: {}, ...(answer(input) as object) }, response: {} } as never;
    },
    { step: 'initialize', name: 'answerGlue' },
  );
  return client;
}

let s3: S3TestServer;
let bucket: string;
let analysis: SdkCallAnalysis;
let statements: Readonly<Record<string, ResolvedStatement[]>>;
const kinesisCalls: Observed[] = [];
const compactionCalls: Observed[] = [];
let compacted: number;
let answer: unknown;

const KINESIS_ENTRY = join(PROJECT, 'src/runtime/lambda/bundle-entry.ts');
const COMPACTION_ENTRY = join(PROJECT, 'src/runtime/lambda/compaction-entry.ts');

beforeAll(async () => {
  analysis = sdkCallAnalysis({ tsconfig: join(PROJECT, 'tsconfig.json'), roots: [KINESIS_ENTRY, COMPACTION_ENTRY, join(PROJECT, 'jobs/sensor-readings.ts')] });
  s3 = await connectS3TestServer();
  bucket = await s3.createBucket('roles');

  // The roles as the stack declares them for this bucket; the framework's functions and log groups stand in by name.
  const stack = jobStack({
    job,
    params: parseStackParams(['job=sensor-readings', `bucket=${bucket}`], { availableJobs: ['sensor-readings'], region: deployment.region }),
    stage: 'dev',
    jobModule: join(PROJECT, 'jobs/sensor-readings.ts'),
    workFolder: '.esbuild/unused',
  });
  const resources: TemplateResources = {
    ...stack.resources.Resources,
    [LogicalId.FunctionLogGroup]: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/aws/lambda/handler' } },
    [LogicalId.CompactionLogGroup]: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/aws/lambda/compact' } },
  };
  statements = Object.fromEntries(
    [LogicalId.FunctionRole, LogicalId.CompactionRole].map((id) => {
      const role = resolveCfn(resources[id], { resources, deployment }) as { Properties: { Policies: Array<{ PolicyDocument: { Statement: ResolvedStatement[] } }> } };
      return [id, role.Properties.Policies.flatMap((p) => p.PolicyDocument.Statement)];
    }),
  );

  const partitions: GluePartitions = new Map();
  const adapters = (calls: Observed[]) => (): HandlerAdapters => {
    const store = new S3ObjectStore({ client: recordingS3(s3, calls), bucket });
    const tables = Object.fromEntries([tableDescriptor(job, store), rejectsTableDescriptor(job, store)].map((t) => [t.name, glueTableInput(t)]));
    return { store, catalog: new GlueCatalog({ client: recordingGlue({ tables, partitions }, calls) }) };
  };
  const handler = createKinesisHandler(job, { adapters: adapters(kinesisCalls), onError: () => undefined });
  // Two hours of readings and a record that is no reading: data files, a reject file, partitions of both tables.
  const records = streamRecords([
    senseHat({ client_id: 'a', timestamp: '2026-11-23 08:01:00', count: 1 }),
    senseHat({ client_id: 'b', timestamp: '2026-11-23 09:01:00', count: 2 }),
    { not: 'a reading' },
  ]);
  answer = await handler(eventOfRecords(records, { streamArn: `arn:aws:kinesis:us-east-1:123456789012:stream/${job.source.stream}`, region: 'us-east-1', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f' }));
  await handler(eventOfRecords(streamRecords([senseHat({ client_id: 'a', timestamp: '2026-11-23 08:02:00', count: 3 })], { first: 2000 }), { streamArn: `arn:aws:kinesis:us-east-1:123456789012:stream/${job.source.stream}`, region: 'us-east-1', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f' }));

  // Weeks after the files were written (S3's clock), with no grace: the first run compacts, the second deletes what the first replaced.
  const later = new Date(Date.now() + 30 * 24 * 3_600_000);
  const compact = createCompactionHandler(job, { adapters: adapters(compactionCalls), now: () => later, graceMs: 0 });
  compacted = (await compact({})).partitions.compacted;
  await compact({});
}, S3_SERVER_WAIT_MS);

const denied = (role: string, calls: readonly Observed[]) =>
  calls.flatMap((call) => {
    const requests = requestsOf[`${call.service}:${call.operation}`];
    if (requests === undefined) return [`${call.service}:${call.operation}: not mapped to IAM here`];
    return requests(call.input, call.failed)
      .filter((request) => !evaluate(statements[role]!, request).allowed)
      .map((r) => `${call.service}:${call.operation} -> ${r.action} on ${r.resource}${r.context ? ` ${JSON.stringify(r.context)}` : ''}`);
  });

const derived = (entry: string) => analysis.reachable({ entry, aliases: { 'sluice:job': join(PROJECT, 'jobs/sensor-readings.ts') } }).calls.map((c) => `${c.service}:${c.operation}`);

describe('the Kinesis function, run', () => {
  it('commits its batches, making only calls derived from its bundle and allowed by its role', () => {
    expect(answer).toEqual({ batchItemFailures: [] });
    const operations = new Set(kinesisCalls.map((c) => `${c.service}:${c.operation}`));
    expect([...operations].sort()).toEqual(expect.arrayContaining(['glue:BatchCreatePartition', 'glue:GetTable', 's3:PutObject']));
    expect([...operations].filter((o) => !derived(KINESIS_ENTRY).includes(o))).toEqual([]);
    expect(denied(LogicalId.FunctionRole, kinesisCalls)).toEqual([]);
  });
});

describe('the compaction function, run twice', () => {
  it('compacts and retires files, making only calls derived from its bundle and allowed by its role', () => {
    expect(compacted).toBeGreaterThan(0);
    const operations = new Set(compactionCalls.map((c) => `${c.service}:${c.operation}`));
    expect([...operations]).toEqual(expect.arrayContaining(['s3:GetObject', 's3:ListObjectsV2', 's3:PutObject', 's3:DeleteObjects', 'glue:GetPartitions', 'glue:BatchUpdatePartition']));
    expect([...operations].filter((o) => !derived(COMPACTION_ENTRY).includes(o))).toEqual([]);
    // Its first read of a partition's state finds nothing: a 404 only a bucket-wide ListBucket gets.
    expect(compactionCalls.some((c) => c.failed === 'NoSuchKey')).toBe(true);
    expect(denied(LogicalId.CompactionRole, compactionCalls)).toEqual([]);
  });

  it('is denied by the role the moment it would write among the table files', () => {
    const baseKey = kinesisCalls.find((c) => c.operation === 'PutObject' && String(c.input['Key']).endsWith('.parquet'))!.input['Key'] as string;
    expect(denied(LogicalId.CompactionRole, [{ service: 's3', operation: 'PutObject', input: { Bucket: bucket, Key: baseKey } }])).toHaveLength(1);
  });
});
