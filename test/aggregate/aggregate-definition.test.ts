import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import hourlyJob from '../../jobs/sensor-hourly.ts';
import { aggregateTable, defineJob, JobDefinitionError, kinesisStream, tumbling } from '../../src/index.ts';

const In = z.object({ id: z.string(), at: z.string(), celsius: z.number() });
const Row = z.object({ id: z.string(), at: z.date(), celsius: z.number(), tags: z.array(z.string()) });

const aggregate = (patch: Record<string, unknown> = {}) =>
  aggregateTable({
    database: 'db',
    name: 'per_minute',
    rows: Row,
    window: tumbling('1 minute', { on: 'at' }),
    groupBy: ['id'],
    measures: (m: { count(): unknown; max(f: string): unknown }) => ({ n: m.count(), hottest: m.max('celsius') }),
    ...patch,
  } as never);

const define = (output: unknown) =>
  defineJob({
    name: 'per-minute',
    source: kinesisStream({ stream: 'events', records: In }),
    steps: (s) => s.map((m) => ({ id: m.id, at: new Date(m.at), celsius: m.celsius, tags: [] })),
    output: output as never,
  });

const failsWith = (patch: Record<string, unknown>, message: RegExp) => {
  const fn = () => define(aggregate(patch));
  expect(fn).toThrow(JobDefinitionError);
  expect(fn).toThrow(message);
};

describe('aggregate job definitions', () => {
  it('resolves sensor-hourly: partials table, hour partitions by the window field, view columns as the issue names them', () => {
    const { output } = hourlyJob;
    expect(output.name).toBe('sensor_hourly_partials');
    expect(output.partitionBy).toEqual({ kind: 'event-hour', field: 'event_time' });
    expect(output.aggregate!.view).toEqual({ database: 'iot', name: 'sensor_hourly' });
    expect(output.aggregate!.windowMs).toBe(300_000);
    expect(output.aggregate!.viewColumns.map((c) => c.name)).toEqual([
      'window_start', 'window_end', 'device_id', 'readings',
      'min_temperature', 'max_temperature', 'avg_temperature', 'min_humidity', 'max_humidity', 'avg_humidity',
    ]);
    expect(output.dataColumns.map((c) => [c.name, c.type.kind])).toEqual([
      ['window_start', 'timestamp'], ['device_id', 'string'], ['readings', 'int64'],
      ['min_temperature', 'double'], ['max_temperature', 'double'],
      ['avg_temperature__sum', 'double'], ['avg_temperature__count', 'int64'],
      ['min_humidity', 'double'], ['max_humidity', 'double'],
      ['avg_humidity__sum', 'double'], ['avg_humidity__count', 'int64'],
    ]);
  });

  it('stores sketches as lists of doubles', () => {
    const job = define(aggregate({ measures: (m: never) => ({ ids: (m as { approxDistinct(f: string): unknown }).approxDistinct('id'), p99: (m as { approxPercentile(f: string, q: number): unknown }).approxPercentile('celsius', 0.99) }) }));
    expect(job.output.dataColumns.slice(2).map((c) => [c.name, c.type.kind])).toEqual([
      ['ids__hashes', 'list'], ['p99__values', 'list'], ['p99__counts', 'list'],
    ]);
  });

  it.each([
    ['7 minutes', /does not divide|divide an hour/],
    ['2 hours', /divide an hour/],
    ['500ms', /whole seconds/],
    ['soon', /output\.window size 'soon'/],
  ])('refuses a window of %s, naming the rule', (size, message) => {
    failsWith({ window: tumbling(size, { on: 'at' }) }, message);
  });

  it('names a window on a missing or non-timestamp field', () => {
    failsWith({ window: tumbling('1 minute', { on: 'when' }) }, /output\.window tumbling\(\.\.\., \{ on: 'when' \}\): no such field/);
    failsWith({ window: tumbling('1 minute', { on: 'celsius' }) }, /output\.window .*the field is double; declare it z\.date\(\)/);
  });

  it('names a bad group key', () => {
    failsWith({ groupBy: ['room'] }, /output\.groupBy 'room': no such field/);
    failsWith({ groupBy: ['tags'] }, /output\.groupBy 'tags': a list field cannot be a group key/);
    failsWith({ groupBy: ['id', 'id'] }, /listed twice/);
  });

  it('names a measure over a non-numeric field (for callers the compiler cannot check)', () => {
    failsWith({ measures: () => ({ mean: { kind: 'avg', field: 'id' } }) }, /output\.measures\.mean: avg needs a numeric field, and 'id' is string/);
    failsWith({ measures: () => ({ mean: { kind: 'avg', field: 'nope' } }) }, /output\.measures\.mean: m\.avg\('nope'\) names no field/);
    failsWith({ measures: () => ({ mean: { kind: 'median' } }) }, /output\.measures\.mean: build it with the measure builder/);
    failsWith({ measures: () => ({}) }, /output\.measures: declare at least one measure/);
  });

  it('names a percentile outside 0-1 and clashing names', () => {
    failsWith({ measures: () => ({ p: { kind: 'approx_percentile', field: 'celsius', quantile: 95 } }) }, /quantile must be a number from 0 to 1/);
    failsWith({ measures: () => ({ id: { kind: 'count' } }) }, /output\.measures 'id': the name is taken/);
    failsWith({ measures: () => ({ window_end: { kind: 'count' } }) }, /output\.measures 'window_end': the name is taken/);
    failsWith({ measures: () => ({ Bad: { kind: 'count' } }) }, /output\.measures\.Bad: Athena column names/);
  });
});
