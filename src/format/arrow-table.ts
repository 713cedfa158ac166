import { RecordBatch, Struct, Table, makeData, type Data } from 'apache-arrow';
import type { Column } from '../schema/column-model.ts';
import { arrowSchema } from '../schema/arrow-schema.ts';
import { columnBuilder, type ColumnBuilder, type ColumnBuilderOptions } from './column-builder.ts';
import { fieldAppender } from './field-appender.ts';

/**
 * Rows -> Arrow table, typed from the declared columns (never from the values): each row's
 * fields are appended to one `columnBuilder` per column.
 */

/** Rows appended one at a time into the columns of one table, then finished once. */
export interface TableBuilder {
  /** Appends a row's values for the declared columns; its other keys are ignored. */
  appendRow(row: Readonly<Record<string, unknown>>): void;
  /** Rows appended so far. */
  readonly rowCount: number;
  /** The table of the appended rows; call once. */
  finish(): Table;
}

/**
 * An empty table of the declared columns, filled row by row: the pipeline appends each row
 * as it is validated, so no row outlives its record.
 *
 * @example
 * ```ts
 * const t = tableBuilder(job.output.dataColumns, { capacity: rows.length });
 * for (const row of rows) t.appendRow(row);
 * const bytes = encodeParquet(t.finish(), { compression: 'zstd' });
 * ```
 */
export function tableBuilder(columns: readonly Column[], options: ColumnBuilderOptions = {}): TableBuilder {
  const builders: ColumnBuilder[] = columns.map((c) => columnBuilder(c.type, options));
  const appendFields = fieldAppender(
    columns.map((c) => c.name),
    builders,
  );
  let rowCount = 0;
  return {
    appendRow(row) {
      appendFields(row);
      rowCount++;
    },
    get rowCount() {
      return rowCount;
    },
    finish: () => tableOf(columns, rowCount, builders.map((b) => b.finish())),
  };
}

function tableOf(columns: readonly Column[], length: number, children: Data[]): Table {
  const schema = arrowSchema(columns);
  const struct = makeData({ type: new Struct(schema.fields), length, nullCount: 0, children });
  return new Table(schema, new RecordBatch(schema, struct));
}

/**
 * Builds an Arrow table with exactly the declared columns, in declared order.
 *
 * @example
 * ```ts
 * const t = rowsToArrowTable([{ id: 'a', n: 1 }], [
 *   { name: 'id', type: { kind: 'string', dictionary: false }, nullable: false },
 *   { name: 'n', type: { kind: 'double' }, nullable: true },
 * ]);
 * t.numRows; // 1
 * ```
 */
export function rowsToArrowTable(rows: readonly Record<string, unknown>[], columns: readonly Column[]): Table {
  // Row by row through the generated field appender: a column-by-column loop would read each field by a computed name.
  const table = tableBuilder(columns, { capacity: rows.length });
  for (let i = 0; i < rows.length; i++) table.appendRow(rows[i]!);
  return table.finish();
}
