import type { RejectStage } from '../decode/decode.ts';
import { BatchMetric, MetricUnit } from './metric-names.ts';

/**
 * The numbers of one committed batch: the one report every view of a pipeline is made from
 * (EMF metrics in Lambda, the local metrics log, `sluice run`'s summary, `sluice status`, the
 * dashboard). Computed once, by the commit protocol (`runtime/batch-processor.ts`), after the
 * batch's files are written and its partitions registered. Plain JSON: the local metrics log
 * stores it as it is.
 *
 * @example
 * ```ts
 * const metrics: BatchMetrics = report.metrics;
 * metrics.rejectsByStage.json; // 3
 * ```
 */
export interface BatchMetrics {
  readonly job: string;
  readonly shardId: string;
  /** Record ids (`<sequence number>[-<sub-sequence>]`) of the batch's first and last record. */
  readonly first: string;
  readonly last: string;
  /** Kinesis records in the batch. */
  readonly kinesisRecords: number;
  /** User records: KPL aggregates counted as the records they carry. */
  readonly records: number;
  readonly rows: number;
  readonly rejects: number;
  /** Rejects by stage; stages without rejects are absent. */
  readonly rejectsByStage: Readonly<Partial<Record<RejectStage, number>>>;
  /** Parquet files written. */
  readonly files: number;
  /** Reject files written. */
  readonly rejectFiles: number;
  /** Bytes written, Parquet and rejects. */
  readonly bytes: number;
  /** Partitions this batch registered in the catalog. */
  readonly partitionsRegistered: number;
  /** Epoch ms the batch started and committed (files written, partitions registered). */
  readonly startedAt: number;
  readonly committedAt: number;
  readonly durationMs: number;
  /** Epoch ms the oldest and the newest record of the batch arrived on the stream. */
  readonly oldestArrivalMs: number;
  readonly newestArrivalMs: number;
  /** committedAt - oldestArrivalMs. */
  readonly dataFreshnessMs: number;
  /** committedAt - the newest event time written; null when the job is not partitioned by event time, or wrote no rows. */
  readonly eventTimeLagMs: number | null;
}

/** How one metric is read off a batch's numbers; null: not emitted for this batch. */
interface MetricReading {
  readonly unit: MetricUnit;
  readonly value: (metrics: BatchMetrics) => number | null;
}

/**
 * Each batch metric's unit and value: the one table the EMF publisher emits from and the
 * tests check against.
 *
 * @example
 * ```ts
 * for (const [name, reading] of Object.entries(BATCH_METRIC_READINGS)) emit(name, reading.unit, reading.value(metrics));
 * ```
 */
export const BATCH_METRIC_READINGS: Readonly<Record<BatchMetric, MetricReading>> = {
  [BatchMetric.KinesisRecords]: { unit: MetricUnit.Count, value: (m) => m.kinesisRecords },
  [BatchMetric.Records]: { unit: MetricUnit.Count, value: (m) => m.records },
  [BatchMetric.Rows]: { unit: MetricUnit.Count, value: (m) => m.rows },
  [BatchMetric.Rejects]: { unit: MetricUnit.Count, value: (m) => m.rejects },
  [BatchMetric.FilesWritten]: { unit: MetricUnit.Count, value: (m) => m.files },
  [BatchMetric.BytesWritten]: { unit: MetricUnit.Bytes, value: (m) => m.bytes },
  [BatchMetric.PartitionsRegistered]: { unit: MetricUnit.Count, value: (m) => m.partitionsRegistered },
  [BatchMetric.BatchDuration]: { unit: MetricUnit.Milliseconds, value: (m) => m.durationMs },
  [BatchMetric.DataFreshness]: { unit: MetricUnit.Milliseconds, value: (m) => m.dataFreshnessMs },
  [BatchMetric.EventTimeLag]: { unit: MetricUnit.Milliseconds, value: (m) => m.eventTimeLagMs },
};

/** Rejects counted by stage, in first-seen order. */
export function countByStage(stages: Iterable<RejectStage>): Partial<Record<RejectStage, number>> {
  const counts: Partial<Record<RejectStage, number>> = {};
  for (const stage of stages) counts[stage] = (counts[stage] ?? 0) + 1;
  return counts;
}
