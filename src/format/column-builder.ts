import { Utf8, makeData, vectorFromArray, type Data, type DataType } from 'apache-arrow';
import type { ColumnKind, ColumnType } from '../schema/column-model.ts';
import { arrowType } from '../schema/arrow-schema.ts';
import { isoInstantMs } from '../schema/iso-instant.ts';
import { fieldAppender, type FieldAppender } from './field-appender.ts';

/**
 * One Arrow column, appended to value by value and finished once: the pipeline appends a
 * row's values as soon as the row is validated, so rows die young instead of living until
 * the batch is written. Flat columns (and structs of them) go straight into typed arrays
 * and bitmaps: Arrow's generic builders are several times slower, on structs most of all.
 */
export interface ColumnBuilder {
  /** Appends one value (null and undefined are nulls), converted as the column's kind stores it. */
  append(value: unknown): void;
  /** The appended values as Arrow data of exactly their number; call once. */
  finish(): Data;
}

/**
 * Options of {@link columnBuilder}.
 *
 * @example
 * ```ts
 * const options: ColumnBuilderOptions = { capacity: records.length };
 * ```
 */
export interface ColumnBuilderOptions {
  /** Values expected: arrays start this large, so a batch's column is not copied as it grows. */
  readonly capacity?: number;
}

/** A builder of one kind, given the column type, its Arrow type (`arrowType`'s, the schema's own) and the capacity. */
type Builder<K extends ColumnKind> = (type: Extract<ColumnType, { kind: K }>, arrow: DataType, capacity: number) => ColumnBuilder;

const INITIAL_CAPACITY = 1024;
const TWO_TO_32 = 4_294_967_296;
/** Which 32-bit half of an int64 comes first in memory (typed arrays use the platform's byte order). */
const LOW_HALF = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1 ? 0 : 1;

const encoder = new TextEncoder();

const isNull = (value: unknown): value is null | undefined => value === null || value === undefined;

function grown<T extends Float64Array | Int32Array | BigInt64Array | Uint8Array>(array: T, needed: number): T {
  const next = new (array.constructor as new (n: number) => T)(Math.max(needed, array.length * 2));
  next.set(array as never);
  return next;
}

/**
 * Validity bits, made only once a null arrives: most columns have none, and then Arrow gets
 * no bitmap at all.
 */
class Validity {
  nullCount = 0;
  private bits: Uint8Array | undefined;

  /** Marks index `i` (the next one) present. */
  valid(i: number): void {
    const bits = this.bits;
    if (bits === undefined) return;
    if (i >> 3 >= bits.length) this.bits = grown(bits, (i >> 3) + 1);
    this.bits![i >> 3]! |= 1 << (i & 7);
  }

  /** Marks index `i` (the next one) null. */
  null(i: number): void {
    this.nullCount++;
    if (this.bits === undefined) {
      // Every value before the first null was present.
      const bits = new Uint8Array(Math.max(INITIAL_CAPACITY >> 3, (i >> 2) + 1));
      bits.fill(0xff, 0, i >> 3);
      for (let k = i & ~7; k < i; k++) bits[k >> 3]! |= 1 << (k & 7);
      this.bits = bits;
    } else if (i >> 3 >= this.bits.length) {
      this.bits = grown(this.bits, (i >> 3) + 1);
    }
  }

  bitmap(length: number): Uint8Array | undefined {
    return this.nullCount === 0 ? undefined : this.bits!.subarray(0, (length + 7) >> 3);
  }
}

/** Doubles and 32-bit integers: the typed array's own conversion, as an assignment makes it. */
class NumberBuilder implements ColumnBuilder {
  private length = 0;
  private readonly validity = new Validity();
  constructor(
    private readonly type: DataType,
    private values: Float64Array | Int32Array,
  ) {}

  append(value: unknown): void {
    const i = this.length++;
    if (i === this.values.length) this.values = grown(this.values, i + 1);
    if (isNull(value)) this.validity.null(i);
    else {
      this.values[i] = value as number;
      this.validity.valid(i);
    }
  }

  finish(): Data {
    const { length, validity } = this;
    return makeData({ type: this.type, length, nullCount: validity.nullCount, nullBitmap: validity.bitmap(length), data: this.values.subarray(0, length) } as never);
  }
}

/** A row's integers are numbers (or bigints, from other readers); either way the column holds their value. */
const integer = (value: unknown): unknown => (typeof value === 'bigint' ? Number(value) : value);

/** A timestamp's epoch milliseconds: a Date's instant, or an ISO string's (UTC when it names no zone). */
function timestampMillis(value: unknown): number {
  const ms = value instanceof Date ? value.getTime() : isoInstantMs(String(value));
  if (!Number.isFinite(ms)) throw new TypeError(`not a valid timestamp: ${String(value)}`);
  return ms;
}

/**
 * 64-bit integers and timestamps. A safe integer (every epoch millisecond, every integer zod
 * accepts) is written as two 32-bit halves; no BigInt is made per value.
 */
class Int64Builder implements ColumnBuilder {
  private length = 0;
  private readonly validity = new Validity();
  private values: BigInt64Array;
  private halves: Int32Array;
  constructor(
    private readonly type: DataType,
    private readonly toNumber: (value: unknown) => unknown,
    capacity: number,
  ) {
    this.values = new BigInt64Array(capacity);
    this.halves = new Int32Array(this.values.buffer);
  }

  append(value: unknown): void {
    const i = this.length++;
    if (i === this.values.length) {
      this.values = grown(this.values, i + 1);
      this.halves = new Int32Array(this.values.buffer);
    }
    if (isNull(value)) {
      this.validity.null(i);
      return;
    }
    const n = this.toNumber(value);
    if (typeof n === 'number' && Number.isSafeInteger(n)) {
      const high = Math.floor(n / TWO_TO_32);
      this.halves[2 * i + LOW_HALF] = n - high * TWO_TO_32;
      this.halves[2 * i + 1 - LOW_HALF] = high;
    } else {
      // Anything else converts (or fails) exactly as BigInt() makes it.
      this.values[i] = BigInt(n as number);
    }
    this.validity.valid(i);
  }

  finish(): Data {
    const { length, validity } = this;
    return makeData({ type: this.type, length, nullCount: validity.nullCount, nullBitmap: validity.bitmap(length), data: this.values.subarray(0, length) } as never);
  }
}

class BoolBuilder implements ColumnBuilder {
  private length = 0;
  private readonly validity = new Validity();
  private bits: Uint8Array;
  constructor(
    private readonly type: DataType,
    capacity: number,
  ) {
    this.bits = new Uint8Array((capacity + 7) >> 3);
  }

  append(value: unknown): void {
    const i = this.length++;
    if (i >> 3 === this.bits.length) this.bits = grown(this.bits, (i >> 3) + 1);
    if (isNull(value)) this.validity.null(i);
    else {
      if (value === true) this.bits[i >> 3]! |= 1 << (i & 7);
      this.validity.valid(i);
    }
  }

  finish(): Data {
    const { length, validity } = this;
    return makeData({ type: this.type, length, nullCount: validity.nullCount, nullBitmap: validity.bitmap(length), data: this.bits.subarray(0, (length + 7) >> 3) } as never);
  }
}

/** UTF-8 bytes and offsets of `texts` (null entries are empty). */
function utf8Data(type: DataType, texts: readonly (string | null)[], nullCount: number, nullBitmap: Uint8Array | undefined): Data {
  const offsets = new Int32Array(texts.length + 1);
  let bytes = new Uint8Array(Math.max(64, texts.length * 16));
  let end = 0;
  for (let i = 0; i < texts.length; i++) {
    const text = texts[i];
    if (text !== null && text !== undefined) {
      // A UTF-16 unit encodes to at most 3 bytes.
      const need = end + text.length * 3;
      if (need > bytes.length) bytes = grown(bytes, need);
      end += encoder.encodeInto(text, bytes.subarray(end)).written;
    }
    offsets[i + 1] = end;
  }
  return makeData({ type, length: texts.length, nullCount, nullBitmap, valueOffsets: offsets, data: bytes.subarray(0, end) } as never);
}

class Utf8Builder implements ColumnBuilder {
  private readonly texts: (string | null)[] = [];
  private readonly validity = new Validity();
  constructor(private readonly type: DataType) {}

  append(value: unknown): void {
    const i = this.texts.length;
    if (isNull(value)) {
      this.texts.push(null);
      this.validity.null(i);
    } else {
      this.texts.push(String(value));
      this.validity.valid(i);
    }
  }

  finish(): Data {
    const { texts, validity } = this;
    return utf8Data(this.type, texts, validity.nullCount, validity.bitmap(texts.length));
  }
}

/** Low-cardinality strings: Int32 indices into the distinct values, in order of first appearance. */
class DictionaryBuilder implements ColumnBuilder {
  private length = 0;
  private readonly validity = new Validity();
  private indices: Int32Array;
  private readonly positions = new Map<string, number>();
  private readonly dictionary: string[] = [];
  // Rows of a batch often repeat the last value (a device's readings come together): found again without hashing.
  private lastText: string | undefined;
  private lastIndex = 0;
  constructor(
    private readonly type: DataType,
    capacity: number,
  ) {
    this.indices = new Int32Array(capacity);
  }

  append(value: unknown): void {
    const i = this.length++;
    if (i === this.indices.length) this.indices = grown(this.indices, i + 1);
    if (isNull(value)) {
      this.validity.null(i);
      return;
    }
    const text = String(value);
    let index: number;
    if (text === this.lastText) index = this.lastIndex;
    else {
      let found = this.positions.get(text);
      if (found === undefined) {
        found = this.dictionary.length;
        this.positions.set(text, found);
        this.dictionary.push(text);
      }
      index = found;
      this.lastText = text;
      this.lastIndex = found;
    }
    this.indices[i] = index;
    this.validity.valid(i);
  }

  finish(): Data {
    const { length, validity, dictionary } = this;
    return makeData({
      type: this.type,
      length,
      nullCount: validity.nullCount,
      nullBitmap: validity.bitmap(length),
      data: this.indices.subarray(0, length),
      dictionary: vectorFromArray(dictionary, new Utf8()),
    } as never);
  }
}

/** A struct of columns: a null struct is null in every field too, as Arrow's own builder makes it. */
class StructBuilder implements ColumnBuilder {
  private length = 0;
  private readonly validity = new Validity();
  private readonly fields: readonly ColumnBuilder[];
  private readonly appendFields: FieldAppender;
  constructor(
    type: Extract<ColumnType, { kind: 'struct' }>,
    private readonly arrow: DataType,
    capacity: number,
  ) {
    this.fields = type.fields.map((f) => columnBuilder(f.type, { capacity }));
    this.appendFields = fieldAppender(
      type.fields.map((f) => f.name),
      this.fields,
    );
  }

  append(value: unknown): void {
    const i = this.length++;
    if (isNull(value)) {
      this.validity.null(i);
      const fields = this.fields;
      for (let f = 0; f < fields.length; f++) fields[f]!.append(null);
      return;
    }
    this.appendFields(value as Record<string, unknown>);
    this.validity.valid(i);
  }

  finish(): Data {
    const { length, validity } = this;
    const children = this.fields.map((f) => f.finish());
    return makeData({ type: this.arrow as never, length, nullCount: validity.nullCount, nullBitmap: validity.bitmap(length), children });
  }
}

/** Lists go through Arrow's own builders, with timestamps and 64-bit integers converted first. */
class ListBuilder implements ColumnBuilder {
  private readonly values: unknown[] = [];
  constructor(
    private readonly type: Extract<ColumnType, { kind: 'list' }>,
    private readonly arrow: DataType,
  ) {}

  append(value: unknown): void {
    this.values.push(prepareNested(value, this.type));
  }

  finish(): Data {
    return vectorFromArray(this.values, this.arrow).data[0]!;
  }
}

function prepareNested(value: unknown, type: ColumnType): unknown {
  if (isNull(value)) return null;
  if (type.kind === 'timestamp') return timestampMillis(value);
  if (type.kind === 'int64') return BigInt(integer(value) as number);
  if (type.kind === 'list') {
    if (!Array.isArray(value)) return (value as unknown[]).map((v) => prepareNested(v, type.element));
    // A hole in a list is a missing element, null like an undefined one (map would keep it a hole).
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = prepareNested(value[i], type.element);
    return out;
  }
  if (type.kind === 'struct') {
    const out: Record<string, unknown> = {};
    for (const field of type.fields) out[field.name] = prepareNested((value as Record<string, unknown>)[field.name], field.type);
    return out;
  }
  return value;
}

const builders: { readonly [K in ColumnKind]: Builder<K> } = {
  string: (type, arrow, capacity) => (type.dictionary ? new DictionaryBuilder(arrow, capacity) : new Utf8Builder(arrow)),
  double: (_, arrow, capacity) => new NumberBuilder(arrow, new Float64Array(capacity)),
  int32: (_, arrow, capacity) => new NumberBuilder(arrow, new Int32Array(capacity)),
  int64: (_, arrow, capacity) => new Int64Builder(arrow, integer, capacity),
  boolean: (_, arrow, capacity) => new BoolBuilder(arrow, capacity),
  timestamp: (_, arrow, capacity) => new Int64Builder(arrow, timestampMillis, capacity),
  struct: (type, arrow, capacity) => new StructBuilder(type, arrow, capacity),
  list: (type, arrow) => new ListBuilder(type, arrow),
};

/**
 * An empty builder for one column type.
 *
 * @example
 * ```ts
 * const b = columnBuilder({ kind: 'double' });
 * b.append(21.5);
 * b.append(null);
 * b.finish().nullCount; // 1
 * ```
 */
export function columnBuilder(type: ColumnType, options: ColumnBuilderOptions = {}): ColumnBuilder {
  // At least one slot: growing doubles the length, which must not stay at zero.
  const capacity = Math.max(1, options.capacity ?? INITIAL_CAPACITY);
  return (builders[type.kind] as (t: ColumnType, arrow: DataType, capacity: number) => ColumnBuilder)(type, arrowType(type), capacity);
}
