import { describe, expect, it } from 'vitest';
import { getAtt, ref } from '../../deploy/cloudformation.ts';
import { COMPACTION_FUNCTION_SIZING, COMPACTION_HANDLER, compactionRoleStatements } from '../../deploy/compaction-function.ts';
import { jobStack } from '../../deploy/job-stack.ts';
import { COMPACTION_FUNCTION_KEY, LogicalId } from '../../deploy/logical-ids.ts';
import { parseStackParams } from '../../deploy/stack-params.ts';
import sensorReadings from '../../jobs/sensor-readings.ts';

const availableJobs = ['device-activity', 'sensor-readings'];
const stack = (params: readonly string[] = []) =>
  jobStack({ job: sensorReadings, params: parseStackParams(['job=sensor-readings', ...params], { availableJobs }), jobModule: '/p/jobs/sensor-readings.ts', workFolder: '.esbuild/w' });

describe('the compaction function in the job stack', () => {
  it('runs the bundle\'s compact export hourly by default, one run at a time, with the bucket and job in its environment', () => {
    const { functions } = stack();
    expect(functions[COMPACTION_FUNCTION_KEY]).toEqual({
      handler: COMPACTION_HANDLER,
      description: 'sluice job sensor-readings: compacts iot.sensor_readings (rate(1 hour))',
      role: LogicalId.CompactionRole,
      memorySize: COMPACTION_FUNCTION_SIZING.memorySize,
      timeout: 900,
      reservedConcurrency: 1,
      environment: { SLUICE_BUCKET: ref(LogicalId.Bucket), SLUICE_JOB: 'sensor-readings' },
      events: [{ schedule: { rate: ['rate(1 hour)'], enabled: true } }],
    });
    expect(COMPACTION_HANDLER).toBe('src/runtime/lambda/compaction-entry.compact');
  });

  it('takes another schedule and refuses what EventBridge would not', () => {
    expect(stack(['compactionSchedule=cron(15 * * * ? *)']).functions[COMPACTION_FUNCTION_KEY]!['events']).toEqual([
      { schedule: { rate: ['cron(15 * * * ? *)'], enabled: true } },
    ]);
    expect(stack(['compactionSchedule=rate(30 minutes)']).functions[COMPACTION_FUNCTION_KEY]!['events']).toEqual([
      { schedule: { rate: ['rate(30 minutes)'], enabled: true } },
    ]);
    for (const bad of ['hourly', 'rate(1 hours)', 'rate(2 hour)', 'rate(0 minutes)']) {
      expect(() => stack([`compactionSchedule=${bad}`])).toThrow(`--param "compactionSchedule=${bad}": give an EventBridge schedule`);
    }
  });

  it('gives it a role of its own: the table and its compaction folder, the table\'s partitions, its log group', () => {
    const { Resources } = stack().resources;
    const role = Resources[LogicalId.CompactionRole]!;
    expect(role.Type).toBe('AWS::IAM::Role');
    const policies = role.Properties!['Policies'] as Array<{ PolicyDocument: { Statement: unknown[] } }>;
    const options = { bucket: ref(LogicalId.Bucket), bucketArn: getAtt(LogicalId.Bucket, 'Arn'), schedule: 'rate(1 hour)', logGroupArn: getAtt(LogicalId.CompactionLogGroup, 'Arn') };
    expect(policies.flatMap((p) => p.PolicyDocument.Statement)).toEqual(compactionRoleStatements(sensorReadings, options));
    const statements = compactionRoleStatements(sensorReadings, options);
    expect(statements.map((s) => s.Sid)).toEqual(['WriteLogs', 'CompactTableObjects', 'ListTableObjects', 'SwapPartitions']);
    expect(statements.flatMap((s) => s.Resource)).not.toContain('*');
    expect(JSON.stringify(statements)).not.toContain('_rejects');
    expect(JSON.stringify(statements)).not.toContain('kinesis:');
  });

  it('lets the compaction role use the bucket key when the bucket has one', () => {
    const kmsKey = 'arn:aws:kms:eu-west-1:123456789012:key/0b4f6f35-5bb3-4f6e-9a2c-6b1d2f3e4a5b';
    const { Resources } = stack(['encryption=aws:kms', `kmsKey=${kmsKey}`]).resources;
    const statements = (Resources[LogicalId.CompactionRole]!.Properties!['Policies'] as Array<{ PolicyDocument: { Statement: Array<{ Sid: string; Resource: unknown[] }> } }>)[0]!.PolicyDocument.Statement;
    expect(statements.find((s) => s.Sid === 'UseBucketKey')?.Resource).toEqual([kmsKey]);
  });
});
