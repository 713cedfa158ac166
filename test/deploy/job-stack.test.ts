import { join, resolve } from 'node:path';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { eventSourceMappingResource } from '../../deploy/event-source-mapping.ts';
import { glueTableResource } from '../../deploy/glue-table-resource.ts';
import { jobStack } from '../../deploy/job-stack.ts';
import { LogicalId } from '../../deploy/logical-ids.ts';
import { serverlessStack } from '../../deploy/serverless-stack.ts';
import { escapeServerlessVariables } from '../../deploy/serverless-variables.ts';
import { DEFAULT_STACK_PARAMS, parseStackParams } from '../../deploy/stack-params.ts';
import sensorReadings from '../../jobs/sensor-readings.ts';
import sensorHourly from '../../jobs/sensor-hourly.ts';
import { ErrorCode, JobDefinitionError, SluiceError } from '../../src/errors.ts';
import { defineJob, hourOf, kinesisStream, table } from '../../src/index.ts';

const availableJobs = ['device-activity', 'sensor-readings'];
const region = 'eu-west-1';
const PROJECT = resolve(import.meta.dirname, '../..');

const Row = z.object({ id: z.string(), at: z.date(), kind: z.string() });
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
    prefix: 'raw/events',
    projection: { years: { from: 2025, to: 2030 }, keys: { kind: { type: 'enum', values: ['a', 'b'] } } },
  }),
  batch: { windowSeconds: 0.5 },
});

describe('parseStackParams', () => {
  it('fills in the defaults', () => {
    expect(parseStackParams(['job=sensor-readings'], { availableJobs, region })).toEqual({ ...DEFAULT_STACK_PARAMS, job: 'sensor-readings' });
  });

  it('reads every kind of value', () => {
    const params = parseStackParams(
      ['job=sensor-readings', 'stream=arn:aws:kinesis:eu-west-1:123456789012:stream/other', 'shards=3', 'createDatabase=false', 'encryption=aws:kms', 'iotTopic=a/+/b'],
      { availableJobs, region },
    );
    expect(params).toMatchObject({ stream: 'arn:aws:kinesis:eu-west-1:123456789012:stream/other', shards: 3, createDatabase: false, encryption: 'aws:kms', iotTopic: 'a/+/b' });
  });

  it.each([
    [[], '--param="job=<name>" is required: the job to deploy, one of device-activity, sensor-readings'],
    [['job=nope'], '--param "job=nope": no jobs/nope.ts; deploy one of device-activity, sensor-readings'],
    [['job=sensor-readings', 'shard=2'], 'unknown --param "shard": use one of job, stream, createStream, shards,'],
    [['job=sensor-readings', 'shards=zero'], '--param "shards=zero": use a whole number from 1 to 500'],
    [['job=sensor-readings', 'createStream=yes'], '--param "createStream=yes": use true or false'],
    [['job=sensor-readings', 'encryption=des'], '--param "encryption=des": use AES256 or aws:kms'],
    [['job=sensor-readings', "iotTopic=a'b"], `--param "iotTopic=a'b": give an MQTT topic`],
    [['job=sensor-readings', 'createStream=true', 'stream=arn:aws:kinesis:eu-west-1:123456789012:stream/s'], 'a stream the stack creates is given by name, not ARN'],
    [['job=sensor-readings', 'kmsKey=arn:aws:kms:eu-west-1:123456789012:key/abc'], 'a KMS key needs --param="encryption=aws:kms"'],
  ])('refuses %j, saying what to give instead', (list, message) => {
    expect(() => parseStackParams(list, { availableJobs, region })).toThrow(message);
  });
});

describe('glueTableResource', () => {
  it('projects partitions at the table location when the job declares projection', () => {
    const input = glueTableResource(projected, { bucket: 'acme' }).Properties.TableInput;
    expect(input.StorageDescriptor?.Location).toBe('s3://acme/raw/events/events/');
    expect(input.StorageDescriptor?.Columns).toEqual([{ Name: 'id', Type: 'string' }, { Name: 'at', Type: 'timestamp' }]);
    expect(input.PartitionKeys?.map((k) => k.Name)).toEqual(['year', 'month', 'day', 'hour', 'kind']);
    expect(input.Parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.year.range': '2025,2030',
      'projection.kind.type': 'enum',
      'projection.kind.values': 'a,b',
      'storage.location.template': 's3://acme/raw/events/events/year=${year}/month=${month}/day=${day}/hour=${hour}/kind=${kind}',
    });
  });

  it("puts a reference to the stack's bucket wherever the bucket's name goes", () => {
    const input = glueTableResource(projected, { bucket: { Ref: 'B' } }).Properties.TableInput as unknown as {
      StorageDescriptor: { Location: unknown };
      Parameters: Record<string, unknown>;
    };
    expect(input.StorageDescriptor.Location).toEqual({ 'Fn::Join': ['', ['s3://', { Ref: 'B' }, '/raw/events/events/']] });
    expect(input.Parameters['storage.location.template']).toEqual({
      'Fn::Join': ['', ['s3://', { Ref: 'B' }, '/raw/events/events/year=${year}/month=${month}/day=${day}/hour=${hour}/kind=${kind}']],
    });
  });
});

describe('jobStack', () => {
  const stack = (params: readonly string[]) =>
    jobStack({ job: sensorReadings, params: parseStackParams(['job=sensor-readings', ...params], { availableJobs, region }), stage: 'dev', jobModule: '/p/jobs/sensor-readings.ts', workFolder: '.esbuild/w' });

  it("reads an existing stream by ARN as given, and alarms on its own function's iterator age, not the shared stream's", () => {
    const arn = 'arn:aws:kinesis:eu-west-1:123456789012:stream/shared-sensors';
    const { Resources } = stack([`stream=${arn}`]).resources;
    expect(Resources[LogicalId.EventSourceMapping]!.Properties!['EventSourceArn']).toBe(arn);
    expect(Resources[LogicalId.IteratorAgeAlarm]!.Properties).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'IteratorAge', Dimensions: [{ Name: 'FunctionName', Value: { Ref: LogicalId.Function } }] });
    expect(Resources[LogicalId.Stream]).toBeUndefined();
  });

  it('takes the alarm thresholds from the params, and draws them on the dashboard', () => {
    const { Resources } = stack(['iteratorAgeAlarmSeconds=120', 'freshnessAlarmSeconds=600']).resources;
    expect(Resources[LogicalId.IteratorAgeAlarm]!.Properties!['Threshold']).toBe(120_000);
    expect(Resources[LogicalId.DataFreshnessAlarm]!.Properties!['Threshold']).toBe(600_000);
    const body = JSON.parse((Resources[LogicalId.Dashboard]!.Properties!['DashboardBody'] as { 'Fn::Sub': string })['Fn::Sub']) as {
      widgets: Array<{ properties: { annotations?: { horizontal: Array<{ value: number }> } } }>;
    };
    expect(body.widgets.flatMap((w) => w.properties.annotations?.horizontal.map((h) => h.value) ?? []).sort((a, b) => a - b)).toEqual([120_000, 600_000]);
    expect(stack([]).resources.Resources[LogicalId.DataFreshnessAlarm]!.Properties!['Threshold']).toBe(DEFAULT_STACK_PARAMS.freshnessAlarmSeconds * 1000);
    expect(() => stack(['freshnessAlarmSeconds=0'])).toThrow('--param "freshnessAlarmSeconds=0": use a whole number from 1 to 604800');
  });

  it('bundles the job module through the entry alias, wasm as a file beside the bundle', () => {
    const { esbuild, functions, service } = stack([]);
    expect(service).toBe('sluice-sensor-readings');
    expect(functions['handler']!['handler']).toBe('src/runtime/lambda/bundle-entry.handler');
    expect(esbuild).toMatchObject({ alias: { 'sluice:job': '/p/jobs/sensor-readings.ts' }, loader: { '.wasm': 'file' }, assetNames: '[name]', format: 'esm', outputWorkFolder: '.esbuild/w' });
  });

  it('gives an aggregate job its partials table and a saved query creating the merged view; a plain job neither', () => {
    const hourly = jobStack({ job: sensorHourly, params: parseStackParams(['job=sensor-hourly'], { availableJobs: [...availableJobs, 'sensor-hourly'], region }), stage: 'dev', jobModule: '/p/jobs/sensor-hourly.ts', workFolder: '.esbuild/w' });
    const { Resources, Outputs } = hourly.resources;
    expect((Resources[LogicalId.Table]!.Properties!['TableInput'] as { Name: string }).Name).toBe('sensor_hourly_partials');
    const query = Resources[LogicalId.AggregateViewQuery]!;
    expect(query.Type).toBe('AWS::Athena::NamedQuery');
    expect(query.Properties).toMatchObject({ Database: 'iot', Name: 'sluice sensor-hourly: create view iot.sensor_hourly' });
    expect(query.Properties!['QueryString']).toMatch(/^CREATE OR REPLACE VIEW "iot"\."sensor_hourly" AS\nWITH p AS \(SELECT \* FROM "iot"\."sensor_hourly_partials"\)/);
    expect(Outputs['AthenaView']!.Value).toBe('iot.sensor_hourly');
    expect(stack([]).resources.Resources[LogicalId.AggregateViewQuery]).toBeUndefined();
    expect(stack([]).resources.Outputs['AthenaView']).toBeUndefined();
  });

  it("refuses a batching window the event source mapping cannot take", () => {
    expect(() => eventSourceMappingResource(projected, { streamArn: 'a', functionArn: 'f', failureDestinationArn: 'q', dependsOn: [] })).toThrow(JobDefinitionError);
    expect(() => eventSourceMappingResource(projected, { streamArn: 'a', functionArn: 'f', failureDestinationArn: 'q', dependsOn: [] })).toThrow(
      "job 'projected': batch.windowSeconds 0.5: Lambda's event source mapping takes whole seconds; use 1",
    );
  });
});

describe('serverlessStack', () => {
  it('loads the job named by the params and escapes CloudFormation placeholders from Serverless', async () => {
    const stack = await serverlessStack({ params: ['job=sensor-readings'], region, stage: 'dev', projectDir: PROJECT, runId: 'test' });
    expect(stack.esbuild['alias']).toEqual({ 'sluice:job': join(PROJECT, 'jobs', 'sensor-readings.ts') });
    expect(JSON.stringify(stack.resources)).toContain('arn:\\\\${AWS::Partition}:kinesis:');
    expect(JSON.stringify(stack.resources)).not.toMatch(/[^\\]\$\{/);
  });

  it('throws usage errors whose stack is their message, as Serverless prints the stack', async () => {
    const error = await serverlessStack({ params: [], region, stage: 'dev', projectDir: PROJECT, runId: 'test' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SluiceError);
    expect((error as SluiceError).code).toBe(ErrorCode.Usage);
    expect((error as SluiceError).stack).toBe(`UsageError: ${(error as SluiceError).message}`);
  });
});

describe('escapeServerlessVariables', () => {
  it('escapes every ${ in every string, and nothing else', () => {
    expect(escapeServerlessVariables({ a: ['${clientid()}', 1, true, null], b: { 'Fn::Sub': 'x-${AWS::Region}' }, c: 'plain' })).toEqual({
      a: ['\\${clientid()}', 1, true, null],
      b: { 'Fn::Sub': 'x-\\${AWS::Region}' },
      c: 'plain',
    });
  });
});
