/**
 * SQL that merges the partial sketch states of many rows into one estimate per group, for
 * the read-time views of windowed aggregates. The same statement shape in DuckDB (`sluice
 * query`) and Athena engine v3 (Trino); only how a row's lists become rows differs.
 *
 * Each statement keeps the JS rules of `quantileOf` and `distinctEstimate` operation for
 * operation (the same double arithmetic in the same order), so a merged view and a
 * compacted partial give the same number. Every group of `from` gets a row, even one whose
 * lists are all empty or NULL: a NULL marker row per input row keeps the group alive
 * through the unnest, so the estimate joins back to the group's other measures.
 */

/**
 * The SQL engines the views are generated for.
 *
 * @example
 * ```ts
 * const sql = quantileMergeSql({ dialect: SqlDialect.Athena, from: 'p', groupBy: ['"device_id"'], values: '"v"', counts: '"c"', q: 0.95, as: '"p95"' });
 * ```
 */
export const SqlDialect = { DuckDb: 'duckdb', Athena: 'athena' } as const;
export type SqlDialect = (typeof SqlDialect)[keyof typeof SqlDialect];

/** Names the generated SQL uses for itself; a group column must not take one of them. */
const own = {
  row: '"__sketch_row"',
  elements: '"__sketch_elements"',
  entries: '"__sketch_entries"',
  bins: '"__sketch_bins"',
  ranked: '"__sketch_ranked"',
  value: '"__sketch_value"',
  count: '"__sketch_count"',
  cumulative: '"__sketch_cumulative"',
  total: '"__sketch_total"',
  hash: '"__sketch_hash"',
  rank: '"__sketch_rank"',
} as const;

/** A list column of `from` and the name its elements get. */
interface UnnestedList {
  readonly list: string;
  readonly as: string;
}

interface DialectSql {
  /**
   * `SELECT <group keys>, <one column per list element>` over the rows of `from`, the
   * lists zipped element by element; a row whose lists are empty or NULL yields nothing.
   */
  readonly unnest: (from: string, groupBy: readonly string[], lists: readonly UnnestedList[]) => string;
}

const rowColumn = (name: string) => `${own.row}.${name}`;

const dialects: { readonly [D in SqlDialect]: DialectSql } = {
  // DuckDB's UNNEST table function takes one list; in the select list, several unnest()
  // calls of one SELECT are zipped, which is what two parallel lists need.
  duckdb: {
    unnest: (from, groupBy, lists) =>
      `SELECT ${[...groupBy.map(rowColumn), ...lists.map((l) => `unnest(${rowColumn(l.list)}) AS ${l.as}`)].join(', ')} ` +
      `FROM ${from} AS ${own.row}`,
  },
  // Trino's UNNEST in FROM takes several arrays and zips them.
  athena: {
    unnest: (from, groupBy, lists) =>
      `SELECT ${[...groupBy.map(rowColumn), ...lists.map((l) => `${own.elements}.${l.as}`)].join(', ')} ` +
      `FROM ${from} AS ${own.row} CROSS JOIN UNNEST(${lists.map((l) => rowColumn(l.list)).join(', ')}) ` +
      `AS ${own.elements}(${lists.map((l) => l.as).join(', ')})`,
  },
};

/**
 * Options of `quantileMergeSql`. Identifiers are already quoted SQL identifiers.
 *
 * @example
 * ```ts
 * const options: QuantileMergeSqlOptions = {
 *   dialect: SqlDialect.DuckDb, from: 'partials', groupBy: ['"window_start"', '"device_id"'],
 *   values: '"p95__values"', counts: '"p95__counts"', q: 0.95, as: '"p95"',
 * };
 * ```
 */
export interface QuantileMergeSqlOptions {
  readonly dialect: SqlDialect;
  /** A table, view or CTE name holding one partial state per row. */
  readonly from: string;
  /** Group columns of `from`; NULL is a group of its own, as in GROUP BY. */
  readonly groupBy: readonly string[];
  /** The `QuantileState.values` list column. */
  readonly values: string;
  /** The `QuantileState.counts` list column. */
  readonly counts: string;
  /** The quantile, 0 to 1. */
  readonly q: number;
  /** The name of the estimate's column. */
  readonly as: string;
}

/**
 * `SELECT <groupBy...>, <quantile> AS <as>` with one row per group of `from`: the states of
 * a group merged (counts of equal values summed) and its `q` quantile taken with the rule
 * of `quantileOf`, walking the cumulative count with window functions. A DOUBLE; NULL for
 * a group with no values.
 *
 * @example
 * ```ts
 * const sql = quantileMergeSql({
 *   dialect: SqlDialect.DuckDb, from: 'partials', groupBy: ['"window_start"', '"device_id"'],
 *   values: '"p95__values"', counts: '"p95__counts"', q: 0.95, as: '"p95"',
 * });
 * ```
 */
export function quantileMergeSql(options: QuantileMergeSqlOptions): string {
  const { dialect, from, groupBy, q } = options;
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile ${q} is not a number from 0 to 1`);
  refuseOwnNames(groupBy);
  const keys = groupBy.join(', ');
  const lists = [
    { list: options.values, as: own.value },
    { list: options.counts, as: own.count },
  ];
  const entries = [
    dialects[dialect].unnest(from, groupBy, lists),
    'UNION ALL',
    `SELECT ${[...groupBy.map(rowColumn), 'CAST(NULL AS DOUBLE)', 'CAST(NULL AS DOUBLE)'].join(', ')} FROM ${from} AS ${own.row}`,
  ].join('\n');
  const bins =
    `SELECT ${withKeys(keys, `${own.value}, SUM(${own.count}) AS ${own.count}`)}\n` +
    `FROM (\n${entries}\n) AS ${own.entries}\n` +
    `GROUP BY ${withKeys(keys, own.value)}`;
  const byValue = `${partitionBy(keys)}ORDER BY ${own.value} ASC NULLS LAST`;
  const ranked =
    `SELECT ${withKeys(keys, own.value)}, ` +
    `SUM(${own.count}) OVER (${byValue} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS ${own.cumulative}, ` +
    `SUM(${own.count}) OVER (${partitionBy(keys).trimEnd()}) AS ${own.total}\n` +
    `FROM (\n${bins}\n) AS ${own.bins}`;
  // Same arithmetic as quantileOf: rank = q * (total - 1); first bin whose cumulative count exceeds it.
  const estimate = `MIN(CASE WHEN ${own.cumulative} > ${doubleLiteral(q)} * (${own.total} - 1) THEN ${own.value} END)`;
  return `SELECT ${withKeys(keys, `${estimate} AS ${options.as}`)}\nFROM (\n${ranked}\n) AS ${own.ranked}${groupByClause(keys)}`;
}

/**
 * Options of `distinctMergeSql`. Identifiers are already quoted SQL identifiers.
 *
 * @example
 * ```ts
 * const options: DistinctMergeSqlOptions = {
 *   dialect: SqlDialect.Athena, from: 'partials', groupBy: ['"window_start"'],
 *   hashes: '"devices__hashes"', k: DISTINCT_SKETCH_SIZE, as: '"devices"',
 * };
 * ```
 */
export interface DistinctMergeSqlOptions {
  readonly dialect: SqlDialect;
  /** A table, view or CTE name holding one partial state per row. */
  readonly from: string;
  /** Group columns of `from`; NULL is a group of its own, as in GROUP BY. */
  readonly groupBy: readonly string[];
  /** The `DistinctState.hashes` list column. */
  readonly hashes: string;
  /** The sketch size the states were built with (`DISTINCT_SKETCH_SIZE`). */
  readonly k: number;
  /** The name of the estimate's column. */
  readonly as: string;
}

/**
 * `SELECT <groupBy...>, <estimate> AS <as>` with one row per group of `from`: the hashes of
 * a group's states made distinct and ranked, then the estimate of `distinctEstimate` (the
 * count below `k` hashes, else `ROUND((k - 1) / (h_k / 2^53))`). A BIGINT; 0 for a group
 * with no values.
 *
 * @example
 * ```ts
 * const sql = distinctMergeSql({
 *   dialect: SqlDialect.DuckDb, from: 'partials', groupBy: ['"window_start"'],
 *   hashes: '"devices__hashes"', k: DISTINCT_SKETCH_SIZE, as: '"devices"',
 * });
 * ```
 */
export function distinctMergeSql(options: DistinctMergeSqlOptions): string {
  const { dialect, from, groupBy, k } = options;
  if (!(Number.isSafeInteger(k) && k >= 1)) throw new RangeError(`sketch size ${k} is not a positive integer`);
  refuseOwnNames(groupBy);
  const keys = groupBy.join(', ');
  // UNION, not UNION ALL: a hash that several partials hold counts once.
  const entries = [
    dialects[dialect].unnest(from, groupBy, [{ list: options.hashes, as: own.hash }]),
    'UNION',
    `SELECT ${[...groupBy.map(rowColumn), 'CAST(NULL AS DOUBLE)'].join(', ')} FROM ${from} AS ${own.row}`,
  ].join('\n');
  const ranked =
    `SELECT ${withKeys(keys, own.hash)}, ` +
    `ROW_NUMBER() OVER (${partitionBy(keys)}ORDER BY ${own.hash} ASC NULLS LAST) AS ${own.rank}\n` +
    `FROM (\n${entries}\n) AS ${own.entries}`;
  const kth = `MAX(CASE WHEN ${own.rank} = ${k} THEN ${own.hash} END)`;
  // Same arithmetic as distinctEstimate: (k - 1) / (h_k / 2^53), rounded.
  const estimate =
    `CAST(CASE WHEN COUNT(${own.hash}) < ${k} THEN COUNT(${own.hash}) ` +
    `ELSE ROUND(${doubleLiteral(k - 1)} / (${kth} / ${doubleLiteral(2 ** 53)})) END AS BIGINT)`;
  return `SELECT ${withKeys(keys, `${estimate} AS ${options.as}`)}\nFROM (\n${ranked}\n) AS ${own.ranked}${groupByClause(keys)}`;
}

/**
 * A DOUBLE literal that reads back as exactly `x`: the shortest round-trip digits in
 * scientific notation, which both engines type as DOUBLE (a plain `0.95` is a DECIMAL).
 */
function doubleLiteral(x: number): string {
  return x.toExponential();
}

function withKeys(keys: string, rest: string): string {
  return keys === '' ? rest : `${keys}, ${rest}`;
}

function partitionBy(keys: string): string {
  return keys === '' ? '' : `PARTITION BY ${keys} `;
}

function groupByClause(keys: string): string {
  return keys === '' ? '' : `\nGROUP BY ${keys}`;
}

const ownNames = new Set<string>(Object.values(own));

function refuseOwnNames(groupBy: readonly string[]): void {
  const taken = groupBy.filter((key) => ownNames.has(key));
  if (taken.length > 0) {
    throw new RangeError(`group column ${taken.join(', ')} uses a name the sketch SQL reserves: rename it (no "__sketch_" prefix)`);
  }
}
