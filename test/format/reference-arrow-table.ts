/**
 * `rowsToArrowTable` as it was before columns were built by `columnBuilder`, kept verbatim
 * (exports renamed) as the reference the builders must equal on rows of the declared types.
 */
import {
  Bool,
  Data,
  Dictionary,
  Float64,
  Int32,
  Int64,
  RecordBatch,
  Struct,
  Table,
  Timestamp,
  TimeUnit,
  Utf8,
  makeData,
  vectorFromArray,
  type DataType,
} from 'apache-arrow';
import type { Column, ColumnKind, ColumnType } from '../../src/schema/column-model.ts';
import { arrowSchema, arrowType } from '../../src/schema/arrow-schema.ts';

/**
 * Rows -> Arrow table, column by column, from the declared columns (never from the values).
 * Flat columns are built straight into typed arrays and bitmaps: the generic Arrow
 * builders are several times slower on large string columns.
 */

type Values = readonly unknown[];
type ColumnBuilder<K extends ColumnKind> = (values: Values, type: Extract<ColumnType, { kind: K }>) => Data;

const encoder = new TextEncoder();

/** Validity bitmap (bit set = value present) and null count. */
function validity(values: Values): { bitmap: Uint8Array | undefined; nullCount: number } {
  let nullCount = 0;
  const bitmap = new Uint8Array((values.length + 7) >> 3);
  for (let i = 0; i < values.length; i++) {
    if (values[i] === null || values[i] === undefined) nullCount++;
    else bitmap[i >> 3]! |= 1 << (i & 7);
  }
  return { bitmap: nullCount === 0 ? undefined : bitmap, nullCount };
}

function utf8Data(values: Values): Data<Utf8> {
  const { bitmap, nullCount } = validity(values);
  const offsets = new Int32Array(values.length + 1);
  let bytes = new Uint8Array(Math.max(64, values.length * 16));
  let end = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value !== null && value !== undefined) {
      const text = String(value);
      // A UTF-16 unit encodes to at most 3 bytes.
      const need = end + text.length * 3;
      if (need > bytes.length) {
        const grown = new Uint8Array(Math.max(need, bytes.length * 2));
        grown.set(bytes.subarray(0, end));
        bytes = grown;
      }
      end += encoder.encodeInto(text, bytes.subarray(end)).written;
    }
    offsets[i + 1] = end;
  }
  return makeData({ type: new Utf8(), length: values.length, nullCount, nullBitmap: bitmap, valueOffsets: offsets, data: bytes.subarray(0, end) });
}

function dictionaryData(values: Values): Data {
  const { bitmap, nullCount } = validity(values);
  const indices = new Int32Array(values.length);
  const positions = new Map<string, number>();
  const dictionary: string[] = [];
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === null || value === undefined) continue;
    const text = String(value);
    let index = positions.get(text);
    if (index === undefined) {
      index = dictionary.length;
      positions.set(text, index);
      dictionary.push(text);
    }
    indices[i] = index;
  }
  const type = new Dictionary(new Utf8(), new Int32());
  return makeData({
    type,
    length: values.length,
    nullCount,
    nullBitmap: bitmap,
    data: indices,
    dictionary: vectorFromArray(dictionary, new Utf8()) as never,
  });
}

function numberData<T extends Float64 | Int32>(type: T, array: Float64Array | Int32Array, values: Values): Data<T> {
  const { bitmap, nullCount } = validity(values);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value !== null && value !== undefined) array[i] = value as number;
  }
  return makeData({ type, length: values.length, nullCount, nullBitmap: bitmap, data: array } as never) as unknown as Data<T>;
}

function bigIntData<T extends Int64 | Timestamp>(type: T, values: Values, toMillis: (v: unknown) => number): Data<T> {
  const { bitmap, nullCount } = validity(values);
  const array = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value !== null && value !== undefined) array[i] = BigInt(toMillis(value));
  }
  return makeData({ type, length: values.length, nullCount, nullBitmap: bitmap, data: array } as never) as unknown as Data<T>;
}

const timestampMillis = (value: unknown): number => {
  const ms = value instanceof Date ? value.getTime() : Date.parse(String(value));
  if (!Number.isFinite(ms)) throw new TypeError(`not a valid timestamp: ${String(value)}`);
  return ms;
};

const integer = (value: unknown): number => {
  if (typeof value === 'bigint') return Number(value);
  return value as number;
};

function boolData(values: Values): Data<Bool> {
  const { bitmap, nullCount } = validity(values);
  const bits = new Uint8Array((values.length + 7) >> 3);
  for (let i = 0; i < values.length; i++) if (values[i] === true) bits[i >> 3]! |= 1 << (i & 7);
  return makeData({ type: new Bool(), length: values.length, nullCount, nullBitmap: bitmap, data: bits });
}

/** Nested values go through Arrow's own builders; timestamps inside them become epoch ms first. */
function nestedData(values: Values, type: ColumnType): Data {
  const prepared = values.map((v) => prepareNested(v, type));
  return vectorFromArray(prepared, arrowType(type) as DataType).data[0]!;
}

function prepareNested(value: unknown, type: ColumnType): unknown {
  if (value === null || value === undefined) return null;
  if (type.kind === 'timestamp') return timestampMillis(value);
  if (type.kind === 'int64') return BigInt(integer(value));
  if (type.kind === 'list') return (value as unknown[]).map((v) => prepareNested(v, type.element));
  if (type.kind === 'struct') {
    const out: Record<string, unknown> = {};
    for (const field of type.fields) out[field.name] = prepareNested((value as Record<string, unknown>)[field.name], field.type);
    return out;
  }
  return value;
}

const builders: { readonly [K in ColumnKind]: ColumnBuilder<K> } = {
  string: (values, type) => (type.dictionary ? dictionaryData(values) : utf8Data(values)),
  double: (values) => numberData(new Float64(), new Float64Array(values.length), values),
  int32: (values) => numberData(new Int32(), new Int32Array(values.length), values),
  int64: (values) => bigIntData(new Int64(), values, integer),
  boolean: (values) => boolData(values),
  timestamp: (values) => bigIntData(new Timestamp(TimeUnit.MILLISECOND, 'UTC'), values, timestampMillis),
  struct: (values, type) => nestedData(values, type),
  list: (values, type) => nestedData(values, type),
};

/** One column's Arrow data from its values (null/undefined = null). */
function columnData(values: Values, type: ColumnType): Data {
  return (builders[type.kind] as (v: Values, t: ColumnType) => Data)(values, type);
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
export function referenceRowsToArrowTable(rows: readonly Record<string, unknown>[], columns: readonly Column[]): Table {
  const schema = arrowSchema(columns);
  const children = columns.map((column) => columnData(rows.map((row) => row[column.name]), column.type));
  const struct = makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children });
  return new Table(schema, new RecordBatch(schema, struct));
}
