import { Precision, Type, type Data, type Table } from 'apache-arrow';

/**
 * Which columns a Parquet file dictionary-encodes: those whose values repeat enough for a
 * dictionary to pay, read off the values being written. A dictionary makes repeating
 * values (device ids, readings rounded to two decimals, one timestamp per second for a
 * whole fleet) smaller and lets readers skip row groups by dictionary; on nearly unique
 * values (arrival times in milliseconds, raw sensor angles) it only adds a dictionary page
 * the size of the column, and time to build it. Measured on the bench's batch of 10,000
 * Sense HAT rows with ZSTD: dictionaries on every column 231 kB; only where values repeat
 * 198 kB.
 */

/** A column dictionary-encodes when at most this share of its values are distinct. */
const MAX_DISTINCT_SHARE = 1 / 3;
/**
 * ... and at most this many: about the writer's 1 MB dictionary page of 8-byte values, past
 * which it gives the dictionary up by itself. Bounds the memory of counting on large files.
 */
const MAX_DISTINCT = 1 << 17;

export interface DictionaryChoice {
  /** For each top-level column that holds values itself (not a struct or list): whether it is dictionary-encoded. */
  readonly columns: ReadonlyArray<readonly [name: string, dictionary: boolean]>;
  /**
   * For every other column: nested fields. parquet-wasm names columns by their top-level
   * name only, so nested fields share this one setting: on when any of them pays.
   */
  readonly nested: boolean;
}

/**
 * Counts distinct 64-bit keys (two 32-bit halves) up to a limit, in an open-addressing table
 * sized for the limit: nothing is allocated per value.
 */
class DistinctCounter {
  private readonly used: Uint8Array;
  private readonly keys: Int32Array;
  private readonly mask: number;
  private distinct = 0;
  private lastA = 0;
  private lastB = 0;
  private hasLast = false;

  constructor(private readonly limit: number) {
    let capacity = 16;
    while (capacity < limit * 2 + 2) capacity *= 2;
    this.mask = capacity - 1;
    this.used = new Uint8Array(capacity);
    this.keys = new Int32Array(capacity * 2);
  }

  /** Adds a key; false once more than `limit` distinct keys were seen. */
  add(a: number, b: number): boolean {
    // Runs of one value (a device's readings, one second of a fleet) are common: no lookup for them.
    if (this.hasLast && a === this.lastA && b === this.lastB) return true;
    this.hasLast = true;
    this.lastA = a;
    this.lastB = b;
    const { used, keys, mask } = this;
    let hash = Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca6b);
    hash ^= hash >>> 15;
    let slot = hash & mask;
    while (used[slot] === 1) {
      if (keys[2 * slot] === a && keys[2 * slot + 1] === b) return true;
      slot = (slot + 1) & mask;
    }
    if (++this.distinct > this.limit) return false;
    used[slot] = 1;
    keys[2 * slot] = a;
    keys[2 * slot + 1] = b;
    return true;
  }
}

/** Adds every value of one chunk to the counter; false once it is over its limit. */
type ChunkCounter = (chunk: Data, counter: DistinctCounter) => boolean;

/** The value bytes of a fixed-width chunk as 32-bit words (Arrow slices `values` to the chunk, so index 0 is its first value). */
function words(chunk: Data): Int32Array {
  const values = chunk.values as unknown as ArrayBufferView;
  return new Int32Array(values.buffer, values.byteOffset, values.byteLength >> 2);
}

const oneWord: ChunkCounter = (chunk, counter) => {
  const w = words(chunk);
  for (let i = 0; i < chunk.length; i++) if (!counter.add(w[i]!, 0)) return false;
  return true;
};

const twoWords: ChunkCounter = (chunk, counter) => {
  const w = words(chunk);
  for (let i = 0; i < chunk.length; i++) if (!counter.add(w[2 * i]!, w[2 * i + 1]!)) return false;
  return true;
};

/** Strings by two hashes of their bytes: a collision can only make a column look more repetitive than it is. */
const utf8Hashes: ChunkCounter = (chunk, counter) => {
  const offsets = chunk.valueOffsets as Int32Array;
  const bytes = chunk.values as Uint8Array;
  for (let index = 0; index < chunk.length; index++) {
    const start = offsets[index]!;
    const end = offsets[index + 1]!;
    let a = 0x811c9dc5 | 0;
    let b = end - start;
    for (let i = start; i < end; i++) {
      const byte = bytes[i]!;
      a = Math.imul(a ^ byte, 0x01000193);
      b = (Math.imul(b, 31) + byte) | 0;
    }
    if (!counter.add(a, b)) return false;
  }
  return true;
};

/** Counters of fixed-width values by their width in bits. */
const byWidth: Readonly<Record<number, ChunkCounter>> = { 32: oneWord, 64: twoWords };
const floatWidths: Readonly<Record<number, number>> = { [Precision.SINGLE]: 32, [Precision.DOUBLE]: 64 };

/** How values of each leaf type are counted, by Arrow type id; absent where a dictionary never pays (booleans). */
const chunkCounters: Partial<Record<Type, (chunk: Data) => ChunkCounter | undefined>> = {
  [Type.Utf8]: () => utf8Hashes,
  [Type.Int]: (chunk) => byWidth[(chunk.type as unknown as { bitWidth: number }).bitWidth],
  [Type.Float]: (chunk) => byWidth[floatWidths[(chunk.type as unknown as { precision: Precision }).precision] ?? 0],
  [Type.Timestamp]: () => twoWords,
};

/**
 * True when few enough of the values across `chunks` are distinct. Counting stops as soon
 * as there are more, so a column of unique values costs a third of a pass, not a hash set
 * of all of it.
 */
function repeatsEnough(chunks: readonly Data[]): boolean {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const counter = new DistinctCounter(Math.min(Math.floor(total * MAX_DISTINCT_SHARE), MAX_DISTINCT));
  for (const chunk of chunks) {
    const count = chunkCounters[chunk.typeId]?.(chunk);
    if (!count || !count(chunk, counter)) return false;
  }
  return true;
}

/** Whether a leaf's chunks pay for a dictionary: declared low-cardinality (Arrow dictionaries) always do. */
function leafPays(chunks: readonly Data[]): boolean {
  const first = chunks[0];
  if (!first) return false;
  return first.typeId === Type.Dictionary || repeatsEnough(chunks);
}

const isNested = (chunk: Data | undefined): chunk is Data => chunk !== undefined && (chunk.typeId === Type.Struct || chunk.typeId === Type.List);

/** Whether any leaf under these nested chunks pays for a dictionary. */
function nestedPays(chunks: readonly Data[]): boolean {
  const first = chunks[0];
  if (isNested(first)) return first.children.some((_, i) => nestedPays(chunks.map((c) => c.children[i]!)));
  return leafPays(chunks);
}

/**
 * The dictionary setting of each column of `table`, from its values.
 *
 * @example
 * ```ts
 * const choice = dictionaryChoice(table);
 * choice.columns; // [['device_id', true], ['arrival_time', false], ...]
 * ```
 */
export function dictionaryChoice(table: Table): DictionaryChoice {
  const columns: Array<readonly [string, boolean]> = [];
  let nested = false;
  table.schema.fields.forEach((field, i) => {
    const chunks = table.getChildAt(i)?.data ?? [];
    if (isNested(chunks[0])) nested ||= nestedPays(chunks);
    else columns.push([field.name, leafPays(chunks)]);
  });
  return { columns, nested };
}
