import type { Job } from '../src/job/define-job.ts';
import { BatchMetric, JobDimension, MetricNamespace } from '../src/observability/metric-names.ts';
import { getAtt, type CfnResources, type CfnValue } from './cloudformation.ts';
import { LogicalId } from './logical-ids.ts';

/**
 * Options of {@link alarmResources}.
 *
 * @example
 * ```ts
 * const options: AlarmOptions = { streamName: 'iot-sensor', iteratorAgeSeconds: 300, rejectsThreshold: 0 };
 * ```
 */
export interface AlarmOptions {
  readonly streamName: CfnValue;
  /** Fires when the oldest unread record is older than this. */
  readonly iteratorAgeSeconds: number;
  /** Fires when more rejects than this arrive within one period. */
  readonly rejectsThreshold: number;
  /** SNS topic ARN to notify; no actions when absent. */
  readonly alarmTopic?: string;
}

/** Five minutes: long enough that one slow batch does not page anybody. */
const PERIOD_SECONDS = 300;

/**
 * The job's alarms:
 * - iterator age: the stream's `GetRecords.IteratorAgeMilliseconds` (maximum) above the
 *   threshold, so the job is falling behind (and records near the retention limit may be lost);
 * - rejects: the handler's `Rejects` metric (Embedded Metric Format, see src/runtime/lambda/emf-metrics.ts)
 *   summed above the threshold, so the producers send records the job cannot use;
 * - failed batches: a message on the failure queue, so a batch ran out of attempts or age and
 *   its records are not in the table until it is redriven.
 *
 * @example
 * ```ts
 * Object.keys(alarmResources(job, options)); // ['SluiceIteratorAgeAlarm', 'SluiceRejectsAlarm', 'SluiceFailedBatchesAlarm']
 * ```
 */
export function alarmResources(job: Job, options: AlarmOptions): CfnResources {
  const actions = options.alarmTopic === undefined ? {} : { AlarmActions: [options.alarmTopic], OKActions: [options.alarmTopic] };
  const common = { Period: PERIOD_SECONDS, EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanThreshold', ...actions };
  return {
    [LogicalId.IteratorAgeAlarm]: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmDescription: `sluice job '${job.name}' is falling behind its stream: the oldest unread record is older than ${options.iteratorAgeSeconds} s`,
        Namespace: 'AWS/Kinesis',
        MetricName: 'GetRecords.IteratorAgeMilliseconds',
        Dimensions: [{ Name: 'StreamName', Value: options.streamName }],
        Statistic: 'Maximum',
        Threshold: options.iteratorAgeSeconds * 1000,
        // No data means nobody reads the stream at all: as alarming as a growing age.
        TreatMissingData: 'breaching',
        ...common,
      },
    },
    [LogicalId.RejectsAlarm]: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmDescription: `sluice job '${job.name}' rejected more than ${options.rejectsThreshold} records in ${PERIOD_SECONDS / 60} minutes; read <prefix>/_rejects/${job.output.name}/ for the reasons`,
        Namespace: MetricNamespace,
        MetricName: BatchMetric.Rejects,
        Dimensions: [{ Name: JobDimension, Value: job.name }],
        Statistic: 'Sum',
        Threshold: options.rejectsThreshold,
        TreatMissingData: 'notBreaching',
        ...common,
      },
    },
    [LogicalId.FailedBatchesAlarm]: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmDescription: `sluice job '${job.name}' gave up on a batch: redrive the range on the failure queue before the stream's retention ends`,
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: getAtt(LogicalId.FailureQueue, 'QueueName') }],
        Statistic: 'Maximum',
        Threshold: 0,
        TreatMissingData: 'notBreaching',
        ...common,
      },
    },
  };
}
