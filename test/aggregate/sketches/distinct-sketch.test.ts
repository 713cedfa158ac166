import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DISTINCT_SKETCH_SIZE,
  distinctEstimate,
  distinctState,
  hashValue,
  mergeDistinctStates,
} from '../../../src/aggregate/sketches/distinct-sketch.ts';

const k = DISTINCT_SKETCH_SIZE;

/** Cuts `values` into consecutive parts at the given fractions of its length. */
function split<T>(values: readonly T[], cuts: readonly number[]): T[][] {
  const at = [...new Set(cuts.map((c) => Math.floor(c * values.length)))].sort((a, b) => a - b);
  return [0, ...at].map((start, i) => values.slice(start, at[i] ?? values.length));
}

const scalar = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer({ min: -1e6, max: 1e6 }),
  fc.double({ noNaN: true }),
  fc.boolean(),
  fc.date({ noInvalidDate: true }),
);

describe('hashValue', () => {
  it('is an integer in [0, 2^53)', () => {
    fc.assert(
      fc.property(scalar, (value) => {
        const h = hashValue(value);
        expect(Number.isSafeInteger(h)).toBe(true);
        expect(h).toBeGreaterThanOrEqual(0);
        expect(h).toBeLessThan(2 ** 53);
      }),
    );
  });

  it('is stable: stored partials written by any process and any version must keep merging', () => {
    // Top 53 bits of md5('s:device-42'), computed independently with `md5sum`.
    expect(hashValue('device-42')).toBe(7603855253842623);
    expect(hashValue(42)).toBe(3036894064675012);
    expect(hashValue(true)).toBe(7351196605915433);
    expect(hashValue(new Date('2026-01-02T03:00:00.000Z'))).toBe(4357801138056199);
  });

  it('keeps values of different types apart', () => {
    const values = ['1', 1, true, 'true', new Date(0), new Date(0).toISOString(), '0', 0, false];
    expect(new Set(values.map(hashValue)).size).toBe(values.length);
  });

  it('hashes equal numbers the same whether number or bigint, and -0 as 0', () => {
    expect(hashValue(42n)).toBe(hashValue(42));
    expect(hashValue(10n ** 21n)).toBe(hashValue(1e21));
    expect(hashValue(-0)).toBe(hashValue(0));
    expect(hashValue(new Date(5))).toBe(hashValue(new Date(5)));
  });

  it('refuses values that are not scalars', () => {
    expect(() => hashValue({ a: 1 })).toThrow(TypeError);
    expect(() => hashValue([1])).toThrow(TypeError);
  });
});

describe('distinctState and distinctEstimate', () => {
  it('counts exactly below k distinct values, skipping null and undefined', () => {
    fc.assert(
      fc.property(fc.array(fc.option(scalar, { nil: undefined }), { maxLength: 600 }), fc.integer({ min: 0, max: 3 }), (values, nulls) => {
        const withNulls = [...values, ...Array.from({ length: nulls }, () => null)];
        const distinct = new Set(values.filter((v) => v !== undefined).map(hashValue)).size;
        const state = distinctState(withNulls);
        expect(state.hashes).toHaveLength(distinct);
        expect(distinctEstimate(state)).toBe(distinct);
      }),
    );
  });

  it('holds at most k distinct hashes, ascending: the smallest of the values seen', () => {
    const values = Array.from({ length: 3000 }, (_, i) => `user-${i}`);
    const all = [...new Set(values.map(hashValue))].sort((a, b) => a - b);
    expect(distinctState(values).hashes).toEqual(all.slice(0, k));
  });

  it('is exact up to k - 1 values and an estimate from k values on', () => {
    const users = (n: number) => Array.from({ length: n }, (_, i) => `user-${i}`);
    expect(distinctEstimate(distinctState(users(k - 1)))).toBe(k - 1);
    const state = distinctState(users(k));
    expect(distinctEstimate(state)).toBe(Math.round((k - 1) / (state.hashes[k - 1]! / 2 ** 53)));
  });

  it('estimates (k - 1) / (h_k / 2^53), rounded', () => {
    // h_k = k * 2^42 = 2^52, half the hash range: k - 1 values below it means about 2 (k - 1) in all.
    const hashes = Array.from({ length: k }, (_, i) => (i + 1) * 2 ** 42);
    expect(distinctEstimate({ hashes })).toBe(2 * (k - 1));
  });

  it('is within 3 standard errors (1 / sqrt(k - 2)) above k', () => {
    const bound = 3 / Math.sqrt(k - 2);
    for (const n of [1500, 5000, 20_000, 100_000]) {
      const estimate = distinctEstimate(distinctState(Array.from({ length: n }, (_, i) => `device-${i}`)));
      expect(Math.abs(estimate - n) / n, `n = ${n}, estimate = ${estimate}`).toBeLessThanOrEqual(bound);
    }
  });
});

describe('mergeDistinctStates', () => {
  const data = fc.array(fc.integer({ min: 0, max: 4000 }), { maxLength: 3000 });
  const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 });

  it('of the states of any split of a data set is the state of the whole, below and above k', () => {
    fc.assert(
      fc.property(data, cuts, (values, at) => {
        const parts = split(values, at);
        expect(mergeDistinctStates(parts.map((part) => distinctState(part)))).toEqual(distinctState(values));
      }),
      { numRuns: 40 },
    );
  });

  it('is commutative and associative', () => {
    fc.assert(
      fc.property(data, data, data, (a, b, c) => {
        const [sa, sb, sc] = [distinctState(a), distinctState(b), distinctState(c)];
        expect(mergeDistinctStates([sa, sb])).toEqual(mergeDistinctStates([sb, sa]));
        expect(mergeDistinctStates([mergeDistinctStates([sa, sb]), sc])).toEqual(
          mergeDistinctStates([sa, mergeDistinctStates([sb, sc])]),
        );
      }),
      { numRuns: 30 },
    );
  });

  it('counts a value seen by several states once', () => {
    const merged = mergeDistinctStates([distinctState(['a', 'b']), distinctState(['b', 'c']), { hashes: [] }]);
    expect(distinctEstimate(merged)).toBe(3);
    expect(merged).toEqual(distinctState(['c', 'b', 'a']));
  });
});
