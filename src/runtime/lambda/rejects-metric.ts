import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { BatchReport } from '../batch-processor.ts';

/**
 * The `Rejects` metric a deployed handler emits per committed batch, in CloudWatch Embedded
 * Metric Format (a JSON log line CloudWatch turns into a metric: no PutMetricData call, no
 * extra permission). The job's stack alarms on exactly this namespace, name and dimension,
 * so both sides read them from here.
 *
 * @example
 * ```ts
 * { Namespace: RejectsMetric.namespace, MetricName: RejectsMetric.name,
 *   Dimensions: [{ Name: RejectsMetric.dimension, Value: job.name }] }
 * ```
 */
export const RejectsMetric = {
  namespace: 'sluice',
  name: 'Rejects',
  /** Powertools' default dimension, valued with the `serviceName` given to `Metrics`: the job's name. */
  dimension: 'service',
} as const;

/**
 * Options of {@link createRejectsPublisher}.
 *
 * @example
 * ```ts
 * const options: RejectsPublisherOptions = { job: 'sensor-readings' };
 * ```
 */
export interface RejectsPublisherOptions {
  /** The job's name: the metric's `service` dimension. */
  readonly job: string;
}

/**
 * A batch listener that publishes the batch's reject count. It publishes zero too: an alarm
 * on the sum then sees data points while the job is healthy, not "missing data".
 *
 * @example
 * ```ts
 * export const handler = createKinesisHandler(job, { onBatch: createRejectsPublisher({ job: job.name }) });
 * ```
 */
export function createRejectsPublisher(options: RejectsPublisherOptions): (report: BatchReport) => void {
  const metrics = new Metrics({ namespace: RejectsMetric.namespace, serviceName: options.job });
  return (report) => {
    metrics.addMetric(RejectsMetric.name, MetricUnit.Count, report.rejects);
    metrics.publishStoredMetrics();
  };
}
