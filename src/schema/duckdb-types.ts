import type { Column, ColumnKind, ColumnType } from './column-model.ts';

/** Column model -> DuckDB SQL types, for typed empty views and casts. */
const duckdbTypes: { readonly [K in ColumnKind]: (t: Extract<ColumnType, { kind: K }>) => string } = {
  string: () => 'VARCHAR',
  double: () => 'DOUBLE',
  int32: () => 'INTEGER',
  int64: () => 'BIGINT',
  boolean: () => 'BOOLEAN',
  timestamp: () => 'TIMESTAMP WITH TIME ZONE',
  struct: (t) => `STRUCT(${t.fields.map((f) => `"${f.name}" ${duckdbType(f.type)}`).join(', ')})`,
  list: (t) => `${duckdbType(t.element)}[]`,
};

/** The DuckDB type of a column type. */
export function duckdbType(type: ColumnType): string {
  return (duckdbTypes[type.kind] as (t: ColumnType) => string)(type);
}

/** `name TYPE` pairs, quoted. */
export function duckdbColumnList(columns: readonly Column[]): string {
  return columns.map((c) => `"${c.name}" ${duckdbType(c.type)}`).join(', ');
}
