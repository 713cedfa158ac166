import { isoInstantMs } from '../schema/iso-instant.ts';
import { measureStates, type MeasureState } from './measure-states.ts';
import type { ResolvedAggregate } from './resolve-aggregate.ts';

/** One row of the partials table: `window_start`, group keys, measure states. */
export type PartialRow = Record<string, unknown>;

/** A time as read from rows (Date), ISO-string timestamp fields (UTC when zone-less), or a Parquet reader (epoch ms). */
const epochMs = (value: unknown): number =>
  value instanceof Date ? value.getTime() : typeof value === 'string' ? isoInstantMs(value) : typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : Number.NaN;

/** A group's identity as text: equal keys, equal text; a Date and its epoch number differ. */
const groupText = (windowStart: number, values: readonly unknown[]): string =>
  JSON.stringify([windowStart, ...values.map((v) => (v instanceof Date ? { date: v.getTime() } : typeof v === 'bigint' ? { bigint: String(v) } : (v ?? null)))]);

interface Group<T> {
  readonly windowStart: number;
  readonly keys: readonly unknown[];
  readonly members: T[];
}

function groupBy<T>(items: readonly T[], windowStartOf: (item: T) => number, keysOf: (item: T) => unknown[]): Group<T>[] {
  const groups = new Map<string, Group<T>>();
  for (const item of items) {
    const windowStart = windowStartOf(item);
    const keys = keysOf(item);
    const text = groupText(windowStart, keys);
    let group = groups.get(text);
    if (!group) {
      group = { windowStart, keys, members: [] };
      groups.set(text, group);
    }
    group.members.push(item);
  }
  return [...groups.values()];
}

function rowOf(aggregate: ResolvedAggregate, group: Group<unknown>, states: readonly MeasureState[]): PartialRow {
  const row: PartialRow = { window_start: new Date(group.windowStart) };
  aggregate.groupBy.forEach((column, i) => {
    row[column.name] = group.keys[i] ?? null;
  });
  for (const state of states) Object.assign(row, state);
  return row;
}

/**
 * The partial aggregates of some rows: one row per window and group, in order of first
 * appearance. Rows must be valid (the row schema's output) with a usable time in the window
 * field, as the pipeline guarantees. Pure and deterministic, so a retried batch writes the
 * same bytes under the same key.
 *
 * @example
 * ```ts
 * toPartialRows(job.output.aggregate!, file.rows);
 * // [{ window_start: Date(10:05), device_id: 'd-1', readings: 12, avg_temperature__sum: 250.1, avg_temperature__count: 12, ... }]
 * ```
 */
export function toPartialRows(aggregate: ResolvedAggregate, rows: readonly Record<string, unknown>[]): PartialRow[] {
  const { windowMs, windowField } = aggregate;
  const groups = groupBy(
    rows,
    (row) => Math.floor(epochMs(row[windowField]) / windowMs) * windowMs,
    (row) => aggregate.groupBy.map((c) => row[c.name]),
  );
  return groups.map((group) =>
    rowOf(
      aggregate,
      group,
      aggregate.measures.map((m) => {
        const spec = measureStates[m.kind];
        const values = m.field === undefined ? group.members : group.members.map((row) => row[m.field!]);
        return spec.fromValues(m.name, values);
      }),
    ),
  );
}

/**
 * Merges partial rows of the same window and group into one: what compaction stores, and
 * what the view computes at read time. Merging is exact, so merging merged rows again (a
 * later compaction with late partials) changes nothing but the row count.
 *
 * @example
 * ```ts
 * mergePartialRows(aggregate, [...compactedRows, ...latePartials]); // one row per window and group
 * ```
 */
export function mergePartialRows(aggregate: ResolvedAggregate, partials: readonly PartialRow[]): PartialRow[] {
  const groups = groupBy(
    partials,
    (row) => epochMs(row['window_start']),
    (row) => aggregate.groupBy.map((c) => row[c.name]),
  );
  return groups.map((group) =>
    rowOf(
      aggregate,
      group,
      aggregate.measures.map((m) => measureStates[m.kind].merge(m.name, group.members)),
    ),
  );
}
