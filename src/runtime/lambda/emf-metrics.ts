import { Metrics } from '@aws-lambda-powertools/metrics';
import { BATCH_METRIC_READINGS } from '../../observability/batch-metrics.ts';
import { COMPACTION_METRIC_READINGS, type CompactionMetrics } from '../../observability/compaction-metrics.ts';
import { BatchMetric, MetricNamespace, MetricUnit, StageDimension } from '../../observability/metric-names.ts';
import type { BatchReport } from '../batch-processor.ts';

/**
 * Options of the EMF publishers.
 *
 * @example
 * ```ts
 * const options: MetricsPublisherOptions = { job: 'sensor-readings' };
 * ```
 */
export interface MetricsPublisherOptions {
  /** The job's name: every metric's `service` dimension. */
  readonly job: string;
}

/** Powertools' unit type: its values are CloudWatch's spellings, which `MetricUnit` uses too. */
type PowertoolsUnit = Parameters<Metrics['addMetric']>[1];

const metricsOf = (job: string) => new Metrics({ namespace: MetricNamespace, serviceName: job });

/**
 * A batch listener that publishes every batch metric (`BATCH_METRIC_READINGS`) in CloudWatch
 * Embedded Metric Format: JSON log lines CloudWatch turns into metrics, so no PutMetricData
 * call and no extra permission. Zeros are published too, so an alarm on a sum sees data points
 * while the job is healthy, not "missing data". Rejects by stage follow, one line per stage that
 * had rejects, with the `stage` dimension.
 *
 * @example
 * ```ts
 * export const handler = createKinesisHandler(job, { onBatch: createBatchMetricsPublisher({ job: job.name }) });
 * ```
 */
export function createBatchMetricsPublisher(options: MetricsPublisherOptions): (report: BatchReport) => void {
  const metrics = metricsOf(options.job);
  return ({ metrics: batch }) => {
    for (const [name, reading] of Object.entries(BATCH_METRIC_READINGS)) {
      const value = reading.value(batch);
      if (value !== null) metrics.addMetric(name, reading.unit as PowertoolsUnit, value);
    }
    metrics.publishStoredMetrics();
    for (const [stage, count] of Object.entries(batch.rejectsByStage)) {
      const single = metrics.singleMetric();
      single.addDimension(StageDimension, stage);
      single.addMetric(BatchMetric.Rejects, MetricUnit.Count as PowertoolsUnit, count);
    }
  };
}

/**
 * Publishes one compaction run's metrics (`COMPACTION_METRIC_READINGS`) in Embedded Metric Format.
 *
 * @example
 * ```ts
 * const publish = createCompactionMetricsPublisher({ job: job.name });
 * publish(compactionMetrics(report, { job: job.name, at: Date.now() }));
 * ```
 */
export function createCompactionMetricsPublisher(options: MetricsPublisherOptions): (run: CompactionMetrics) => void {
  const metrics = metricsOf(options.job);
  return (run) => {
    for (const [name, reading] of Object.entries(COMPACTION_METRIC_READINGS)) metrics.addMetric(name, reading.unit as PowertoolsUnit, reading.value(run));
    metrics.publishStoredMetrics();
  };
}
