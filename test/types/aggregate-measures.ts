/**
 * Compile-time tests of aggregate declarations, checked by `npm run typecheck` (part of
 * `npm test`): a measure over a non-numeric field, a group key that is not a field, a window
 * on a field that is not a timestamp must not compile; the merged row type is derived from
 * the declaration. Each `@ts-expect-error` fails the type check if the line below compiles.
 */
import { z } from 'zod';
import { aggregateTable, tumbling, type AggregateRowOf } from '../../src/index.ts';

const Reading = z.object({ device_id: z.string(), at: z.date(), celsius: z.number(), humidity: z.number().nullable(), ok: z.boolean() });

const hourly = aggregateTable({
  database: 'd',
  name: 'hourly',
  rows: Reading,
  window: tumbling('1 hour', { on: 'at' }),
  groupBy: ['device_id'],
  measures: (m) => ({ readings: m.count(), hottest: m.max('celsius'), wettest: m.avg('humidity'), p90: m.approxPercentile('celsius', 0.9), devices: m.approxDistinct('device_id') }),
});

// The merged row type: window, group keys with their row types, measures with theirs.
type Hourly = AggregateRowOf<typeof hourly>;
const row: Hourly = { window_start: new Date(), window_end: new Date(), device_id: 'd-1', readings: 3, hottest: 21.5, wettest: null, p90: 20, devices: 1 };
void row;
// @ts-expect-error: a count is a number, never null.
const badCount: Hourly = { ...row, readings: null };
void badCount;
// @ts-expect-error: 'ok' is not a group key of this aggregate.
const notAKey: Hourly['ok'] = true;
void notAKey;

aggregateTable({
  database: 'd',
  name: 'bad_measure',
  rows: Reading,
  window: tumbling('5 minutes', { on: 'at' }),
  groupBy: ['device_id'],
  // @ts-expect-error: avg needs a numeric field; device_id is a string.
  measures: (m) => ({ mean: m.avg('device_id') }),
});

aggregateTable({
  database: 'd',
  name: 'bad_sum',
  rows: Reading,
  window: tumbling('5 minutes', { on: 'at' }),
  groupBy: [],
  // @ts-expect-error: sum needs a numeric field; ok is a boolean.
  measures: (m) => ({ total: m.sum('ok') }),
});

aggregateTable({
  database: 'd',
  name: 'bad_group',
  rows: Reading,
  window: tumbling('5 minutes', { on: 'at' }),
  // @ts-expect-error: 'room' is not a field of the rows.
  groupBy: ['room'],
  measures: (m) => ({ readings: m.count() }),
});

aggregateTable({
  database: 'd',
  name: 'bad_window',
  rows: Reading,
  // @ts-expect-error: the window must be on a timestamp field; celsius is a number.
  window: tumbling('5 minutes', { on: 'celsius' }),
  groupBy: [],
  measures: (m) => ({ readings: m.count() }),
});
