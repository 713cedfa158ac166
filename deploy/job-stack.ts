import type { Job } from '../src/job/define-job.ts';
import { tableRootKey } from '../src/partition/object-keys.ts';
import { HandlerEnvironment } from '../src/runtime/lambda/handler-environment.ts';
import { aggregateViewQuery } from './aggregate-view-query.ts';
import { alarmResources } from './alarms.ts';
import { bucketResources } from './bucket-resources.ts';
import { compactionFunction, compactionRoleResource } from './compaction-function.ts';
import { compactionOrchestrationResources } from './compaction-state-machine.ts';
import { dashboardResource, dashboardUrl } from './dashboard.ts';
import { BUNDLE_HANDLER, bundleOptions } from './bundle-options.ts';
import { getAtt, join, ref, type CfnResources, type CfnValue } from './cloudformation.ts';
import { eventSourceMappingResource } from './event-source-mapping.ts';
import { failureQueueResource } from './failure-queue.ts';
import { functionRoleResource } from './function-role.ts';
import { functionSizing } from './function-sizing.ts';
import { glueDatabaseResource } from './glue-database-resource.ts';
import { glueTableResource, rejectsTableResource } from './glue-table-resource.ts';
import { iotErrorsRootKey, iotRuleName, iotTopicRuleResources } from './iot-topic-rule.ts';
import { COMPACTION_FUNCTION_KEY, FUNCTION_KEY, LogicalId } from './logical-ids.ts';
import type { StackParams } from './stack-params.ts';
import { streamResources } from './stream-resources.ts';

/**
 * Options of {@link jobStack}.
 *
 * @example
 * ```ts
 * const options: JobStackOptions = { job, params, stage: 'dev', jobModule: resolve('jobs/sensor-readings.ts'), workFolder: '.esbuild/x' };
 * ```
 */
export interface JobStackOptions {
  readonly job: Job;
  readonly params: StackParams;
  /** Serverless's stage: with the job, it names what must be unique in the account and region (the IoT rule). */
  readonly stage: string;
  /** Absolute path of the job's module, bundled into the function. */
  readonly jobModule: string;
  /** serverless-esbuild's scratch folder for this run. */
  readonly workFolder: string;
}

/**
 * The parts of serverless.yml that depend on the job, as serverless.yml references them.
 *
 * @example
 * ```ts
 * const { service, functions, resources, esbuild } = jobStack(options);
 * ```
 */
export interface JobStack {
  /** `sluice-<job>`: with the stage, it names the CloudFormation stack. */
  readonly service: string;
  readonly stackTags: Readonly<Record<string, string>>;
  readonly functions: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly resources: { readonly Resources: CfnResources; readonly Outputs: Readonly<Record<string, { readonly Value: CfnValue; readonly Description: string }>> };
  /** serverless-esbuild's options (`custom.esbuild`). */
  readonly esbuild: Readonly<Record<string, unknown>>;
}

/**
 * Whether the job's table is compacted, and so gets the compaction function and its role.
 * Not with partition projection, which compaction refuses (src/compaction/compact-table.ts):
 * Athena computes each partition's location from a template, so there is no location to
 * swap to compacted files, and a scheduled function would only fail every run.
 */
const isCompacted = (job: Job): boolean => job.output.projection === undefined;

/**
 * One job's stack: the function (bundled with the job, role of its own), its Kinesis event
 * source mapping with the failure queue, compaction unless the table uses partition
 * projection (a function with a bundle of its own in the same zip and a role of its own, run
 * step by step by a state machine an EventBridge schedule starts), the stream (existing or created), the bucket, the Glue database and table, alarms,
 * a dashboard, and optionally an IoT rule feeding the stream. Pure: the same job and params
 * give the same stack.
 *
 * @example
 * ```ts
 * const stack = jobStack({ job, params: parseStackParams(['job=sensor-readings'], { availableJobs, region: 'us-east-1' }), stage: 'dev', jobModule, workFolder });
 * stack.resources.Resources.SluiceTable.Type; // 'AWS::Glue::Table'
 * ```
 */
export function jobStack(options: JobStackOptions): JobStack {
  const { job, params } = options;
  const stream = streamResources({ stream: params.stream ?? job.source.stream, create: params.createStream, shards: params.shards });
  const bucket = ref(LogicalId.Bucket);
  const bucketArn = getAtt(LogicalId.Bucket, 'Arn');
  const queueArn = getAtt(LogicalId.FailureQueue, 'Arn');
  const table = glueTableResource(job, { bucket });
  const rejectsTable = rejectsTableResource(job, { bucket });
  const compacted = isCompacted(job);
  const compaction = {
    bucket,
    bucketArn,
    schedule: params.compactionSchedule,
    ...(params.kmsKey === undefined ? {} : { kmsKey: params.kmsKey }),
  };

  const viewQuery = aggregateViewQuery(job);
  const resources: CfnResources = {
    ...stream.resources,
    ...bucketResources({
      prefix: job.output.prefix,
      encryption: params.encryption,
      rejectsExpireDays: params.rejectsExpireDays,
      ...(params.bucket === undefined ? {} : { name: params.bucket }),
      ...(params.kmsKey === undefined ? {} : { kmsKey: params.kmsKey }),
    }),
    ...(params.createDatabase ? { [LogicalId.Database]: glueDatabaseResource({ name: job.output.database }) } : {}),
    [LogicalId.Table]: params.createDatabase ? { ...table, DependsOn: [LogicalId.Database] } : table,
    [LogicalId.RejectsTable]: params.createDatabase ? { ...rejectsTable, DependsOn: [LogicalId.Database] } : rejectsTable,
    [LogicalId.FailureQueue]: failureQueueResource(),
    [LogicalId.FunctionRole]: functionRoleResource(job, {
      streamArn: stream.arn,
      bucketArn,
      queueArn,
      logGroupArn: getAtt(LogicalId.FunctionLogGroup, 'Arn'),
      ...(params.kmsKey === undefined ? {} : { kmsKey: params.kmsKey }),
    }),
    ...(compacted ? { [LogicalId.CompactionRole]: compactionRoleResource(job, { ...compaction, logGroupArn: getAtt(LogicalId.CompactionLogGroup, 'Arn') }) } : {}),
    ...(compacted ? compactionOrchestrationResources(job, { functionLogicalId: LogicalId.CompactionFunction, schedule: params.compactionSchedule }) : {}),
    [LogicalId.EventSourceMapping]: eventSourceMappingResource(job, {
      streamArn: stream.arn,
      functionArn: getAtt(LogicalId.Function, 'Arn'),
      failureDestinationArn: queueArn,
      dependsOn: [LogicalId.FunctionRole],
    }),
    ...alarmResources(job, {
      iteratorAgeSeconds: params.iteratorAgeAlarmSeconds,
      freshnessSeconds: params.freshnessAlarmSeconds,
      rejectsThreshold: params.rejectsAlarmThreshold,
      ...(params.alarmTopic === undefined ? {} : { alarmTopic: params.alarmTopic }),
    }),
    [LogicalId.Dashboard]: dashboardResource(job, { iteratorAgeSeconds: params.iteratorAgeAlarmSeconds, freshnessSeconds: params.freshnessAlarmSeconds, compacted }),
    ...(params.iotTopic === undefined
      ? {}
      : iotTopicRuleResources({
          topic: params.iotTopic,
          ruleName: iotRuleName({ job: job.name, stage: options.stage }),
          streamName: stream.name,
          streamArn: stream.arn,
          bucket,
          bucketArn,
          errorsRootKey: iotErrorsRootKey({ prefix: job.output.prefix }),
          ...(params.kmsKey === undefined ? {} : { kmsKey: params.kmsKey }),
        })),
    ...(viewQuery === undefined ? {} : { [LogicalId.AggregateViewQuery]: viewQuery.resource }),
  };

  return {
    service: `sluice-${job.name}`,
    stackTags: { 'sluice:job': job.name },
    functions: {
      [FUNCTION_KEY]: {
        handler: BUNDLE_HANDLER,
        description: `sluice job ${job.name}: Kinesis -> ${job.output.database}.${job.output.name}`,
        role: LogicalId.FunctionRole,
        ...functionSizing(),
        environment: { [HandlerEnvironment.Bucket]: bucket, [HandlerEnvironment.Job]: job.name },
      },
      ...(compacted ? { [COMPACTION_FUNCTION_KEY]: compactionFunction(job, compaction) } : {}),
    },
    resources: {
      Resources: resources,
      Outputs: {
        BucketName: { Value: bucket, Description: 'The bucket holding the table and its rejects' },
        TableLocation: { Value: join(['s3://', bucket, `/${tableRootKey({ prefix: job.output.prefix, table: job.output.name })}/`]), Description: 'Where the Parquet files go' },
        GlueTable: { Value: `${job.output.database}.${job.output.name}`, Description: 'The table to query in Athena' },
        ...(viewQuery === undefined
          ? {}
          : { AthenaView: { Value: viewQuery.view, Description: `The merged view to query; create it once with the saved query '${viewQuery.name}'` } }),
        StreamArn: { Value: stream.arn, Description: 'The stream the job reads' },
        FailureQueueUrl: { Value: ref(LogicalId.FailureQueue), Description: 'Batches the job gave up on, to redrive' },
        DashboardUrl: { Value: dashboardUrl(), Description: "The job's CloudWatch dashboard" },
      },
    },
    esbuild: bundleOptions({ jobModule: options.jobModule, workFolder: options.workFolder }),
  };
}
