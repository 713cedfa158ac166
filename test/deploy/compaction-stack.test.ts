import { describe, expect, it } from 'vitest';
import { getAtt, ref } from '../../deploy/cloudformation.ts';
import { COMPACTION_FUNCTION_SIZING, COMPACTION_HANDLER, compactionRoleStatements } from '../../deploy/compaction-function.ts';
import { CompactionFanOut, CompactionLogicalId, runSecondsOf } from '../../deploy/compaction-state-machine.ts';
import { jobStack, type JobStack } from '../../deploy/job-stack.ts';
import { COMPACTION_FUNCTION_KEY, LogicalId } from '../../deploy/logical-ids.ts';
import { parseStackParams } from '../../deploy/stack-params.ts';
import sensorReadings from '../../jobs/sensor-readings.ts';

const availableJobs = ['device-activity', 'sensor-readings'];
const stack = (params: readonly string[] = []) =>
  jobStack({ job: sensorReadings, params: parseStackParams(['job=sensor-readings', ...params], { availableJobs, region: 'eu-west-1' }), stage: 'dev', jobModule: '/p/jobs/sensor-readings.ts', workFolder: '.esbuild/w' });

const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:sluice-sensor-readings-dev-compact';

/** The state machine's definition, with the function's ARN put in as CloudFormation would. */
function definitionOf(built: JobStack): Record<string, any> {
  const text = built.resources.Resources[CompactionLogicalId.StateMachine]!.Properties!['DefinitionString'] as { 'Fn::Join': [string, unknown[]] };
  const parts = text['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : (expect(part).toEqual(getAtt(LogicalId.CompactionFunction, 'Arn')), FUNCTION_ARN)));
  return JSON.parse(parts.join('')) as Record<string, any>;
}

describe('the compaction function in the job stack', () => {
  it("runs the bundle's compact export for each step of a run, at most the state machine's fan-out at once, with the bucket and job in its environment", () => {
    const { functions } = stack();
    expect(functions[COMPACTION_FUNCTION_KEY]).toEqual({
      handler: COMPACTION_HANDLER,
      description: 'sluice job sensor-readings: compacts iot.sensor_readings (rate(1 hour))',
      role: LogicalId.CompactionRole,
      memorySize: COMPACTION_FUNCTION_SIZING.memorySize,
      timeout: 900,
      reservedConcurrency: CompactionFanOut.partitions * CompactionFanOut.units,
      environment: { SLUICE_BUCKET: ref(LogicalId.Bucket), SLUICE_JOB: 'sensor-readings' },
    });
    expect(COMPACTION_HANDLER).toBe('src/runtime/lambda/compaction-entry.compact');
  });

  it('starts the state machine on the schedule, hourly by default, and refuses what EventBridge would not', () => {
    const rule = (params: readonly string[] = []) => stack(params).resources.Resources[CompactionLogicalId.Schedule]!.Properties!;
    expect(rule()).toMatchObject({
      ScheduleExpression: 'rate(1 hour)',
      State: 'ENABLED',
      Targets: [{ Id: 'compaction', Arn: ref(CompactionLogicalId.StateMachine), RoleArn: getAtt(CompactionLogicalId.ScheduleRole, 'Arn'), Input: '{}' }],
    });
    expect(rule(['compactionSchedule=cron(15 * * * ? *)'])['ScheduleExpression']).toBe('cron(15 * * * ? *)');
    expect(rule(['compactionSchedule=rate(30 minutes)'])['ScheduleExpression']).toBe('rate(30 minutes)');
    for (const bad of ['hourly', 'rate(1 hours)', 'rate(2 hour)', 'rate(0 minutes)']) {
      expect(() => stack([`compactionSchedule=${bad}`])).toThrow(`--param "compactionSchedule=${bad}": give an EventBridge schedule`);
    }
  });

  it('ends a run before the next is due: its deadline 5 minutes before, a quarter of the interval before for short ones', () => {
    expect(runSecondsOf('rate(1 hour)')).toBe(3300);
    expect(runSecondsOf('rate(2 hours)')).toBe(6900);
    expect(runSecondsOf('rate(30 minutes)')).toBe(1500);
    expect(runSecondsOf('rate(10 minutes)')).toBe(450);
    expect(runSecondsOf('rate(1 day)')).toBe(86_100);
    expect(runSecondsOf('cron(15 * * * ? *)')).toBe(3300);
    const definition = definitionOf(stack(['compactionSchedule=rate(30 minutes)']));
    expect(definition['States'].Plan.Parameters.Payload.runSeconds).toBe(1500);
    // A unit started just before the deadline may still run its course (writing nothing) before the execution times out.
    expect(definition['TimeoutSeconds']).toBe(1500 + 900 + 60);
  });

  it("defines the state machine around the compaction function: plan, units fanned out per partition, commit, report", () => {
    const definition = definitionOf(stack());
    const tasks: Array<{ Parameters: { FunctionName: string; Payload: { step: string } } }> = [];
    const walk = (states: Record<string, any>) => {
      for (const state of Object.values(states)) {
        if (state.Type === 'Task') tasks.push(state);
        if (state.Type === 'Map') walk(state.ItemProcessor.States);
      }
    };
    walk(definition['States']);
    expect(tasks.map((t) => t.Parameters.Payload.step).sort()).toEqual(['commit', 'plan', 'report', 'unit']);
    expect(new Set(tasks.map((t) => t.Parameters.FunctionName))).toEqual(new Set([FUNCTION_ARN]));
    const partitions = definition['States'].Partitions;
    expect(partitions).toMatchObject({ Type: 'Map', ItemsPath: '$.partitions', MaxConcurrency: CompactionFanOut.partitions });
    expect(partitions.ItemProcessor.States.Units).toMatchObject({ Type: 'Map', ItemsPath: '$.partition.unitIndexes', MaxConcurrency: CompactionFanOut.units, Next: 'Commit' });
    // A failed unit or commit is caught: that partition is reported failed, the others go on.
    expect(partitions.ItemProcessor.States.Units.Catch[0]).toMatchObject({ ErrorEquals: ['States.ALL'], Next: 'Failed' });
    expect(partitions.ItemProcessor.States.Commit.Catch[0]).toMatchObject({ ErrorEquals: ['States.ALL'], Next: 'Failed' });
    expect(stack().resources.Resources[CompactionLogicalId.StateMachine]!.Properties).toMatchObject({ StateMachineType: 'STANDARD', RoleArn: getAtt(CompactionLogicalId.StateMachineRole, 'Arn') });
  });

  it('lets the state machine only invoke the compaction function, and the schedule only start the state machine', () => {
    const { Resources } = stack().resources;
    const grants = (id: string) => (Resources[id]!.Properties!['Policies'] as Array<{ PolicyDocument: { Statement: unknown[] } }>).flatMap((p) => p.PolicyDocument.Statement);
    const trust = (id: string) => (Resources[id]!.Properties!['AssumeRolePolicyDocument'] as { Statement: unknown[] }).Statement;
    expect(grants(CompactionLogicalId.StateMachineRole)).toEqual([
      { Sid: 'InvokeCompaction', Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [getAtt(LogicalId.CompactionFunction, 'Arn')] },
    ]);
    expect(grants(CompactionLogicalId.ScheduleRole)).toEqual([{ Sid: 'StartCompaction', Effect: 'Allow', Action: ['states:StartExecution'], Resource: [ref(CompactionLogicalId.StateMachine)] }]);
    const sameAccount = { StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') } };
    expect(trust(CompactionLogicalId.StateMachineRole)).toEqual([{ Effect: 'Allow', Principal: { Service: 'states.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: sameAccount }]);
    expect(trust(CompactionLogicalId.ScheduleRole)).toEqual([{ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: sameAccount }]);
  });

  it('gives it a role of its own: the table and its compaction folder, the table\'s partitions, its log group', () => {
    const { Resources } = stack().resources;
    const role = Resources[LogicalId.CompactionRole]!;
    expect(role.Type).toBe('AWS::IAM::Role');
    const policies = role.Properties!['Policies'] as Array<{ PolicyDocument: { Statement: unknown[] } }>;
    const options = { bucket: ref(LogicalId.Bucket), bucketArn: getAtt(LogicalId.Bucket, 'Arn'), schedule: 'rate(1 hour)', logGroupArn: getAtt(LogicalId.CompactionLogGroup, 'Arn') };
    expect(policies.flatMap((p) => p.PolicyDocument.Statement)).toEqual(compactionRoleStatements(sensorReadings, options));
    const statements = compactionRoleStatements(sensorReadings, options);
    expect(statements.map((s) => s.Sid)).toEqual(['WriteLogs', 'ReadAndRetireFiles', 'WriteGenerations', 'ListBucket', 'SwapPartitions']);
    // It writes only in its own folder; the table's files it reads and, once replaced, deletes.
    expect(statements.find((s) => s.Sid === 'WriteGenerations')!.Resource).toEqual([{ 'Fn::Join': ['', [getAtt(LogicalId.Bucket, 'Arn'), '/iot/_compacted/sensor_readings/*']] }]);
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
