import type { Column, ColumnKind, ColumnType } from './column-model.ts';

/**
 * Column model -> Glue/Athena (Hive) type strings, one entry per column kind.
 */
const glueTypes: { readonly [K in ColumnKind]: (t: Extract<ColumnType, { kind: K }>) => string } = {
  string: () => 'string',
  double: () => 'double',
  int32: () => 'int',
  int64: () => 'bigint',
  boolean: () => 'boolean',
  timestamp: () => 'timestamp',
  struct: (t) => `struct<${t.fields.map((f) => `${f.name}:${glueType(f.type)}`).join(',')}>`,
  list: (t) => `array<${glueType(t.element)}>`,
};

/**
 * The Glue/Athena type of a column type.
 *
 * @example
 * ```ts
 * glueType({ kind: 'list', element: { kind: 'int32' }, elementNullable: true }); // 'array<int>'
 * ```
 */
export function glueType(type: ColumnType): string {
  return (glueTypes[type.kind] as (t: ColumnType) => string)(type);
}

/** Glue `Columns` entries for a table's data columns. */
export function glueColumns(columns: readonly Column[]): Array<{ Name: string; Type: string }> {
  return columns.map((c) => ({ Name: c.name, Type: glueType(c.type) }));
}
