/**
 * The one column model every target is derived from: a zod row schema becomes a list of
 * columns here, and Arrow, Parquet, Glue and DuckDB types are read off these columns
 * (see `arrow-schema.ts`, `glue-types.ts`). Never inferred from values.
 */
export const ColumnKind = {
  String: 'string',
  Double: 'double',
  Int32: 'int32',
  Int64: 'int64',
  Boolean: 'boolean',
  Timestamp: 'timestamp',
  Struct: 'struct',
  List: 'list',
} as const;

export type ColumnKind = (typeof ColumnKind)[keyof typeof ColumnKind];

/** How a timestamp value arrives in a row: a `Date`, or an ISO-8601 string declared as one. */
export type TimestampSource = 'date' | 'iso-string';

export type ColumnType =
  | { readonly kind: 'string'; readonly dictionary: boolean }
  | { readonly kind: 'double' }
  | { readonly kind: 'int32' }
  | { readonly kind: 'int64' }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'timestamp'; readonly source: TimestampSource }
  | { readonly kind: 'struct'; readonly fields: readonly Column[] }
  | { readonly kind: 'list'; readonly element: ColumnType; readonly elementNullable: boolean };

/** One column (or struct field) of a table. */
export interface Column {
  readonly name: string;
  readonly type: ColumnType;
  readonly nullable: boolean;
}

/**
 * Same stored type, recursively. Dictionary encoding and how a timestamp arrives are
 * writer details: Parquet readers and Glue see the same column either way.
 */
export function sameColumnType(a: ColumnType, b: ColumnType): boolean {
  return JSON.stringify(normalise(a)) === JSON.stringify(normalise(b));
}

function normalise(t: ColumnType): unknown {
  if (t.kind === 'timestamp' || t.kind === 'string') return { kind: t.kind };
  if (t.kind === 'struct') return { kind: t.kind, fields: t.fields.map((f) => ({ ...f, type: normalise(f.type) })) };
  if (t.kind === 'list') return { kind: t.kind, element: normalise(t.element), elementNullable: t.elementNullable };
  return t;
}
