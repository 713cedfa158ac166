/**
 * Logical ids of the job stack's resources. The functions' and their log groups' (and the
 * compaction schedule's) follow the Serverless Framework's naming for the function keys
 * `handler` and `compact`, since the framework declares those.
 *
 * @example
 * ```ts
 * template.Resources[LogicalId.Table].Properties.TableInput.Name; // 'sensor_readings'
 * ```
 */
export const LogicalId = {
  Function: 'HandlerLambdaFunction',
  FunctionLogGroup: 'HandlerLogGroup',
  FunctionRole: 'SluiceFunctionRole',
  EventSourceMapping: 'SluiceEventSourceMapping',
  FailureQueue: 'SluiceFailureQueue',
  Stream: 'SluiceStream',
  Bucket: 'SluiceBucket',
  BucketPolicy: 'SluiceBucketPolicy',
  Database: 'SluiceDatabase',
  Table: 'SluiceTable',
  RejectsTable: 'SluiceRejectsTable',
  IteratorAgeAlarm: 'SluiceIteratorAgeAlarm',
  RejectsAlarm: 'SluiceRejectsAlarm',
  FailedBatchesAlarm: 'SluiceFailedBatchesAlarm',
  DataFreshnessAlarm: 'SluiceDataFreshnessAlarm',
  /** The job's CloudWatch dashboard (deploy/dashboard.ts). */
  Dashboard: 'SluiceDashboard',
  IotTopicRule: 'SluiceIotTopicRule',
  IotTopicRuleRole: 'SluiceIotTopicRuleRole',
  /** An aggregate job's saved Athena query creating its merged view. */
  AggregateViewQuery: 'SluiceAggregateViewQuery',
  CompactionFunction: 'CompactLambdaFunction',
  CompactionLogGroup: 'CompactLogGroup',
  CompactionRole: 'SluiceCompactionRole',
  /** The EventBridge rule the framework declares for the compaction function's schedule. */
  CompactionSchedule: 'CompactEventsRuleSchedule1',
} as const;

/** The key of the job's function under `functions:`; `LogicalId.Function` derives from it. */
export const FUNCTION_KEY = 'handler';

/** The key of the compaction function under `functions:`; `LogicalId.CompactionFunction` and its log group and schedule derive from it. */
export const COMPACTION_FUNCTION_KEY = 'compact';
