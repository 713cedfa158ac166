/**
 * Logical ids of the job stack's resources. The function's and its log group's follow the
 * Serverless Framework's naming for the function key `handler`, since the framework
 * declares those two.
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
  IteratorAgeAlarm: 'SluiceIteratorAgeAlarm',
  RejectsAlarm: 'SluiceRejectsAlarm',
  FailedBatchesAlarm: 'SluiceFailedBatchesAlarm',
  IotTopicRule: 'SluiceIotTopicRule',
  IotTopicRuleRole: 'SluiceIotTopicRuleRole',
} as const;

/** The key of the job's function under `functions:`; `LogicalId.Function` derives from it. */
export const FUNCTION_KEY = 'handler';
