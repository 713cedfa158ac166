import type { BatchMetrics } from '../../observability/batch-metrics.ts';
import { REJECT_STAGES } from '../../observability/metric-names.ts';
import type { RejectStage } from '../../decode/decode.ts';

/**
 * A job's committed batches as time series for the dashboard's charts, bucketed by commit
 * time: per shard, records per second and data freshness (the lag between a record arriving
 * on the stream and its batch committing); per reject stage, rejects. Every number is read off
 * the batches' own reports (DESIGN.md §9), only summed per bucket.
 *
 * @example
 * ```ts
 * const series: BatchSeries = { bucketMs: 1000, times: [1764750000], shards: [{ shardId: 'shardId-000000000000',
 *   recordsPerSecond: [250], freshnessSeconds: [1.2] }], rejects: [{ stage: 'json', counts: [3] }] };
 * ```
 */
export interface BatchSeries {
  readonly bucketMs: number;
  /** Start of each bucket, epoch seconds (uPlot's time scale). */
  readonly times: number[];
  readonly shards: ShardSeries[];
  /** Stages that rejected anything, in {@link REJECT_STAGES} order. */
  readonly rejects: Array<{ readonly stage: RejectStage; readonly counts: number[] }>;
}

/**
 * One shard's series, aligned with {@link BatchSeries.times}.
 *
 * @example
 * ```ts
 * const shard: ShardSeries = { shardId: 'shardId-000000000001', recordsPerSecond: [0, 480], freshnessSeconds: [null, 0.9] };
 * ```
 */
export interface ShardSeries {
  readonly shardId: string;
  /** Records of the batches committed in the bucket, per second of the bucket. */
  readonly recordsPerSecond: number[];
  /** The largest data freshness of the bucket's batches, seconds; null when none committed. */
  readonly freshnessSeconds: Array<number | null>;
}

/** Bucket sizes to choose from: round numbers a reader recognises on an axis. */
const BUCKET_LADDER_MS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21_600, 43_200, 86_400].map((s) => s * 1000);

/** How long after the last commit the charts still end at now. */
const FOLLOW_NOW_MS = 10 * 60_000;

/**
 * Buckets a job's batches (as `LocalMetricsLog.batches(job)` returns them) into at most
 * `maxPoints` buckets of a round size, from the first commit to `now` (or to the last commit
 * when that is more than ten minutes ago), so the chart's right edge moves on while a live
 * run commits nothing.
 *
 * @example
 * ```ts
 * const series = batchSeries(await env.metricsLog.batches('sensor-readings'), { maxPoints: 120, now: Date.now() });
 * series.shards.map((s) => s.shardId); // ['shardId-000000000000', 'shardId-000000000001']
 * ```
 */
export function batchSeries(batches: readonly BatchMetrics[], options: { readonly maxPoints: number; readonly now: number }): BatchSeries {
  if (batches.length === 0) return { bucketMs: BUCKET_LADDER_MS[0]!, times: [], shards: [], rejects: [] };
  // A loop, not Math.min(...all): a long run's batches would overflow the argument list.
  let first = Infinity;
  let last = -Infinity;
  for (const b of batches) {
    first = Math.min(first, b.committedAt);
    last = Math.max(last, b.committedAt);
  }
  // While a run is live the right edge is now, so a pause shows as zeros; an old run's chart ends at its last commit.
  if (options.now - last <= FOLLOW_NOW_MS) last = Math.max(last, options.now);
  const bucketMs = BUCKET_LADDER_MS.find((size) => (last - first) / size < options.maxPoints) ?? BUCKET_LADDER_MS.at(-1)!;
  const start = Math.floor(first / bucketMs) * bucketMs;
  const count = Math.floor((last - start) / bucketMs) + 1;
  const times = Array.from({ length: count }, (_, i) => (start + i * bucketMs) / 1000);
  const bucketOf = (at: number): number => Math.floor((at - start) / bucketMs);

  const shards = new Map<string, { records: number[]; freshness: Array<number | null> }>();
  const rejects = new Map<RejectStage, number[]>();
  for (const batch of batches) {
    const bucket = bucketOf(batch.committedAt);
    let shard = shards.get(batch.shardId);
    if (!shard) shards.set(batch.shardId, (shard = { records: new Array<number>(count).fill(0), freshness: new Array<number | null>(count).fill(null) }));
    shard.records[bucket]! += batch.records;
    shard.freshness[bucket] = Math.max(shard.freshness[bucket] ?? 0, batch.dataFreshnessMs / 1000);
    for (const [stage, n] of Object.entries(batch.rejectsByStage) as Array<[RejectStage, number]>) {
      let counts = rejects.get(stage);
      if (!counts) rejects.set(stage, (counts = new Array<number>(count).fill(0)));
      counts[bucket]! += n;
    }
  }
  return {
    bucketMs,
    times,
    shards: [...shards.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([shardId, s]) => ({ shardId, recordsPerSecond: s.records.map((n) => n / (bucketMs / 1000)), freshnessSeconds: s.freshness })),
    rejects: REJECT_STAGES.filter((stage) => rejects.has(stage)).map((stage) => ({ stage, counts: rejects.get(stage)! })),
  };
}
