import type { CompactionReport } from '../compaction/compaction-report.ts';
import { CompactionMetric, MetricUnit } from './metric-names.ts';

/**
 * The numbers of one compaction run over a table, as the compaction function emits them
 * (EMF) and `sluice compact` keeps them in the local metrics log for `sluice status`.
 *
 * @example
 * ```ts
 * const run = compactionMetrics(report, { job: 'sensor-readings', at: Date.now() });
 * run.partitionsFailed; // 0
 * ```
 */
export interface CompactionMetrics {
  readonly job: string;
  readonly table: string;
  /** Epoch ms the run ended. */
  readonly at: number;
  readonly partitionsSeen: number;
  readonly partitionsCompacted: number;
  readonly partitionsFailed: number;
  readonly filesIn: number;
  readonly filesOut: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

/**
 * A compaction report's totals as metrics.
 *
 * @example
 * ```ts
 * metricsLog.appendCompaction(compactionMetrics(report, { job: job.name, at: Date.now() }));
 * ```
 */
export function compactionMetrics(report: CompactionReport, context: { readonly job: string; readonly at: number }): CompactionMetrics {
  return {
    job: context.job,
    table: report.table,
    at: context.at,
    partitionsSeen: report.partitions.seen,
    partitionsCompacted: report.partitions.compacted,
    partitionsFailed: report.partitions.failed,
    filesIn: report.files.before,
    filesOut: report.files.after,
    bytesIn: report.bytes.before,
    bytesOut: report.bytes.after,
  };
}

/**
 * Each compaction metric's unit and value.
 *
 * @example
 * ```ts
 * COMPACTION_METRIC_READINGS.CompactionFilesIn.value(run); // 27
 * ```
 */
export const COMPACTION_METRIC_READINGS: Readonly<Record<CompactionMetric, { readonly unit: MetricUnit; readonly value: (m: CompactionMetrics) => number }>> = {
  [CompactionMetric.PartitionsCompacted]: { unit: MetricUnit.Count, value: (m) => m.partitionsCompacted },
  [CompactionMetric.PartitionsFailed]: { unit: MetricUnit.Count, value: (m) => m.partitionsFailed },
  [CompactionMetric.FilesIn]: { unit: MetricUnit.Count, value: (m) => m.filesIn },
  [CompactionMetric.FilesOut]: { unit: MetricUnit.Count, value: (m) => m.filesOut },
  [CompactionMetric.BytesIn]: { unit: MetricUnit.Bytes, value: (m) => m.bytesIn },
  [CompactionMetric.BytesOut]: { unit: MetricUnit.Bytes, value: (m) => m.bytesOut },
};
