import { RejectStage } from '../decode/decode.ts';

/**
 * The CloudWatch names of sluice's metrics: what the deployed handlers emit (Embedded Metric
 * Format, see `runtime/lambda/batch-metrics-publisher.ts`) and what the job's stack charts
 * and alarms on (`deploy/dashboard.ts`, `deploy/alarms.ts`). Both sides read them from here,
 * so a dashboard can never name a metric no function emits.
 *
 * @example
 * ```ts
 * { Namespace: MetricNamespace, MetricName: BatchMetric.Rows, Dimensions: [{ Name: JobDimension, Value: job.name }] }
 * ```
 */
export const MetricNamespace = 'sluice';

/**
 * Every metric carries this dimension, valued with the job's name. It is Powertools Metrics'
 * default dimension, filled from the `serviceName` the publishers give it.
 */
export const JobDimension = 'service';

/** The reject metrics by stage carry this second dimension, valued with a {@link RejectStage}. */
export const StageDimension = 'stage';

/** Metric units, as CloudWatch spells them. */
export const MetricUnit = {
  Count: 'Count',
  Bytes: 'Bytes',
  Milliseconds: 'Milliseconds',
} as const;
export type MetricUnit = (typeof MetricUnit)[keyof typeof MetricUnit];

/**
 * One metric per committed batch (README "Watching a pipeline" says what a healthy value is).
 *
 * @example
 * ```ts
 * BatchMetric.DataFreshness; // 'DataFreshness'
 * ```
 */
export const BatchMetric = {
  /** Kinesis records in the batch, as the stream holds them. */
  KinesisRecords: 'KinesisRecords',
  /** User records: a KPL aggregate counts as the records it carries. */
  Records: 'Records',
  Rows: 'Rows',
  /** All rejects of the batch; by stage under the same name with the `stage` dimension. */
  Rejects: 'Rejects',
  FilesWritten: 'FilesWritten',
  BytesWritten: 'BytesWritten',
  PartitionsRegistered: 'PartitionsRegistered',
  BatchDuration: 'BatchDuration',
  /** Commit time minus the oldest arrival time in the batch: how old the freshest data in the table can be. */
  DataFreshness: 'DataFreshness',
  /** Commit time minus the newest event time written (jobs partitioned by event time). */
  EventTimeLag: 'EventTimeLag',
} as const;
export type BatchMetric = (typeof BatchMetric)[keyof typeof BatchMetric];

/**
 * One metric set per compaction run.
 *
 * @example
 * ```ts
 * CompactionMetric.PartitionsFailed; // 'CompactionPartitionsFailed'
 * ```
 */
export const CompactionMetric = {
  PartitionsCompacted: 'CompactionPartitionsCompacted',
  PartitionsFailed: 'CompactionPartitionsFailed',
  FilesIn: 'CompactionFilesIn',
  FilesOut: 'CompactionFilesOut',
  BytesIn: 'CompactionBytesIn',
  BytesOut: 'CompactionBytesOut',
} as const;
export type CompactionMetric = (typeof CompactionMetric)[keyof typeof CompactionMetric];

/** The stages a reject can be counted under: every value of {@link RejectStage}. */
export const REJECT_STAGES: readonly RejectStage[] = Object.values(RejectStage);
