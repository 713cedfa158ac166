import { createHash } from 'node:crypto';

/**
 * Approximate distinct counts as a KMV ("k minimum values", the simplest theta sketch).
 *
 * A partial aggregate is written by one micro-batch and merged with the partials of every
 * other batch at read time, by a SQL view that runs in DuckDB and in Athena. HyperLogLog
 * libraries keep their registers in an opaque encoding that neither engine can merge, and
 * each engine's own HLL type is unreadable by the other. A KMV state is just the k smallest
 * hashes of the values seen, as a list of doubles: the merge is "union, keep the k
 * smallest", which SQL writes as unnest + DISTINCT + ROW_NUMBER, and the estimate needs
 * only the count and the k-th smallest hash. Below k distinct values the count is exact.
 */

/**
 * k, the number of smallest hashes a state keeps: counts are exact below it and within
 * about 3 % (one standard error, 1/sqrt(k - 2)) above. Partials only merge when they share
 * it, so it is one constant, not an option.
 *
 * @example
 * ```ts
 * const exact = distinctState(ids).hashes.length < DISTINCT_SKETCH_SIZE;
 * ```
 */
export const DISTINCT_SKETCH_SIZE = 1024;

/** 2^53: hashes are integers below it, so a double (Parquet, SQL) holds them exactly. */
const HASH_RANGE = 2 ** 53;

/**
 * The mergeable state of a distinct-count sketch: the smallest hashes of the values seen,
 * ascending, distinct, at most `DISTINCT_SKETCH_SIZE` of them. A list of doubles, because
 * that is what Parquet stores and both SQL engines unnest.
 *
 * @example
 * ```ts
 * const state: DistinctState = { hashes: [1093711, 88127366210, 4503599627370496] };
 * ```
 */
export interface DistinctState {
  readonly hashes: number[];
}

/**
 * The text a value is hashed as, by JS type. A type prefix keeps `'1'`, `1` and `true`
 * apart; numbers and bigints share one, so an int64 field counts the same whichever way it
 * reached JS; integers print in full so that `1e21` and `10n ** 21n` agree.
 */
const canonicalText: { readonly [type: string]: ((value: unknown) => string) | undefined } = {
  string: (value) => `s:${value as string}`,
  number: (value) => `n:${Number.isInteger(value) ? BigInt(value as number).toString() : String(value)}`,
  bigint: (value) => `n:${(value as bigint).toString()}`,
  boolean: (value) => `b:${String(value)}`,
};

const dateText = (value: Date): string => `d:${Number.isNaN(value.getTime()) ? 'invalid' : value.toISOString()}`;

/**
 * A 53-bit hash (an integer, 0 <= h < 2^53) of a string, number, bigint, boolean or Date:
 * the top 53 bits of the MD5 of the value's canonical text, so every process (Lambda,
 * compaction, a laptop) hashes a value the same way. Values of different types do not
 * collide by construction (`'1'` and `1` differ); `-0` and `0` are one value, as in SQL.
 * Throws a TypeError for other values: distinct counts are over scalar fields.
 *
 * @example
 * ```ts
 * const h = hashValue('device-42'); // the same number in every process
 * ```
 */
export function hashValue(value: unknown): number {
  const text = value instanceof Date ? dateText(value) : canonicalText[typeof value]?.(value);
  if (text === undefined) {
    throw new TypeError(
      `cannot count ${value === null ? 'null' : typeof value} values distinct: use a string, number, bigint, boolean or Date field`,
    );
  }
  return Number(createHash('md5').update(text).digest().readBigUInt64BE(0) >> 11n);
}

/**
 * The state of `values`; null and undefined are skipped (a distinct count counts values).
 *
 * @example
 * ```ts
 * const state = distinctState(['d-1', 'd-2', 'd-1', null]); // distinctEstimate(state) === 2
 * ```
 */
export function distinctState(values: Iterable<unknown>): DistinctState {
  const hashes = new Set<number>();
  for (const value of values) if (value !== null && value !== undefined) hashes.add(hashValue(value));
  return { hashes: smallest(hashes) };
}

/**
 * The state of the union of the data behind `states`: the k smallest of all their hashes.
 * Exact (merging the states of any split of a data set gives the state of the whole), so
 * retries, re-batching and compaction cannot change a count. Accepts hashes in any order or
 * repeated, as lists read back from storage may be.
 *
 * @example
 * ```ts
 * const hour = mergeDistinctStates([distinctState(['a', 'b']), distinctState(['b', 'c'])]);
 * ```
 */
export function mergeDistinctStates(states: Iterable<DistinctState>): DistinctState {
  const hashes = new Set<number>();
  for (const state of states) for (const hash of state.hashes) hashes.add(hash);
  return { hashes: smallest(hashes) };
}

/**
 * The estimated number of distinct values: the exact count when the state holds fewer than
 * k hashes, else `(k - 1) / (h_k / 2^53)` rounded to the nearest integer, where `h_k` is the
 * k-th smallest hash (the unbiased KMV estimator: k - 1 values hash below h_k, whose
 * fraction of the hash range is h_k / 2^53). The merged SQL views compute the same number.
 *
 * @example
 * ```ts
 * const devices = distinctEstimate(mergeDistinctStates(partials));
 * ```
 */
export function distinctEstimate(state: DistinctState): number {
  const k = DISTINCT_SKETCH_SIZE;
  const hashes = smallest(new Set(state.hashes));
  if (hashes.length < k) return hashes.length;
  return Math.round((k - 1) / (hashes[k - 1]! / HASH_RANGE));
}

function smallest(hashes: ReadonlySet<number>): number[] {
  return [...hashes].sort((a, b) => a - b).slice(0, DISTINCT_SKETCH_SIZE);
}
