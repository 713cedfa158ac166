/**
 * The stack's own refusals and omissions that keep it least-privilege and loss-free: a KMS
 * key of another region is refused at package time, a table with partition projection gets
 * no compaction function (compaction refuses such a table), and the IoT rule keeps what it
 * fails to deliver. The roles' grants themselves are checked call by call in
 * role-grants.test.ts.
 */
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { iotRuleName } from '../../deploy/iot-topic-rule.ts';
import { jobStack } from '../../deploy/job-stack.ts';
import { COMPACTION_FUNCTION_KEY, FUNCTION_KEY, LogicalId } from '../../deploy/logical-ids.ts';
import { parseStackParams } from '../../deploy/stack-params.ts';
import sensorReadings from '../../jobs/sensor-readings.ts';
import { compactTable } from '../../src/compaction/compact-table.ts';
import { LocalCatalog } from '../../src/catalog/local-catalog.ts';
import { CompactionError, UsageError } from '../../src/errors.ts';
import { defineJob, hourOf, kinesisStream, table } from '../../src/index.ts';
import { MemoryObjectStore } from '../../src/store/memory-object-store.ts';

const availableJobs = ['projected', 'sensor-readings'];
const keyIn = (region: string) => `arn:aws:kms:${region}:123456789012:key/0b4f6f35-5bb3-4f6e-9a2c-6b1d2f3e4a5b`;
const kmsParams = (region: string) => ['job=sensor-readings', 'encryption=aws:kms', `kmsKey=${keyIn(region)}`];

const Row = z.object({ id: z.string(), at: z.date(), kind: z.enum(['a', 'b']) });
const projected = defineJob({
  name: 'projected',
  source: kinesisStream({ stream: 'events', records: Row }),
  steps: (s) => s,
  output: table({
    database: 'lake',
    name: 'events',
    rows: Row,
    partitionBy: hourOf('at'),
    partitionKeys: ['kind'],
    projection: { years: { from: 2025, to: 2030 }, keys: { kind: { type: 'enum', values: ['a', 'b'] } } },
  }),
});

describe('a KMS key for the bucket', () => {
  it("is refused when it is not in the stack's region, saying which regions and what to do", () => {
    const refuse = () => parseStackParams(kmsParams('eu-west-1'), { availableJobs, region: 'us-east-1' });
    expect(refuse).toThrow(UsageError);
    expect(refuse).toThrow(
      `--param "kmsKey=${keyIn('eu-west-1')}": the key is in eu-west-1 and the stack deploys to us-east-1; S3 can only use a key of the bucket's region: give a key in us-east-1, or deploy with --region eu-west-1`,
    );
  });

  it("is taken in the stack's region", () => {
    expect(parseStackParams(kmsParams('eu-west-1'), { availableJobs, region: 'eu-west-1' }).kmsKey).toBe(keyIn('eu-west-1'));
  });
});

describe('a table with partition projection', () => {
  const stack = (job: typeof projected | typeof sensorReadings) =>
    jobStack({ job, params: parseStackParams([`job=${job.name}`], { availableJobs, region: 'us-east-1' }), stage: 'dev', jobModule: `/p/jobs/${job.name}.ts`, workFolder: '.esbuild/w' });

  it('is refused by compaction, so the stack gets no compaction function, role, schedule or graphs', async () => {
    await expect(compactTable({ job: projected, store: new MemoryObjectStore(), catalog: new LocalCatalog({ dir: '/nonexistent' }), now: new Date() })).rejects.toThrow(CompactionError);
    const { functions, resources } = stack(projected);
    expect(Object.keys(functions)).toEqual([FUNCTION_KEY]);
    expect(resources.Resources[LogicalId.CompactionRole]).toBeUndefined();
    const dashboard = JSON.stringify(resources.Resources[LogicalId.Dashboard]);
    expect(dashboard).not.toContain(LogicalId.CompactionFunction);
    expect(dashboard).not.toContain('Compaction');
  });

  it('leaves a table without projection its compaction function and graphs', () => {
    const { functions, resources } = stack(sensorReadings);
    expect(Object.keys(functions).sort()).toEqual([COMPACTION_FUNCTION_KEY, FUNCTION_KEY].sort());
    expect(resources.Resources[LogicalId.CompactionRole]).toBeDefined();
    expect(JSON.stringify(resources.Resources[LogicalId.Dashboard])).toContain(LogicalId.CompactionFunction);
  });
});

describe('the IoT rule', () => {
  const rule = (stage: string) =>
    jobStack({
      job: sensorReadings,
      params: parseStackParams(['job=sensor-readings', 'iotTopic=sensors/+/readings'], { availableJobs, region: 'us-east-1' }),
      stage,
      jobModule: '/p/jobs/sensor-readings.ts',
      workFolder: '.esbuild/w',
    }).resources.Resources[LogicalId.IotTopicRule]!.Properties as { RuleName: string; TopicRulePayload: { ErrorAction?: unknown } };

  it('is named per job and stage, in the characters IoT takes, so two stages never share one', () => {
    expect(rule('dev').RuleName).toBe('sluice_sensor_readings_dev');
    expect(rule('pre-prod').RuleName).toBe('sluice_sensor_readings_pre_prod');
    expect(iotRuleName({ job: 'a', stage: 'x'.repeat(200) })).toHaveLength(128);
  });

  it('keeps each message it fails to put on the stream in the bucket, under the job prefix', () => {
    expect(rule('dev').TopicRulePayload.ErrorAction).toEqual({
      S3: { BucketName: { Ref: LogicalId.Bucket }, Key: 'iot/_iot-errors/${timestamp()}-${newuuid()}.json', RoleArn: { 'Fn::GetAtt': [LogicalId.IotTopicRuleRole, 'Arn'] } },
    });
  });
});
