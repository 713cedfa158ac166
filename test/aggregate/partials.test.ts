import { describe, expect, it } from 'vitest';
import job from '../../jobs/sensor-hourly.ts';
import { mergePartialRows, toPartialRows } from '../../src/aggregate/partials.ts';

const aggregate = job.output.aggregate!;
const at = (iso: string) => new Date(iso);
const rows = [
  { device_id: 'a', event_time: at('2026-11-23T10:01:00Z'), temperature: 20, humidity: 40 },
  { device_id: 'a', event_time: at('2026-11-23T10:04:59Z'), temperature: 22, humidity: null },
  { device_id: 'b', event_time: at('2026-11-23T10:02:00Z'), temperature: 18, humidity: 50 },
  { device_id: 'a', event_time: at('2026-11-23T10:05:00Z'), temperature: 25, humidity: 45 },
];

describe('partial aggregates', () => {
  it('one partial row per window and group, windows aligned to the epoch, nulls ignored by value measures', () => {
    expect(toPartialRows(aggregate, rows)).toEqual([
      {
        window_start: at('2026-11-23T10:00:00Z'), device_id: 'a', readings: 2,
        min_temperature: 20, max_temperature: 22, avg_temperature__sum: 42, avg_temperature__count: 2,
        min_humidity: 40, max_humidity: 40, avg_humidity__sum: 40, avg_humidity__count: 1,
      },
      {
        window_start: at('2026-11-23T10:00:00Z'), device_id: 'b', readings: 1,
        min_temperature: 18, max_temperature: 18, avg_temperature__sum: 18, avg_temperature__count: 1,
        min_humidity: 50, max_humidity: 50, avg_humidity__sum: 50, avg_humidity__count: 1,
      },
      {
        window_start: at('2026-11-23T10:05:00Z'), device_id: 'a', readings: 1,
        min_temperature: 25, max_temperature: 25, avg_temperature__sum: 25, avg_temperature__count: 1,
        min_humidity: 45, max_humidity: 45, avg_humidity__sum: 45, avg_humidity__count: 1,
      },
    ]);
  });

  it('a window whose values are all null keeps null extremes and a zero count', () => {
    const [partial] = toPartialRows(aggregate, [{ device_id: 'c', event_time: at('2026-11-23T10:00:00Z'), temperature: 1, humidity: null }]);
    expect(partial).toMatchObject({ min_humidity: null, max_humidity: null, avg_humidity__sum: null, avg_humidity__count: 0 });
  });

  it('merging partials of any split equals the partials of the whole, and merging again changes nothing', () => {
    const whole = toPartialRows(aggregate, rows);
    for (let cut = 0; cut <= rows.length; cut++) {
      const merged = mergePartialRows(aggregate, [...toPartialRows(aggregate, rows.slice(cut)), ...toPartialRows(aggregate, rows.slice(0, cut))]);
      const key = (r: Record<string, unknown>) => `${(r['window_start'] as Date).toISOString()}|${String(r['device_id'])}`;
      expect(new Map(merged.map((r) => [key(r), r]))).toEqual(new Map(whole.map((r) => [key(r), r])));
      expect(mergePartialRows(aggregate, merged)).toEqual(merged);
    }
  });
});
