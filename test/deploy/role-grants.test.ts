/**
 * Least privilege, both ways, on the packaged template: every AWS call a function's code can
 * send (derived from its bundle's entry, test/deploy/sdk-calls.ts), every call Lambda makes
 * with the function's role (the event source mapping, the on-failure destination, the log
 * writes), every call the IoT rule, the compaction state machine and its schedule make is
 * allowed by its role; and every action and resource a role grants is needed by one of those
 * calls, with no role left unchecked. Resources come from the same naming functions the code
 * writes with; ARNs from the template, resolved as a deployment would. The templates checked
 * are also checked against the CloudFormation resource specification.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleOptions } from '../../deploy/bundle-options.ts';
import { LogicalId } from '../../deploy/logical-ids.ts';
import { compactionLayout, compactedRootKey } from '../../src/compaction/compaction-layout.ts';
import type { Job } from '../../src/job/define-job.ts';
import { rejectsTableName } from '../../src/format/rejects-table.ts';
import { dataFileKey, rejectFileKey, tableRootKey } from '../../src/partition/object-keys.ts';
import { loadJob } from '../../src/runtime/load-job.ts';
import { resolveCfn, type Deployment, type TemplateResources } from './cfn-resolve.ts';
import { specProblems } from './cfn-spec.ts';
import { evaluate, statementMatches, type IamRequest, type ResolvedStatement } from './iam-policy.ts';
import { sdkCallAnalysis, type SdkCall, type SdkCallAnalysis } from './sdk-calls.ts';
import { packageService, type PackagedService } from './serverless-cli.ts';

const PROJECT = resolve(import.meta.dirname, '../..');
const ACCOUNT = '123456789012';
const KMS_KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/0b4f6f35-5bb3-4f6e-9a2c-6b1d2f3e4a5b`;

/** The stacks checked: each sample job, and every optional part (created stream, IoT rule, KMS key). */
const STACKS = [
  { label: 'device-activity', job: 'device-activity', region: 'us-east-1', stage: 'dev', params: [] },
  {
    label: 'sensor-readings with a created stream, an IoT rule and a KMS key',
    job: 'sensor-readings',
    region: 'eu-west-1',
    stage: 'prod',
    params: ['createStream=true', 'iotTopic=sensors/+/readings', 'encryption=aws:kms', `kmsKey=${KMS_KEY}`],
  },
  { label: 'sensor-hourly (aggregate)', job: 'sensor-hourly', region: 'us-east-1', stage: 'dev', params: [] },
] as const;
type StackCase = (typeof STACKS)[number];

/** The bundles' entries, by the handler the template names (`<file without extension>.<export>`). */
const entryOf = (handler: string): string => join(PROJECT, `${handler.slice(0, handler.lastIndexOf('.'))}.ts`);

/**
 * Where a function's code acts, from the code's own naming functions: the Glue tables whose
 * partitions it works with, and key samples of what it writes, reads (and may find missing),
 * deletes, and lists.
 */
interface ObjectScope {
  readonly tables: readonly string[];
  readonly write: readonly string[];
  readonly read: readonly string[];
  /** Keys read that may not exist yet: S3 answers 404 rather than 403 only to a caller allowed s3:ListBucket on the bucket. */
  readonly mayBeMissing: readonly string[];
  readonly delete: readonly string[];
  readonly list: readonly string[];
}

const PARTITION = 'year=2026/month=11/day=23/hour=08';
const fileParts = (job: Job) => ({ prefix: job.output.prefix, table: job.output.name, partitionPath: PARTITION, shardId: 'shardId-000000000000', firstRecordId: '4959' });

/**
 * Every key compaction's layout names for a partition (state, generations, parts and whatever
 * else the layout grows), from the layout itself, so a new kind of key is covered as it appears.
 */
function compactionKeys(job: Job): string[] {
  const layout = compactionLayout({ prefix: job.output.prefix, table: job.output.name });
  const root = `${compactedRootKey({ prefix: job.output.prefix, table: job.output.name })}/`;
  return Object.values(layout as unknown as Record<string, (path: string, generation: number, index: number) => string>)
    .map((key) => key(PARTITION, 1, 0))
    .filter((key) => key.startsWith(root));
}

/** Per bundle entry: where its code acts. */
const objectScopes: Readonly<Record<string, (job: Job) => ObjectScope>> = {
  'src/runtime/lambda/bundle-entry.ts': (job) => ({
    tables: [job.output.name, rejectsTableName(job.output.name)],
    write: [dataFileKey(fileParts(job)), rejectFileKey(fileParts(job))],
    read: [],
    mayBeMissing: [],
    delete: [],
    list: [],
  }),
  'src/runtime/lambda/compaction-entry.ts': (job) => {
    const base = dataFileKey(fileParts(job));
    const compacted = compactionKeys(job);
    const layout = compactionLayout({ prefix: job.output.prefix, table: job.output.name });
    return {
      tables: [job.output.name],
      write: compacted,
      read: [base, ...compacted],
      mayBeMissing: compacted,
      delete: [base, ...compacted],
      list: [`${layout.baseFolder(PARTITION)}/`, `${layout.partitionFolder(PARTITION)}/`, `${tableRootKey({ prefix: job.output.prefix, table: job.output.name })}/`],
    };
  },
};

/** The names a function's requests are built from. */
interface Targets {
  readonly bucketArn: string;
  readonly glue: readonly string[];
  readonly kmsKey: string | undefined;
}

type ObjectKind = Exclude<keyof ObjectScope, 'mayBeMissing' | 'tables'>;
const objectArn = (t: Targets, key: string) => `${t.bucketArn}/${key}`;

/**
 * What IAM authorizes for each SDK operation the code can send: the action on each resource
 * of the function's scope, and the KMS action S3 takes on the bucket's key for it.
 */
interface OperationModel {
  readonly kind?: ObjectKind;
  readonly requests: (scope: ObjectScope, t: Targets) => IamRequest[];
  readonly kms?: string;
}

const onObjects = (kind: ObjectKind, action: string, kms?: string): OperationModel => ({
  kind,
  requests: (scope, t) => scope[kind].map((key) => ({ action, resource: objectArn(t, key) })),
  ...(kms === undefined ? {} : { kms }),
});
const reading = (kms?: string): OperationModel => ({
  kind: 'read',
  requests: (scope, t) => [
    ...scope.read.map((key) => ({ action: 's3:GetObject', resource: objectArn(t, key) })),
    // The documented rule: the bucket-wide permission, with no s3:prefix in the request.
    ...(scope.mayBeMissing.length > 0 ? [{ action: 's3:ListBucket', resource: t.bucketArn }] : []),
  ],
  ...(kms === undefined ? {} : { kms }),
});
const onTable = (action: string): OperationModel => ({ requests: (_, t) => t.glue.map((resource) => ({ action, resource })) });

const operations: Readonly<Record<string, OperationModel>> = {
  's3:PutObject': onObjects('write', 's3:PutObject', 'kms:GenerateDataKey'),
  's3:CreateMultipartUpload': onObjects('write', 's3:PutObject', 'kms:GenerateDataKey'),
  's3:UploadPart': onObjects('write', 's3:PutObject', 'kms:GenerateDataKey'),
  // S3 reads the parts' data keys back to complete an upload.
  's3:CompleteMultipartUpload': onObjects('write', 's3:PutObject', 'kms:Decrypt'),
  's3:AbortMultipartUpload': onObjects('write', 's3:AbortMultipartUpload'),
  's3:GetObject': reading('kms:Decrypt'),
  's3:HeadObject': reading(),
  's3:DeleteObjects': onObjects('delete', 's3:DeleteObject'),
  's3:ListObjectsV2': { kind: 'list', requests: (scope, t) => scope.list.map((prefix) => ({ action: 's3:ListBucket', resource: t.bucketArn, context: { 's3:prefix': prefix } })) },
  'glue:GetTable': onTable('glue:GetTable'),
  'glue:GetPartitions': onTable('glue:GetPartitions'),
  'glue:BatchCreatePartition': onTable('glue:BatchCreatePartition'),
  'glue:BatchUpdatePartition': onTable('glue:BatchUpdatePartition'),
};

/** One call that needs the role, and who makes it. */
interface Need {
  readonly caller: string;
  readonly request: IamRequest;
}

/** The actions an IoT rule's actions take with the rule's role, by action type. */
const iotActions: Readonly<Record<string, (action: Record<string, unknown>, context: { arnOf: (value: unknown) => string; bucketKms: string | undefined }) => IamRequest[]>> = {
  Kinesis: (action, { arnOf }) => [{ action: 'kinesis:PutRecord', resource: arnOf({ 'Fn::Sub': `arn:\${AWS::Partition}:kinesis:\${AWS::Region}:\${AWS::AccountId}:stream/${String(action['StreamName'])}` }) }],
  S3: (action, { bucketKms }) => [
    // IoT's substitution templates (`${timestamp()}`) fill in at run time: any text there.
    { action: 's3:PutObject', resource: `arn:aws:s3:::${String(action['BucketName'])}/${String(action['Key']).replaceAll(/\$\{[^}]*\}/g, 'x')}` },
    ...(bucketKms === undefined ? [] : [{ action: 'kms:GenerateDataKey', resource: bucketKms }]),
  ],
};

/** What a rule's target does with the target's role, by the target ARN's service. */
const targetActions: Readonly<Record<string, string>> = { states: 'states:StartExecution', kinesis: 'kinesis:PutRecord', sqs: 'sqs:SendMessage' };

/** The functions a state machine definition's Task states invoke (direct ARNs or the lambda:invoke integration), in nested Map and Parallel states too. */
function invokedFunctions(states: Record<string, any>): string[] {
  return Object.values(states).flatMap((state: Record<string, any>) => [
    ...(state['Type'] === 'Task' && state['Resource'] === 'arn:aws:states:::lambda:invoke' ? [String(state['Parameters']['FunctionName'])] : []),
    ...(state['Type'] === 'Task' && /^arn:aws[a-z-]*:lambda:/.test(String(state['Resource'])) ? [String(state['Resource'])] : []),
    ...[state['ItemProcessor'], state['Iterator'], ...(state['Branches'] ?? [])].filter((inner) => inner !== undefined).flatMap((inner) => invokedFunctions(inner['States'])),
  ]);
}

interface Checked {
  readonly stack: StackCase;
  readonly packaged: PackagedService;
  readonly resources: TemplateResources;
  readonly resolved: Record<string, { Type: string; Properties: Record<string, any> }>;
  readonly deployment: Deployment;
}

/** The resource types the checks read. */
const READ_TYPES: ReadonlySet<string> = new Set([
  'AWS::IAM::Role',
  'AWS::Lambda::Function',
  'AWS::Logs::LogGroup',
  'AWS::Lambda::EventSourceMapping',
  'AWS::IoT::TopicRule',
  'AWS::S3::Bucket',
  'AWS::StepFunctions::StateMachine',
  'AWS::Events::Rule',
]);

let scratch: string;
let analysis: SdkCallAnalysis;
const checked = new Map<string, Checked>();
const jobs = new Map<string, Job>();

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'sluice-role-grants-'));
  for (const { job } of STACKS) jobs.set(job, await loadJob(job, { jobsDir: join(PROJECT, 'jobs') }));
  const packagings = STACKS.map(async (stack, i) => {
    const packaged = await packageService({
      dir: join(scratch, String(i)),
      args: [`--param=job=${stack.job}`, ...stack.params.map((p) => `--param=${p}`), '--region', stack.region, '--stage', stack.stage],
      zipName: `sluice-${stack.job}.zip`,
    });
    const deployment: Deployment = { partition: 'aws', region: stack.region, accountId: ACCOUNT, stackName: `sluice-${stack.job}-${stack.stage}` };
    const resources = packaged.template.Resources;
    // Only what the checks read: a resource of a type they never look at needs no model in cfn-resolve.ts.
    const read = Object.entries(resources).filter(([, r]) => READ_TYPES.has(r.Type));
    const resolved = Object.fromEntries(read.map(([id, r]) => [id, resolveCfn(r, { resources, deployment })])) as Checked['resolved'];
    checked.set(stack.label, { stack, packaged, resources, resolved, deployment });
  });
  const roots = [...new Set(Object.keys(objectScopes).map((e) => join(PROJECT, e)))].concat(STACKS.map((s) => join(PROJECT, 'jobs', `${s.job}.ts`)));
  analysis = sdkCallAnalysis({ tsconfig: join(PROJECT, 'tsconfig.json'), roots });
  await Promise.all(packagings);
}, 180_000);

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** The logical id of the role an ARN names. */
const roleIdOf = (c: Checked, arn: unknown): string => {
  const found = Object.entries(c.resolved).find(([id, r]) => r.Type === 'AWS::IAM::Role' && resolveCfn({ 'Fn::GetAtt': [id, 'Arn'] }, c) === arn);
  if (found === undefined) throw new Error(`${String(arn)} names no role of the template`);
  return found[0];
};

const statementsOf = (role: { Properties: Record<string, any> }): ResolvedStatement[] =>
  (role.Properties['Policies'] as Array<{ PolicyDocument: { Statement: ResolvedStatement[] } }>).flatMap((p) => p.PolicyDocument.Statement);

/** Every call made with a function's role: its code's SDK calls, and Lambda's own on its behalf. */
function functionNeeds(c: Checked, functionId: string, calls: readonly SdkCall[]): Need[] {
  const { resolved, stack } = c;
  const fn = resolved[functionId]!.Properties;
  const job = jobs.get(stack.job)!;
  const entry = entryOf(fn['Handler'] as string).slice(PROJECT.length + 1);
  const scope = objectScopes[entry]?.(job);
  if (scope === undefined) throw new Error(`${functionId} runs ${entry}, which this test has no object scope for: add one to objectScopes`);
  const bucket = resolved[LogicalId.Bucket]!.Properties;
  const kmsKey = (bucket['BucketEncryption'] as { ServerSideEncryptionConfiguration: Array<{ ServerSideEncryptionByDefault: { KMSMasterKeyID?: string } }> })
    .ServerSideEncryptionConfiguration[0]!.ServerSideEncryptionByDefault.KMSMasterKeyID;
  const glueArn = (resource: string) => `arn:aws:glue:${c.deployment.region}:${ACCOUNT}:${resource}`;
  const targets: Targets = {
    bucketArn: `arn:aws:s3:::${String(bucket['BucketName'] ?? `${c.deployment.stackName}-${LogicalId.Bucket.toLowerCase()}`)}`,
    glue: [glueArn('catalog'), glueArn(`database/${job.output.database}`), ...scope.tables.map((table) => glueArn(`table/${job.output.database}/${table}`))],
    kmsKey,
  };
  const needs: Need[] = [];
  for (const call of calls) {
    const name = `${call.service}:${call.operation}`;
    const model = operations[name];
    if (model === undefined) throw new Error(`${entry} can send ${name}, which this test does not map to IAM: add it to operations`);
    if (model.kind !== undefined && scope[model.kind].length === 0) {
      throw new Error(`${entry} can send ${name}, but its object scope says it ${model.kind}s nothing: find where it does, then scope and grant it`);
    }
    const requests = model.requests(scope, targets);
    needs.push(...requests.map((request) => ({ caller: `${entry}: ${name}`, request })));
    if (model.kms !== undefined && kmsKey !== undefined) needs.push({ caller: `${entry}: ${name} (SSE-KMS)`, request: { action: model.kms, resource: kmsKey } });
  }
  // The runtime writes the function's log group (declared by the stack, so never created).
  const logGroup = Object.values(resolved).find((r) => r.Type === 'AWS::Logs::LogGroup' && r.Properties['LogGroupName'] === `/aws/lambda/${String(fn['FunctionName'])}`);
  if (logGroup === undefined) throw new Error(`${functionId} has no log group in the template`);
  const logs = `arn:aws:logs:${c.deployment.region}:${ACCOUNT}:log-group:${String(logGroup.Properties['LogGroupName'])}:*`;
  for (const action of ['logs:CreateLogStream', 'logs:PutLogEvents']) needs.push({ caller: 'Lambda runtime: logs', request: { action, resource: logs } });
  // The event source mapping reads with the function's role (a shared-throughput consumer) and sends failed batches on.
  const functionArn = resolveCfn({ 'Fn::GetAtt': [functionId, 'Arn'] }, { resources: c.resources, deployment: c.deployment });
  for (const mapping of Object.values(resolved).filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping' && r.Properties['FunctionName'] === functionArn)) {
    const stream = mapping.Properties['EventSourceArn'] as string;
    for (const action of ['kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards']) {
      needs.push({ caller: 'event source mapping', request: { action, resource: stream } });
    }
    const destination = (mapping.Properties['DestinationConfig'] as { OnFailure?: { Destination?: string } } | undefined)?.OnFailure?.Destination;
    if (destination !== undefined) needs.push({ caller: 'event source mapping: on-failure destination', request: { action: 'sqs:SendMessage', resource: destination } });
  }
  return needs;
}

/** Both directions for one role: no needed call denied, no granted action without a caller. */
function expectLeastPrivilege(statements: readonly ResolvedStatement[], needs: readonly Need[]): void {
  const denied = needs.filter((n) => !evaluate(statements, n.request).allowed).map((n) => `${n.caller}: ${n.request.action} on ${n.request.resource}${n.request.context ? ` ${JSON.stringify(n.request.context)}` : ''}`);
  expect(denied, 'calls the role denies').toEqual([]);
  const uncalled = statements.flatMap((s) =>
    (typeof s.Action === 'string' ? [s.Action] : s.Action)
      .filter((action) => !needs.some((n) => statementMatches({ ...s, Action: [action] }, n.request)))
      .map((action) => `${s.Sid ?? '(no Sid)'}: ${action}`),
  );
  expect(uncalled, 'grants no call needs').toEqual([]);
  const unused = statements.flatMap((s) =>
    ([] as string[])
      .concat(s.Resource)
      .filter((resource) => !needs.some((n) => statementMatches({ ...s, Resource: [resource] }, n.request)))
      .map((resource) => `${s.Sid ?? '(no Sid)'}: ${resource}`),
  );
  expect(unused, 'resources no call needs').toEqual([]);
  expect(statements.filter((s) => ([] as string[]).concat(s.Resource).includes('*')).map((s) => s.Sid)).toEqual([]);
}

describe.each(STACKS.map((s) => s.label))('the roles of %s', (label) => {
  const get = () => checked.get(label)!;

  it('let each function make exactly the calls its bundle and Lambda make for it', () => {
    const c = get();
    const functions = Object.entries(c.resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThan(0);
    for (const [id, fn] of functions) {
      const roleId = ((fn.Properties?.['Role'] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'])[0];
      const role = c.resolved[roleId]!;
      const { calls } = analysis.reachable({ entry: entryOf(fn.Properties!['Handler'] as string), aliases: { 'sluice:job': join(PROJECT, 'jobs', `${c.stack.job}.ts`) } });
      expectLeastPrivilege(statementsOf(role), functionNeeds(c, id, calls));
    }
  });

  it("lets the IoT rule's role do exactly what the rule's actions and error action do, for this rule only", () => {
    const c = get();
    const rule = Object.values(c.resolved).find((r) => r.Type === 'AWS::IoT::TopicRule');
    if (!c.stack.params.some((p) => p.startsWith('iotTopic='))) {
      expect(rule).toBeUndefined();
      return;
    }
    const payload = rule!.Properties['TopicRulePayload'] as { Actions: Array<Record<string, Record<string, unknown>>>; ErrorAction?: Record<string, Record<string, unknown>> };
    // A message the rule fails to put somewhere is kept, not dropped.
    expect(payload.ErrorAction).toBeDefined();
    const roleIds = new Set<string>();
    const bucketKms = c.stack.params.find((p) => p.startsWith('kmsKey='))?.slice('kmsKey='.length);
    const needs = [...payload.Actions, payload.ErrorAction!].flatMap((action) =>
      Object.entries(action).flatMap(([type, properties]) => {
        const model = iotActions[type];
        if (model === undefined) throw new Error(`IoT rule action ${type} is not modelled here: add it to iotActions`);
        roleIds.add(String(properties['RoleArn']));
        return model(properties, { arnOf: (v) => resolveCfn(v, c) as string, bucketKms }).map((request) => ({ caller: `IoT rule: ${type}`, request }));
      }),
    );
    expect(roleIds.size).toBe(1);
    const [roleId, role] = Object.entries(c.resolved).find(([id, r]) => r.Type === 'AWS::IAM::Role' && resolveCfn({ 'Fn::GetAtt': [id, 'Arn'] }, c) === [...roleIds][0])!;
    expect(roleId).toBe(LogicalId.IotTopicRuleRole);
    expectLeastPrivilege(statementsOf(role), needs);

    // Only IoT acting for this rule in this account: a confused deputy elsewhere cannot assume it.
    const trust = (role.Properties['AssumeRolePolicyDocument'] as { Statement: Array<ResolvedStatement & { Principal: unknown }> }).Statement.map((s) => ({ ...s, Resource: '*' }));
    expect(trust.map((s) => s.Principal)).toEqual([{ Service: 'iot.amazonaws.com' }]);
    const ruleArn = `arn:aws:iot:${c.deployment.region}:${ACCOUNT}:rule/${String(rule!.Properties['RuleName'])}`;
    const assume = (context: Record<string, string>) => evaluate(trust, { action: 'sts:AssumeRole', resource: '*', context }).allowed;
    expect(assume({ 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': ruleArn })).toBe(true);
    expect(assume({ 'aws:SourceAccount': '999999999999', 'aws:SourceArn': ruleArn.replace(ACCOUNT, '999999999999') })).toBe(false);
    expect(assume({ 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `${ruleArn}_other` })).toBe(false);
    expect(assume({})).toBe(false);
  });
});

describe.each(STACKS.map((s) => s.label))('the orchestration roles of %s', (label) => {
  const get = () => checked.get(label)!;

  it('let each state machine invoke exactly what its definition invokes, and each schedule start exactly its targets', () => {
    const c = get();
    const ofType = (type: string) => Object.entries(c.resolved).filter(([, r]) => r.Type === type);
    for (const [id, machine] of ofType('AWS::StepFunctions::StateMachine')) {
      const definition = JSON.parse(String(machine.Properties['DefinitionString'])) as { States: Record<string, unknown> };
      const needs = invokedFunctions(definition.States).map((resource) => ({ caller: `${id}: Task`, request: { action: 'lambda:InvokeFunction', resource } }));
      expect(needs.length).toBeGreaterThan(0);
      expectLeastPrivilege(statementsOf(c.resolved[roleIdOf(c, machine.Properties['RoleArn'])]!), needs);
    }
    const byRole = new Map<string, Need[]>();
    for (const [id, rule] of ofType('AWS::Events::Rule')) {
      for (const target of (rule.Properties['Targets'] ?? []) as Array<{ Arn: string; RoleArn?: string }>) {
        if (target.RoleArn === undefined) continue;
        const action = targetActions[target.Arn.split(':')[2]!];
        if (action === undefined) throw new Error(`${id} targets ${target.Arn} with a role: add its service to targetActions`);
        const roleId = roleIdOf(c, target.RoleArn);
        byRole.set(roleId, [...(byRole.get(roleId) ?? []), { caller: `${id}: target`, request: { action, resource: target.Arn } }]);
      }
    }
    for (const [roleId, needs] of byRole) expectLeastPrivilege(statementsOf(c.resolved[roleId]!), needs);
  });

  it('leave no role of the template unchecked', () => {
    const c = get();
    const all = Object.entries(c.resolved).filter(([, r]) => r.Type === 'AWS::IAM::Role').map(([id]) => id);
    const byType = (type: string, property: (r: { Properties: Record<string, any> }) => unknown[]) =>
      Object.values(c.resolved).filter((r) => r.Type === type).flatMap(property);
    const checkedRoles = new Set(
      [
        ...byType('AWS::Lambda::Function', (r) => [r.Properties['Role']]),
        ...byType('AWS::IoT::TopicRule', (r) => [r.Properties['TopicRulePayload'].Actions, r.Properties['TopicRulePayload'].ErrorAction].flat().flatMap((a: Record<string, { RoleArn: string }>) => Object.values(a).map((x) => x.RoleArn))),
        ...byType('AWS::StepFunctions::StateMachine', (r) => [r.Properties['RoleArn']]),
        ...byType('AWS::Events::Rule', (r) => ((r.Properties['Targets'] ?? []) as Array<{ RoleArn?: string }>).map((t) => t.RoleArn).filter((arn) => arn !== undefined)),
      ].map((arn) => roleIdOf(c, arn)),
    );
    expect(all.filter((id) => !checkedRoles.has(id))).toEqual([]);
  });
});

describe('the packaged templates whose roles are checked', () => {
  // package.test.ts checks the sample jobs' default templates; these add every optional part.
  it.each(STACKS.map((s) => s.label))('are of the CloudFormation resource specification: %s', (label) => {
    expect(specProblems(checked.get(label)!.packaged.template)).toEqual([]);
  });
});

describe('the SDK calls derived from each bundle entry', () => {
  it('are the calls the issue lists, no more: the Kinesis function writes and registers, compaction reads, writes, lists, deletes and swaps', () => {
    const calls = (entry: string) =>
      analysis.reachable({ entry: join(PROJECT, entry), aliases: { 'sluice:job': join(PROJECT, 'jobs/sensor-readings.ts') } }).calls.map((c) => `${c.service}:${c.operation}`);
    const kinesis = calls('src/runtime/lambda/bundle-entry.ts');
    expect(kinesis).toEqual(['glue:BatchCreatePartition', 'glue:GetTable', 's3:AbortMultipartUpload', 's3:CompleteMultipartUpload', 's3:CreateMultipartUpload', 's3:PutObject', 's3:UploadPart']);
    const compaction = calls('src/runtime/lambda/compaction-entry.ts');
    for (const call of ['s3:GetObject', 's3:ListObjectsV2', 's3:DeleteObjects', 's3:PutObject', 'glue:GetPartitions', 'glue:BatchUpdatePartition']) expect(compaction).toContain(call);
  });

  it("cover every project module and SDK command esbuild bundles (the walk misses no import)", async () => {
    for (const entry of Object.keys(objectScopes)) {
      const aliases = { 'sluice:job': join(PROJECT, 'jobs/sensor-readings.ts') };
      const reached = analysis.reachable({ entry: join(PROJECT, entry), aliases });
      const { plugins: _file, exclude: _exclude, outputFileExtension: _ext, outputWorkFolder: _work, ...options } = bundleOptions({ jobModule: aliases['sluice:job'], workFolder: '.esbuild/unused' });
      const result = await esbuild.build({ ...(options as esbuild.BuildOptions), entryPoints: [join(PROJECT, entry)], outdir: join(scratch, 'esbuild'), write: false, metafile: true, absWorkingDir: PROJECT });
      const inputs = Object.keys(result.metafile.inputs).map((p) => resolve(PROJECT, p));
      const projectModules = inputs.filter((p) => p.startsWith(PROJECT) && !p.includes('/node_modules/') && p.endsWith('.ts'));
      expect(projectModules.filter((p) => !reached.modules.includes(p)), `${entry}: modules esbuild bundles that the walk never loaded`).toEqual([]);
      // Every call derived is one whose command the bundle really carries.
      const bundledCommands = new Set(inputs.map((p) => /@aws-sdk\/client-([a-z0-9-]+)\/dist-[a-z]+\/commands\/([A-Za-z0-9]+)Command\.js$/.exec(p)).filter((m) => m !== null).map((m) => `${m[1]}:${m[2]}`));
      expect(reached.calls.map((c) => `${c.service}:${c.operation}`).filter((c) => !bundledCommands.has(c))).toEqual([]);
    }
  });
});
