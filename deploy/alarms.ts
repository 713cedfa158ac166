import type { Job } from '../src/job/define-job.ts';
import { BatchMetric, JobDimension, MetricNamespace } from '../src/observability/metric-names.ts';
import { getAtt, ref, type CfnResources } from './cloudformation.ts';
import { LogicalId } from './logical-ids.ts';

/**
 * Options of {@link alarmResources}.
 *
 * @example
 * ```ts
 * const options: AlarmOptions = { iteratorAgeSeconds: 300, freshnessSeconds: 900, rejectsThreshold: 0 };
 * ```
 */
export interface AlarmOptions {
  /** Fires when the function finishes a batch whose last record is older than this. */
  readonly iteratorAgeSeconds: number;
  /** Fires when a batch commits records that arrived on the stream longer ago than this. */
  readonly freshnessSeconds: number;
  /** Fires when more rejects than this arrive within one period. */
  readonly rejectsThreshold: number;
  /** SNS topic ARN to notify; no actions when absent. */
  readonly alarmTopic?: string;
}

/** Five minutes: long enough that one slow batch does not page anybody. */
const PERIOD_SECONDS = 300;

/**
 * The job's alarms:
 * - iterator age: Lambda's `IteratorAge` of the job's function (maximum) above the threshold,
 *   so the job is falling behind (and records near the retention limit may be lost). Per
 *   function, not the stream's `GetRecords.IteratorAgeMilliseconds`: two jobs reading one
 *   stream are told apart;
 * - data freshness: the handler's `DataFreshness` (maximum) above the threshold, so the table
 *   lags the stream by more than that, wherever the time goes (the stream, retries, slow writes);
 * - rejects: the handler's `Rejects` metric (Embedded Metric Format, see src/runtime/lambda/emf-metrics.ts)
 *   summed above the threshold, so the producers send records the job cannot use;
 * - failed batches: a message on the failure queue, so a batch ran out of attempts or age and
 *   its records are not in the table until it is redriven.
 *
 * @example
 * ```ts
 * Object.keys(alarmResources(job, options));
 * // ['SluiceIteratorAgeAlarm', 'SluiceDataFreshnessAlarm', 'SluiceRejectsAlarm', 'SluiceFailedBatchesAlarm']
 * ```
 */
export function alarmResources(job: Job, options: AlarmOptions): CfnResources {
  const actions = options.alarmTopic === undefined ? {} : { AlarmActions: [options.alarmTopic], OKActions: [options.alarmTopic] };
  const common = { Period: PERIOD_SECONDS, EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanThreshold', ...actions };
  return {
    [LogicalId.IteratorAgeAlarm]: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmDescription: `sluice job '${job.name}' is falling behind its stream: it is processing records older than ${options.iteratorAgeSeconds} s`,
        Namespace: 'AWS/Lambda',
        MetricName: 'IteratorAge',
        Dimensions: [{ Name: 'FunctionName', Value: ref(LogicalId.Function) }],
        Statistic: 'Maximum',
        Threshold: options.iteratorAgeSeconds * 1000,
        // Lambda emits IteratorAge only when the function finishes a batch: an idle stream has
        // no data points, and a failing batch still has them (every retry is an invocation).
        TreatMissingData: 'notBreaching',
        ...common,
      },
    },
    [LogicalId.DataFreshnessAlarm]: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmDescription: `sluice job '${job.name}' committed records that arrived more than ${options.freshnessSeconds} s earlier: the table lags the stream`,
        Namespace: MetricNamespace,
        MetricName: BatchMetric.DataFreshness,
        Dimensions: [{ Name: JobDimension, Value: job.name }],
        Statistic: 'Maximum',
        Threshold: options.freshnessSeconds * 1000,
        // Emitted only by committed batches: no data is an idle stream (nothing is stale), or a
        // job that commits nothing, which the iterator age and failed batches alarms report.
        TreatMissingData: 'notBreaching',
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
