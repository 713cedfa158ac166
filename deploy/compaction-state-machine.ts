import type { Job } from '../src/job/define-job.ts';
import type { CfnResource, CfnResources, CfnValue } from './cloudformation.ts';
import { getAtt, join, ref } from './cloudformation.ts';
import type { PolicyStatement } from './function-role.ts';

/**
 * The orchestration of a job's compaction: a Step Functions state machine that plans a run,
 * writes each partition's units in parallel invocations of the compaction function, commits
 * each partition once its units are written, and reports (src/compaction/compaction-run.ts);
 * an EventBridge rule starts it on the compaction schedule. Two roles of their own: the state
 * machine may only invoke the compaction function, the rule may only start the state machine.
 */

/**
 * Logical ids of the orchestration's resources.
 *
 * @example
 * ```ts
 * template.Resources[CompactionLogicalId.StateMachine].Type; // 'AWS::StepFunctions::StateMachine'
 * ```
 */
export const CompactionLogicalId = {
  StateMachine: 'SluiceCompactionStateMachine',
  StateMachineRole: 'SluiceCompactionStateMachineRole',
  Schedule: 'SluiceCompactionSchedule',
  ScheduleRole: 'SluiceCompactionScheduleRole',
} as const;

/**
 * How wide a run fans out: partitions at once, and units of a partition at once. Their
 * product bounds the compaction function's concurrent invocations (its reserved concurrency).
 *
 * @example
 * ```ts
 * CompactionFanOut.partitions * CompactionFanOut.units; // 8
 * ```
 */
export const CompactionFanOut = {
  partitions: 2,
  units: 4,
  /** Partitions given units in one run; the rest wait for the next (the state's payload stays far below 256 KB). */
  maxPartitions: 100,
} as const;

const MINUTE_S = 60;
/** A run's steps stop writing this long before the next run is due. */
const MARGIN_S = 5 * MINUTE_S;
/** Lambda's longest invocation: a unit started just before the deadline may run this long, writing nothing. */
const LONGEST_INVOCATION_S = 900;

const rateUnits: Readonly<Record<string, number>> = { minute: MINUTE_S, minutes: MINUTE_S, hour: 3600, hours: 3600, day: 86_400, days: 86_400 };

/**
 * How long a run may write, from its schedule: until 5 minutes before the next run is due
 * (a quarter of the interval for intervals under 20 minutes), so two runs never write at
 * once. A cron schedule is taken to be at least an hour apart (README, Compaction).
 *
 * @example
 * ```ts
 * runSecondsOf('rate(1 hour)'); // 3300
 * runSecondsOf('rate(10 minutes)'); // 450
 * ```
 */
export function runSecondsOf(schedule: string): number {
  const rate = /^rate\((\d+) ([a-z]+)\)$/.exec(schedule);
  const interval = rate === null ? 3600 : Number(rate[1]) * (rateUnits[rate[2]!] ?? 3600);
  return interval >= 20 * MINUTE_S ? interval - MARGIN_S : Math.floor(interval * 0.75);
}

/** Errors of Lambda's service itself (throttling included): always worth another try. */
const LAMBDA_SERVICE_ERRORS = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'];
/** The step's own transient failures (S3, Glue): the steps are idempotent, so retried as they are. */
const STORE_ERRORS = ['ObjectStoreError', 'CatalogError'];

const retries = [
  { ErrorEquals: LAMBDA_SERVICE_ERRORS, IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2, JitterStrategy: 'FULL' },
  { ErrorEquals: STORE_ERRORS, IntervalSeconds: 5, MaxAttempts: 2, BackoffRate: 3, JitterStrategy: 'FULL' },
];

/** A Task invoking the compaction function with `payload`, keeping `selector` of its answer. */
function invoke(functionArn: string, payload: Record<string, unknown>, selector: Record<string, string>): Record<string, unknown> {
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke',
    Parameters: { FunctionName: functionArn, Payload: payload },
    ResultSelector: selector,
    Retry: retries,
  };
}

/**
 * The state machine's definition (Amazon States Language, JSONPath), with the compaction
 * function named `functionArn`:
 *
 * `Plan` -> `Partitions` (Map, `partitions` at once) { `Units` (Map, `units` at once) { `Unit` } -> `Commit`,
 * either failing into `Failed` } -> `Report`.
 *
 * A partition whose unit or commit fails (after retries) is reported failed and left as it
 * was; the others go on. `Report` fails the execution when any partition failed.
 *
 * @example
 * ```ts
 * const definition = compactionDefinition({ functionArn: 'arn:aws:lambda:...:function:sluice-x-dev-compact', runSeconds: 3300 });
 * ```
 */
export function compactionDefinition(options: { readonly functionArn: string; readonly runSeconds: number }): Record<string, unknown> {
  const { functionArn, runSeconds } = options;
  const caught = [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Failed' }];
  return {
    Comment: 'sluice compaction: plan, write each partition\'s units in parallel, commit each partition, report',
    StartAt: 'Plan',
    // The steps stop writing at the run's deadline; a unit started just before it may still run its course, writing nothing.
    TimeoutSeconds: runSeconds + LONGEST_INVOCATION_S + MINUTE_S,
    States: {
      Plan: {
        ...invoke(functionArn, { step: 'plan', 'startedAt.$': '$$.Execution.StartTime', runSeconds, maxPartitions: CompactionFanOut.maxPartitions }, { 'plan.$': '$.Payload' }),
        OutputPath: '$.plan',
        Next: 'Partitions',
      },
      Partitions: {
        Type: 'Map',
        ItemsPath: '$.partitions',
        MaxConcurrency: CompactionFanOut.partitions,
        ItemSelector: { 'run.$': '$.run', 'partition.$': '$$.Map.Item.Value' },
        ItemProcessor: {
          ProcessorConfig: { Mode: 'INLINE' },
          StartAt: 'Units',
          States: {
            Units: {
              Type: 'Map',
              ItemsPath: '$.partition.unitIndexes',
              MaxConcurrency: CompactionFanOut.units,
              ItemSelector: { 'run.$': '$.run', 'partition.$': '$.partition', 'unit.$': '$$.Map.Item.Value' },
              ItemProcessor: {
                ProcessorConfig: { Mode: 'INLINE' },
                StartAt: 'Unit',
                States: {
                  Unit: { ...invoke(functionArn, { step: 'unit', 'run.$': '$.run', 'partition.$': '$.partition', 'unit.$': '$.unit' }, { 'index.$': '$.Payload.index' }), End: true },
                },
              },
              ResultPath: null,
              Catch: caught,
              Next: 'Commit',
            },
            Commit: {
              ...invoke(functionArn, { step: 'commit', 'run.$': '$.run', 'partition.$': '$.partition' }, { 'outcome.$': '$.Payload' }),
              Catch: caught,
              End: true,
            },
            Failed: { Type: 'Pass', Parameters: { failure: { 'partition.$': '$.partition.path', 'error.$': '$.error.Cause' } }, End: true },
          },
        },
        ResultPath: '$.results',
        Next: 'Report',
      },
      Report: {
        ...invoke(functionArn, { step: 'report', 'run.$': '$.run', 'settled.$': '$.settled', 'unreached.$': '$.unreached', 'results.$': '$.results' }, { 'summary.$': '$.Payload' }),
        End: true,
      },
    },
  };
}

/** The function's ARN in the definition until CloudFormation puts the real one in. */
const FUNCTION_ARN_SLOT = 'sluice-compaction-function-arn';

/**
 * Options of {@link compactionOrchestrationResources}.
 *
 * @example
 * ```ts
 * const options: OrchestrationOptions = { functionLogicalId: LogicalId.CompactionFunction, schedule: 'rate(1 hour)' };
 * ```
 */
export interface OrchestrationOptions {
  /** The compaction function's logical id. */
  readonly functionLogicalId: string;
  /** An EventBridge schedule expression: `rate(...)` or `cron(...)`. */
  readonly schedule: string;
}

/**
 * The state machine, the rule starting it on `schedule`, and their roles. The definition is
 * a `DefinitionString` joined around the function's ARN (no `${...}`, which the Serverless
 * Framework would take for its own variables).
 *
 * @example
 * ```ts
 * Object.assign(resources, compactionOrchestrationResources(job, { functionLogicalId: LogicalId.CompactionFunction, schedule: 'rate(1 hour)' }));
 * ```
 */
export function compactionOrchestrationResources(job: Job, options: OrchestrationOptions): CfnResources {
  const functionArn = getAtt(options.functionLogicalId, 'Arn');
  const text = JSON.stringify(compactionDefinition({ functionArn: FUNCTION_ARN_SLOT, runSeconds: runSecondsOf(options.schedule) }));
  const pieces = text.split(FUNCTION_ARN_SLOT);
  const definition = join(pieces.flatMap((piece, i): CfnValue[] => (i === 0 ? [piece] : [functionArn, piece])));
  const stateMachine = ref(CompactionLogicalId.StateMachine);
  return {
    [CompactionLogicalId.StateMachine]: {
      Type: 'AWS::StepFunctions::StateMachine',
      Properties: { StateMachineType: 'STANDARD', RoleArn: getAtt(CompactionLogicalId.StateMachineRole, 'Arn'), DefinitionString: definition },
    },
    [CompactionLogicalId.StateMachineRole]: serviceRole({
      service: 'states.amazonaws.com',
      policyName: `sluice-${job.name}-compaction-orchestration`,
      statements: [{ Sid: 'InvokeCompaction', Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [functionArn] }],
    }),
    [CompactionLogicalId.Schedule]: {
      Type: 'AWS::Events::Rule',
      Properties: {
        Description: `sluice job ${job.name}: starts the compaction of ${job.output.database}.${job.output.name} (${options.schedule})`,
        ScheduleExpression: options.schedule,
        State: 'ENABLED',
        Targets: [{ Id: 'compaction', Arn: stateMachine, RoleArn: getAtt(CompactionLogicalId.ScheduleRole, 'Arn'), Input: '{}' }],
      },
    },
    [CompactionLogicalId.ScheduleRole]: serviceRole({
      service: 'events.amazonaws.com',
      policyName: `sluice-${job.name}-compaction-schedule`,
      statements: [{ Sid: 'StartCompaction', Effect: 'Allow', Action: ['states:StartExecution'], Resource: [stateMachine] }],
    }),
  };
}

/** A role only `service`, acting for this account, can assume, with one inline policy. */
function serviceRole(options: { readonly service: string; readonly policyName: string; readonly statements: readonly PolicyStatement[] }): CfnResource {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: options.service },
            Action: 'sts:AssumeRole',
            // A confused deputy in another account cannot have the service assume it.
            Condition: { StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') } },
          },
        ],
      },
      Policies: [{ PolicyName: options.policyName, PolicyDocument: { Version: '2012-10-17', Statement: options.statements } }],
    },
  };
}
