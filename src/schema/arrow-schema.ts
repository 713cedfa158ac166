import {
  Bool,
  Dictionary,
  Field,
  Float64,
  Int32,
  Int64,
  List,
  Schema,
  Struct,
  TimeUnit,
  Timestamp,
  Utf8,
  type DataType,
} from 'apache-arrow';
import type { Column, ColumnKind, ColumnType } from './column-model.ts';

/**
 * Column model -> Arrow types, one entry per column kind. Timestamps are always
 * milliseconds in UTC (Athena cannot read nanoseconds); they become Parquet
 * INT64 TIMESTAMP(MILLIS, isAdjustedToUTC=true).
 */
const arrowTypes: { readonly [K in ColumnKind]: (t: Extract<ColumnType, { kind: K }>) => DataType } = {
  string: (t) => (t.dictionary ? new Dictionary(new Utf8(), new Int32()) : new Utf8()),
  double: () => new Float64(),
  int32: () => new Int32(),
  int64: () => new Int64(),
  boolean: () => new Bool(),
  timestamp: () => new Timestamp(TimeUnit.MILLISECOND, 'UTC'),
  struct: (t) => new Struct(t.fields.map(arrowField)),
  list: (t) => new List(new Field('element', arrowType(t.element), t.elementNullable)),
};

/** The Arrow type of one column type. */
export function arrowType(type: ColumnType): DataType {
  return (arrowTypes[type.kind] as (t: ColumnType) => DataType)(type);
}

/** The Arrow field of one column. */
export function arrowField(column: Column): Field {
  return new Field(column.name, arrowType(column.type), column.nullable);
}

/** The Arrow schema of a table's data columns. */
export function arrowSchema(columns: readonly Column[]): Schema {
  return new Schema(columns.map(arrowField));
}
