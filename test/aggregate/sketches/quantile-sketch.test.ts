import { DDSketch } from '@datadog/sketches-js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  QUANTILE_RELATIVE_ACCURACY,
  mergeQuantileStates,
  quantileOf,
  quantileState,
  type QuantileState,
} from '../../../src/aggregate/sketches/quantile-sketch.ts';

/**
 * Magnitudes the sketch maps with its accuracy guarantee; smaller ones (subnormals) fall in
 * the zero bin, larger ones near Number.MAX_VALUE have bins whose value overflows.
 */
const measured = fc.oneof(
  fc.constant(0),
  fc.double({ min: 1e-300, max: 1e300, noNaN: true }),
  fc.double({ min: -1e300, max: -1e-300, noNaN: true }),
  fc.integer({ min: -1000, max: 1000 }),
);
const dataset = fc.array(measured, { minLength: 1, maxLength: 400 });
const quantile = fc.oneof(fc.constantFrom(0, 0.5, 0.95, 0.99, 1), fc.double({ min: 0, max: 1, noNaN: true }));

/** The exact quantile by the sketch's rank rule: the first sorted value whose rank + 1 exceeds q * (n - 1). */
function exactQuantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

/** Cuts `values` into consecutive parts at the given fractions of its length. */
function split<T>(values: readonly T[], cuts: readonly number[]): T[][] {
  const at = [...new Set(cuts.map((c) => Math.floor(c * values.length)))].sort((a, b) => a - b);
  return [0, ...at].map((start, i) => values.slice(start, at[i] ?? values.length));
}

describe('quantileState', () => {
  it('keeps one entry per non-empty bin, ascending by value, counting every value once', () => {
    fc.assert(
      fc.property(dataset, (values) => {
        const state = quantileState(values);
        expect(state.values).toHaveLength(state.counts.length);
        for (let i = 1; i < state.values.length; i++) expect(state.values[i]!).toBeGreaterThan(state.values[i - 1]!);
        for (const count of state.counts) expect(count).toBeGreaterThan(0);
        expect(state.counts.reduce((a, b) => a + b, 0)).toBe(values.length);
      }),
    );
  });

  it('puts zero in a bin of value 0 and negative values in negated bins', () => {
    const state = quantileState([-4, 0, 0, 1, 100]);
    expect(state.counts).toEqual([1, 2, 1, 1]);
    expect(state.values[1]).toBe(0);
    expect(Math.abs(state.values[0]! + 4)).toBeLessThanOrEqual(QUANTILE_RELATIVE_ACCURACY * 4);
    expect(Math.abs(state.values[3]! - 100)).toBeLessThanOrEqual(QUANTILE_RELATIVE_ACCURACY * 100);
  });

  it('skips null, undefined, NaN and the infinities', () => {
    expect(quantileState([1, null, 2, undefined, NaN, Infinity, -Infinity, 3])).toEqual(quantileState([1, 2, 3]));
    expect(quantileState([null, NaN])).toEqual({ values: [], counts: [] });
  });
});

describe('quantileOf', () => {
  it('is within the relative accuracy of the exact quantile', () => {
    fc.assert(
      fc.property(dataset, quantile, (values, q) => {
        const exact = exactQuantile(values, q);
        const estimate = quantileOf(quantileState(values), q)!;
        // The bound is the sketch's guarantee; the tiny slack covers rounding in its logarithms.
        expect(Math.abs(estimate - exact)).toBeLessThanOrEqual(QUANTILE_RELATIVE_ACCURACY * Math.abs(exact) * (1 + 1e-9));
      }),
    );
  });

  it("gives exactly the library's getValueAtQuantile of a sketch of the same values", () => {
    fc.assert(
      fc.property(dataset, quantile, (values, q) => {
        const sketch = new DDSketch({ relativeAccuracy: QUANTILE_RELATIVE_ACCURACY });
        for (const value of values) sketch.accept(value);
        expect(quantileOf(quantileState(values), q)).toBe(sketch.getValueAtQuantile(q));
      }),
    );
  });

  it('takes the first bin whose cumulative count exceeds q * (count - 1)', () => {
    const state: QuantileState = { values: [1, 2, 3], counts: [2, 1, 1] };
    // count 4, rank = q * 3; cumulative counts 2, 3, 4: rank < 2 is the first bin, rank < 3 the second.
    expect(quantileOf(state, 0)).toBe(1);
    expect(quantileOf(state, 0.66)).toBe(1);
    expect(quantileOf(state, 0.67)).toBe(2);
    expect(quantileOf(state, 0.99)).toBe(2);
    expect(quantileOf(state, 1)).toBe(3);
  });

  it('is null for a state with no values', () => {
    expect(quantileOf(quantileState([]), 0.5)).toBeNull();
    expect(quantileOf({ values: [], counts: [] }, 1)).toBeNull();
  });

  it('refuses a quantile outside 0..1', () => {
    for (const q of [-0.1, 1.5, NaN]) expect(() => quantileOf(quantileState([1]), q)).toThrow(RangeError);
  });
});

describe('mergeQuantileStates', () => {
  const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 });

  it('of the states of any split of a data set is the state of the whole', () => {
    fc.assert(
      fc.property(fc.array(measured, { maxLength: 400 }), cuts, (values, at) => {
        const parts = split(values, at);
        expect(mergeQuantileStates(parts.map((part) => quantileState(part)))).toEqual(quantileState(values));
      }),
    );
  });

  it('is commutative and associative', () => {
    fc.assert(
      fc.property(dataset, dataset, dataset, (a, b, c) => {
        const [sa, sb, sc] = [quantileState(a), quantileState(b), quantileState(c)];
        expect(mergeQuantileStates([sa, sb])).toEqual(mergeQuantileStates([sb, sa]));
        expect(mergeQuantileStates([mergeQuantileStates([sa, sb]), sc])).toEqual(
          mergeQuantileStates([sa, mergeQuantileStates([sb, sc])]),
        );
      }),
    );
  });

  it('adds counts of equal values, whatever order the entries come in', () => {
    const merged = mergeQuantileStates([
      { values: [3, 1], counts: [1, 2] },
      { values: [1, 2, 1], counts: [1, 4, 1] },
      { values: [], counts: [] },
    ]);
    expect(merged).toEqual({ values: [1, 2, 3], counts: [4, 4, 1] });
  });
});
