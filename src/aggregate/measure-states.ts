import { MeasureKind } from '../job/aggregate.ts';
import type { Column, ColumnType } from '../schema/column-model.ts';
import { distinctState, mergeDistinctStates, type DistinctState } from './sketches/distinct-sketch.ts';
import { mergeQuantileStates, quantileState, type QuantileState } from './sketches/quantile-sketch.ts';

/**
 * How each measure is stored as a mergeable partial state: its Parquet columns, how a
 * group's values become a state, and how states merge. Merging must be exact and
 * associative (count and sums add, min/max take the extreme, sketches merge without
 * loss), which is what lets any batching, retry or compaction give the same merged row.
 */

/** A measure after validation: the output column name plus what it measures. */
export interface ResolvedMeasure {
  readonly name: string;
  readonly kind: MeasureKind;
  readonly field?: string;
  readonly quantile?: number;
  /** Columns of its partial state in the partials table. */
  readonly stateColumns: readonly Column[];
}

/** A partial state: values of the measure's state columns. */
export type MeasureState = Record<string, unknown>;

interface MeasureStateSpec {
  /** Measures a field (every kind but count). */
  readonly needsField: boolean;
  /** Only numeric fields make sense (the compiler checks it too). */
  readonly numeric: boolean;
  /** Type of the measure in the merged view. */
  readonly viewType: ColumnType;
  stateColumns(name: string): Column[];
  /** State of one group's values of the field (all rows, for count). A percentile's state is the same for every quantile. */
  fromValues(name: string, values: readonly unknown[]): MeasureState;
  /** State of several states of the same group. */
  merge(name: string, states: readonly MeasureState[]): MeasureState;
}

const double: ColumnType = { kind: 'double' };
const int64: ColumnType = { kind: 'int64' };
const doubleList: ColumnType = { kind: 'list', element: double, elementNullable: false };
const column = (name: string, type: ColumnType, nullable: boolean): Column => ({ name, type, nullable });

const numbers = (values: readonly unknown[]): number[] => {
  const out: number[] = [];
  for (const value of values) {
    const n = typeof value === 'bigint' ? Number(value) : value;
    if (typeof n === 'number' && !Number.isNaN(n)) out.push(n);
  }
  return out;
};
const numberOrNull = (value: unknown): number | null =>
  value === null || value === undefined ? null : typeof value === 'bigint' ? Number(value) : (value as number);

/** Folds the non-null values of one state column with `pick`; null when there are none. */
const foldColumn = (states: readonly MeasureState[], key: string, pick: (a: number, b: number) => number): number | null => {
  let acc: number | null = null;
  for (const state of states) {
    const value = numberOrNull(state[key]);
    if (value !== null) acc = acc === null ? value : pick(acc, value);
  }
  return acc;
};
const add = (a: number, b: number) => a + b;
const extreme = (pick: (a: number, b: number) => number) => (values: readonly unknown[]) => {
  const ns = numbers(values);
  return ns.length === 0 ? null : ns.reduce(pick);
};

const sumKey = (name: string) => `${name}__sum`;
const countKey = (name: string) => `${name}__count`;
const hashesKey = (name: string) => `${name}__hashes`;
const valuesKey = (name: string) => `${name}__values`;
const countsKey = (name: string) => `${name}__counts`;

const listOf = (value: unknown): number[] => (Array.isArray(value) ? value.map(Number) : []);

/** Min and max share everything but the comparison. */
const extremeSpec = (pick: (a: number, b: number) => number): MeasureStateSpec => ({
  needsField: true,
  numeric: true,
  viewType: double,
  stateColumns: (name) => [column(name, double, true)],
  fromValues: (name, values) => ({ [name]: extreme(pick)(values) }),
  merge: (name, states) => ({ [name]: foldColumn(states, name, pick) }),
});

export const measureStates: { readonly [K in MeasureKind]: MeasureStateSpec } = {
  count: {
    needsField: false,
    numeric: false,
    viewType: int64,
    stateColumns: (name) => [column(name, int64, false)],
    fromValues: (name, rows) => ({ [name]: rows.length }),
    merge: (name, states) => ({ [name]: foldColumn(states, name, add) ?? 0 }),
  },
  sum: {
    needsField: true,
    numeric: true,
    viewType: double,
    stateColumns: (name) => [column(name, double, true)],
    fromValues: (name, values) => {
      const ns = numbers(values);
      return { [name]: ns.length === 0 ? null : ns.reduce(add, 0) };
    },
    merge: (name, states) => ({ [name]: foldColumn(states, name, add) }),
  },
  min: extremeSpec((a, b) => Math.min(a, b)),
  max: extremeSpec((a, b) => Math.max(a, b)),
  avg: {
    needsField: true,
    numeric: true,
    viewType: double,
    stateColumns: (name) => [column(sumKey(name), double, true), column(countKey(name), int64, false)],
    fromValues: (name, values) => {
      const ns = numbers(values);
      return { [sumKey(name)]: ns.length === 0 ? null : ns.reduce(add, 0), [countKey(name)]: ns.length };
    },
    merge: (name, states) => ({
      [sumKey(name)]: foldColumn(states, sumKey(name), add),
      [countKey(name)]: foldColumn(states, countKey(name), add) ?? 0,
    }),
  },
  approx_distinct: {
    needsField: true,
    numeric: false,
    viewType: int64,
    stateColumns: (name) => [column(hashesKey(name), doubleList, false)],
    fromValues: (name, values) => ({ [hashesKey(name)]: distinctState(values).hashes }),
    merge: (name, states) => ({
      [hashesKey(name)]: mergeDistinctStates(states.map((s): DistinctState => ({ hashes: listOf(s[hashesKey(name)]) }))).hashes,
    }),
  },
  approx_percentile: {
    needsField: true,
    numeric: true,
    viewType: double,
    stateColumns: (name) => [column(valuesKey(name), doubleList, false), column(countsKey(name), doubleList, false)],
    fromValues: (name, values) => {
      const state = quantileState(numbers(values));
      return { [valuesKey(name)]: state.values, [countsKey(name)]: state.counts };
    },
    merge: (name, states) => {
      const merged = mergeQuantileStates(
        states.map((s): QuantileState => ({ values: listOf(s[valuesKey(name)]), counts: listOf(s[countsKey(name)]) })),
      );
      return { [valuesKey(name)]: merged.values, [countsKey(name)]: merged.counts };
    },
  },
};

/** Names of a measure's state columns, for SQL over the partials. */
export const stateColumnNames = {
  sum: sumKey,
  count: countKey,
  hashes: hashesKey,
  values: valuesKey,
  counts: countsKey,
} as const;
