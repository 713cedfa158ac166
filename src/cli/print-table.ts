import Table from 'cli-table3';
import type { JsonValue, QueryResult } from '../catalog/query-engine.ts';

/**
 * Renders query rows as a boxed text table for the terminal, followed by a `(N rows)` line.
 * Values are printed plainly (no colour codes, so output can be piped or diffed), NULL as
 * `NULL` so it cannot be mistaken for an empty string, numbers right-aligned, and lists and
 * structs as compact JSON.
 *
 * @example
 * ```ts
 * console.log(renderTable({ columns: ['hour', 'n'], rows: [{ hour: '03', n: 42 }] }));
 * // ┌──────┬────┐
 * // │ hour │ n  │
 * // ├──────┼────┤
 * // │ 03   │ 42 │
 * // └──────┴────┘
 * // (1 row)
 * ```
 */
export function renderTable(result: QueryResult): string {
  const footer = `(${result.rows.length} ${result.rows.length === 1 ? 'row' : 'rows'})`;
  // cli-table3 cannot draw a table without columns (a statement that returns nothing).
  if (result.columns.length === 0) return footer;
  const table = new Table({ head: result.columns, style: { head: [], border: [], compact: true } });
  for (const row of result.rows) {
    table.push(
      result.columns.map((column) => {
        const value = row[column] ?? null;
        return typeof value === 'number' ? { content: String(value), hAlign: 'right' as const } : text(value);
      }),
    );
  }
  return `${table.toString()}\n${footer}`;
}

function text(value: JsonValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
