/** Rows as comparable strings: each row's JSON with its keys sorted (nested too), the list sorted, so equal multisets give equal lists. */
export function canonicalRows(rows: readonly Record<string, unknown>[]): string[] {
  return rows.map((row) => JSON.stringify(sortKeys(row))).sort();
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]));
  }
  return typeof value === 'bigint' ? value.toString() : value;
}
