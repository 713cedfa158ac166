import { describe, expect, it } from 'vitest';
import { batchSeries } from '../../../src/cli/dashboard/batch-series.ts';
import type { BatchMetrics } from '../../../src/observability/batch-metrics.ts';

const T0 = Date.UTC(2026, 10, 20, 10, 0, 0);

function batch(shardId: string, committedAt: number, records: number, extra: Partial<BatchMetrics> = {}): BatchMetrics {
  return {
    job: 'j', shardId, first: String(committedAt), last: String(committedAt), kinesisRecords: records, records, rows: records, rejects: 0,
    rejectsByStage: {}, files: 1, rejectFiles: 0, bytes: 100, partitionsRegistered: 0, startedAt: committedAt - 10, committedAt,
    durationMs: 10, oldestArrivalMs: committedAt - 500, newestArrivalMs: committedAt - 100, dataFreshnessMs: 500, eventTimeLagMs: null, ...extra,
  };
}

describe('batchSeries', () => {
  it('sums records per shard and bucket as a rate, and rejects per stage, aligned on one time axis', () => {
    const series = batchSeries(
      [
        batch('shard-b', T0 + 100, 30),
        batch('shard-a', T0 + 200, 10, { rejectsByStage: { json: 2 }, dataFreshnessMs: 1500 }),
        batch('shard-a', T0 + 900, 20, { dataFreshnessMs: 700 }),
        batch('shard-a', T0 + 2100, 5, { rejectsByStage: { json: 1, utf8: 4 } }),
      ],
      { maxPoints: 120, now: T0 + 2500 },
    );
    expect(series.bucketMs).toBe(1000);
    expect(series.times).toEqual([T0 / 1000, T0 / 1000 + 1, T0 / 1000 + 2]);
    expect(series.shards).toEqual([
      { shardId: 'shard-a', recordsPerSecond: [30, 0, 5], freshnessSeconds: [1.5, null, 0.5] },
      { shardId: 'shard-b', recordsPerSecond: [30, 0, 0], freshnessSeconds: [0.5, null, null] },
    ]);
    expect(series.rejects).toEqual([
      { stage: 'utf8', counts: [0, 0, 4] },
      { stage: 'json', counts: [2, 0, 1] },
    ]);
  });

  it('widens buckets to a round size so a long run stays within maxPoints, and stops following now after a while', () => {
    const series = batchSeries([batch('s', T0, 600), batch('s', T0 + 3_600_000, 600)], { maxPoints: 100, now: T0 + 86_400_000 });
    expect(series.bucketMs).toBe(60_000);
    expect(series.times.length).toBe(61);
    expect(series.shards[0]!.recordsPerSecond[0]).toBe(10);
  });

  it('is empty without batches', () => {
    expect(batchSeries([], { maxPoints: 10, now: T0 })).toMatchObject({ times: [], shards: [], rejects: [] });
  });
});
