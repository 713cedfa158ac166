import { DDSketch } from '@datadog/sketches-js';

/**
 * Approximate percentiles as a DDSketch whose bins are stored as two plain lists.
 *
 * A partial aggregate is written by one micro-batch and merged with the partials of every
 * other batch at read time, by a SQL view that runs in DuckDB and in Athena. Neither engine
 * can read the library's protobuf encoding, but both can unnest two parallel lists of
 * doubles, add the counts of equal values and walk the cumulative count with a window
 * function. So the state is the sketch's non-empty bins as (representative value, count)
 * pairs: merging is adding counts per value, which is exact, commutative and associative,
 * and the quantile rule below is the library's own, so SQL and JS give the same number.
 */

/**
 * Relative accuracy of every quantile sketch: an estimate is within 1 % of the exact
 * quantile. Partials can only be merged when they share it, so it is one constant, not an
 * option.
 *
 * @example
 * ```ts
 * const close = Math.abs(estimate - exact) <= QUANTILE_RELATIVE_ACCURACY * Math.abs(exact);
 * ```
 */
export const QUANTILE_RELATIVE_ACCURACY = 0.01;

/**
 * The mergeable state of a quantile sketch: one entry per non-empty bin, ascending by
 * value. `values[i]` is the bin's representative value (negative bins negated, the bin of
 * zero and of magnitudes too small to map as 0) and `counts[i]` how many values fell in it.
 * Two lists of doubles, because that is what Parquet stores and both SQL engines unnest.
 *
 * @example
 * ```ts
 * const state: QuantileState = { values: [-2.0098, 0, 1.01, 2.0098], counts: [1, 3, 2, 1] };
 * ```
 */
export interface QuantileState {
  readonly values: number[];
  readonly counts: number[];
}

/**
 * The state of a sketch of `values`. Nulls are skipped, and so are NaN and the infinities:
 * a bin cannot hold an infinity, and a percentile of measured quantities has no use for one.
 *
 * @example
 * ```ts
 * const state = quantileState([12.5, 13.1, null, 12.9]);
 * ```
 */
export function quantileState(values: Iterable<number | null | undefined>): QuantileState {
  const sketch = new DDSketch({ relativeAccuracy: QUANTILE_RELATIVE_ACCURACY });
  for (const value of values) if (typeof value === 'number' && Number.isFinite(value)) sketch.accept(value);
  return binsOf(sketch);
}

/**
 * The state of the union of the data behind `states`: counts of equal values add. Exact
 * (merging the states of any split of a data set gives the state of the whole), so retries,
 * re-batching and compaction cannot change a percentile. Accepts states with entries in any
 * order or repeated, as lists read back from storage may be.
 *
 * @example
 * ```ts
 * const hour = mergeQuantileStates([quantileState([1, 2]), quantileState([3])]);
 * ```
 */
export function mergeQuantileStates(states: Iterable<QuantileState>): QuantileState {
  const counts = new Map<number, number>();
  for (const state of states) {
    state.values.forEach((value, i) => {
      const count = state.counts[i] ?? 0;
      if (count > 0) counts.set(value, (counts.get(value) ?? 0) + count);
    });
  }
  const values = [...counts.keys()].sort((a, b) => a - b);
  return { values, counts: values.map((value) => counts.get(value)!) };
}

/**
 * The `q` quantile (0 to 1) of a state; null when the state holds no value. The rule is
 * DDSketch's `getValueAtQuantile`: with `rank = q * (count - 1)`, the first bin, ascending,
 * whose cumulative count exceeds `rank`. The merged SQL views compute the same rule.
 *
 * @example
 * ```ts
 * const p95 = quantileOf(mergeQuantileStates(partials), 0.95);
 * ```
 */
export function quantileOf(state: QuantileState, q: number): number | null {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile ${q} is not a number from 0 to 1`);
  const total = state.counts.reduce((sum, count) => sum + count, 0);
  if (total === 0) return null;
  const rank = q * (total - 1);
  let cumulative = 0;
  for (let i = 0; i < state.values.length; i++) {
    cumulative += state.counts[i] ?? 0;
    if (cumulative > rank) return state.values[i]!;
  }
  return state.values.at(-1) ?? null;
}

/**
 * The non-empty bins of a sketch, ascending by value. The only place that knows how the
 * library lays out its stores: a dense array of counts per store, where slot `i` holds key
 * `i + offset`; the negative store keys the magnitudes of negative values, so its largest
 * key is the smallest value.
 */
function binsOf(sketch: DDSketch): QuantileState {
  const values: number[] = [];
  const counts: number[] = [];
  const { bins: negative, offset: negativeOffset } = sketch.negativeStore;
  for (let i = negative.length - 1; i >= 0; i--) {
    const count = negative[i]!;
    if (count > 0) {
      values.push(-sketch.mapping.value(i + negativeOffset));
      counts.push(count);
    }
  }
  if (sketch.zeroCount > 0) {
    values.push(0);
    counts.push(sketch.zeroCount);
  }
  const { bins: positive, offset: positiveOffset } = sketch.store;
  positive.forEach((count, i) => {
    if (count > 0) {
      values.push(sketch.mapping.value(i + positiveOffset));
      counts.push(count);
    }
  });
  return { values, counts };
}
