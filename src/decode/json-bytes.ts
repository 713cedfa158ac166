import { NOT_HANDLED, type NotHandled } from './not-handled.ts';

/** JSON tokens read straight from UTF-8 bytes, exactly as JSON.parse reads them, or not at all. */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
/** First letters of true, false and null. */
const T = 0x74;
const F = 0x66;
const N = 0x6e;

/** The bytes compiled decoders look for between tokens (`NULL_START`: the n of null). */
export const JsonByte = { QUOTE, COMMA, COLON, OPEN_BRACE, CLOSE_BRACE, OPEN_BRACKET, CLOSE_BRACKET, NULL_START: N } as const;

/** A stripped or loose value deeper than this is left to the generic decoder (no stack to spare on a hostile record). */
const MAX_DEPTH = 256;

/** Bytes that end a run of plain ASCII inside a string: the quote, the backslash, controls, and every non-ASCII byte. */
const STRING_STOP = new Uint8Array(256);
for (let b = 0; b < 0x20; b++) STRING_STOP[b] = 1;
STRING_STOP[QUOTE] = 1;
STRING_STOP[BACKSLASH] = 1;
for (let b = 0x80; b < 0x100; b++) STRING_STOP[b] = 1;

/** The code unit each one-letter escape stands for; 0 where the letter is no escape. */
const ESCAPES = new Uint16Array(128);
ESCAPES[QUOTE] = QUOTE;
ESCAPES[BACKSLASH] = BACKSLASH;
ESCAPES[0x2f] = 0x2f;
ESCAPES[0x62] = 0x08;
ESCAPES[0x66] = 0x0c;
ESCAPES[0x6e] = 0x0a;
ESCAPES[0x72] = 0x0d;
ESCAPES[0x74] = 0x09;
const ESCAPE_U = 0x75;

/** Hex digit values, -1 for a byte that is none. */
const HEX = new Int8Array(256).fill(-1);
for (let d = 0; d < 10; d++) HEX[DIGIT_0 + d] = d;
for (let d = 0; d < 6; d++) {
  HEX[0x41 + d] = 10 + d;
  HEX[0x61 + d] = 10 + d;
}

/** Exact powers of ten as doubles (10^22 is the last one a double holds exactly). */
const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));
/** Significant digits below 10^15 fit a double's 53-bit mantissa exactly. */
const MAX_EXACT_DIGITS = 15;

const TRUE = Uint8Array.of(T, 0x72, 0x75, 0x65);
const FALSE = Uint8Array.of(F, 0x61, 0x6c, 0x73, 0x65);
const NULL = Uint8Array.of(N, 0x75, 0x6c, 0x6c);

/** `String.fromCharCode` takes its arguments on the stack: long strings go in chunks. */
const CHUNK = 4096;

const EMPTY = new Uint8Array(0);

type Latin1Slice = (this: Uint8Array, start: number, end: number) => string;

/**
 * Node's latin1 decoder, the fastest way from ASCII bytes to a string (ASCII is the same in
 * latin1 and UTF-8); it works on any Uint8Array, so no Buffer is made per record. Only ASCII
 * bytes are ever passed to it, so `String.fromCharCode` stands in where it is missing.
 */
const latin1Slice: Latin1Slice =
  (Buffer.prototype as unknown as { latin1Slice?: Latin1Slice }).latin1Slice ??
  function (this: Uint8Array, start: number, end: number): string {
    return String.fromCharCode(...this.subarray(start, end));
  };

/** Strings up to this many bytes are looked up in a field's {@link StringCache}. */
const MAX_CACHED_BYTES = 32;

/**
 * Recent strings of one field, by a hash of their bytes: a field with few distinct values
 * (device ids, units, timestamps shared by a fleet) gets back the string it made before
 * instead of a new one. Direct-mapped, so a lookup is one hash and one comparison.
 */
export type StringCache = Array<string | undefined>;

/**
 * A new, empty {@link StringCache}: one per string field of a compiled decoder.
 *
 * @example
 * ```ts
 * const cache = stringCache();
 * json.string(cache) === json2.string(cache); // the same string object for the same bytes
 * ```
 */
export const stringCache = (): StringCache => new Array<string | undefined>(256);

const isDigit = (b: number): boolean => b >= DIGIT_0 && b <= DIGIT_9;

function fromCodeUnits(units: readonly number[]): string {
  if (units.length <= CHUNK) return String.fromCharCode(...units);
  let out = '';
  for (let i = 0; i < units.length; i += CHUNK) out += String.fromCharCode(...units.slice(i, i + CHUNK));
  return out;
}

const encoder = new TextEncoder();

/**
 * How JSON spells `text` between its quotes, as UTF-8 bytes: what {@link JsonBytes.key} and
 * {@link JsonBytes.literal} compare a document's keys and strings with. Bytes equal to a
 * JSON spelling decode to that text.
 *
 * @example
 * ```ts
 * spelledKey('a"b'); // the bytes of a\"b
 * ```
 */
export const spelledKey = (text: string): Uint8Array => encoder.encode(JSON.stringify(text).slice(1, -1));

/** Result of {@link JsonBytes.key}: the key is no field (`UNKNOWN_KEY`), or cannot be read exactly (`KEY_NOT_HANDLED`). */
export const UNKNOWN_KEY = -1;
export const KEY_NOT_HANDLED = -2;

/**
 * A cursor over one JSON document as UTF-8 bytes, for decoders compiled from a schema: it
 * reads tokens where they are, with no string made of the whole document. Every token it
 * returns is exactly what `JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))`
 * would give for it; anything it cannot vouch for (bad UTF-8, bad JSON, very deep nesting)
 * comes back as `NOT_HANDLED`, and the generic decoder decides that record instead.
 *
 * @example
 * ```ts
 * const json = new JsonBytes();
 * json.reset(new TextEncoder().encode('{"t": 21.5}'));
 * json.peek(); // 0x7b '{'
 * ```
 */
export class JsonBytes {
  /** The document. */
  bytes: Uint8Array = EMPTY;
  /** Next byte to read. */
  pos = 0;
  /** Bounds of the last key read by {@link key}, quotes excluded. */
  private keyStart = 0;
  private keyEnd = 0;
  private keyAscii = true;

  /** Starts reading a new document. */
  reset(bytes: Uint8Array): void {
    this.bytes = bytes;
    this.pos = 0;
  }

  /** Skips whitespace and returns the next byte without consuming it; -1 at the end. */
  peek(): number {
    const bytes = this.bytes;
    const end = bytes.length;
    let pos = this.pos;
    while (pos < end) {
      const b = bytes[pos]!;
      if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) {
        this.pos = pos;
        return b;
      }
      pos++;
    }
    this.pos = pos;
    return -1;
  }

  /** Skips whitespace, then consumes `byte` if it comes next. */
  eat(byte: number): boolean {
    if (this.peek() !== byte) return false;
    this.pos++;
    return true;
  }

  /** Consumes `true`, `false` or `null` spelled by `word`, if it comes next. */
  private word(word: Uint8Array): boolean {
    const bytes = this.bytes;
    const pos = this.pos;
    if (pos + word.length > bytes.length) return false;
    for (let i = 0; i < word.length; i++) if (bytes[pos + i] !== word[i]) return false;
    this.pos = pos + word.length;
    return true;
  }

  /** A boolean at the cursor (after {@link peek}). */
  boolean(): boolean | NotHandled {
    if (this.word(TRUE)) return true;
    if (this.word(FALSE)) return false;
    return NOT_HANDLED;
  }

  /** `null` at the cursor (after {@link peek}). */
  null(): null | NotHandled {
    return this.word(NULL) ? null : NOT_HANDLED;
  }

  /**
   * Consumes the string at the cursor (after {@link peek} saw the quote) if it is spelled
   * exactly `spelled` between its quotes (a known string's JSON spelling: see {@link spelledKey}).
   */
  literal(spelled: Uint8Array): boolean {
    const bytes = this.bytes;
    const start = this.pos + 1;
    const after = start + spelled.length;
    if (after >= bytes.length || bytes[after] !== QUOTE || !sameBytes(bytes, start, spelled.length, spelled)) return false;
    this.pos = after + 1;
    return true;
  }

  /** A string at the cursor (after {@link peek} saw the quote), from `cache` when it has it. */
  string(cache?: StringCache): string | NotHandled {
    const bytes = this.bytes;
    const start = this.pos + 1;
    const end = bytes.length;
    let i = start;
    while (i < end && STRING_STOP[bytes[i]!] === 0) i++;
    if (i >= end || bytes[i] !== QUOTE) return this.slowString(start);
    this.pos = i + 1;
    const length = i - start;
    if (length === 0) return '';
    if (cache === undefined || length > MAX_CACHED_BYTES) return latin1Slice.call(bytes, start, i);
    let hash = length;
    for (let j = start; j < i; j++) hash = (Math.imul(hash, 31) + bytes[j]!) | 0;
    const slot = (hash ^ (hash >>> 8)) & (cache.length - 1);
    const seen = cache[slot];
    if (seen !== undefined && sameChars(seen, bytes, start, length)) return seen;
    const made = latin1Slice.call(bytes, start, i);
    cache[slot] = made;
    return made;
  }

  /** A string with escapes or non-ASCII characters, decoded code unit by code unit. */
  private slowString(start: number): string | NotHandled {
    const bytes = this.bytes;
    const end = bytes.length;
    const units: number[] = [];
    let i = start;
    for (;;) {
      if (i >= end) return NOT_HANDLED;
      const b = bytes[i]!;
      if (b === QUOTE) break;
      if (b < 0x20) return NOT_HANDLED;
      if (b === BACKSLASH) {
        const unit = this.escape(i);
        if (unit < 0) return NOT_HANDLED;
        units.push(unit);
        i += bytes[i + 1] === ESCAPE_U ? 6 : 2;
      } else if (b < 0x80) {
        units.push(b);
        i++;
      } else {
        const next = this.utf8(i, units);
        if (next < 0) return NOT_HANDLED;
        i = next;
      }
    }
    this.pos = i + 1;
    return fromCodeUnits(units);
  }

  /** The code unit of the escape at `i` (a backslash), or -1. JSON.parse keeps lone surrogates of `\uD800` as they are, and so does this. */
  private escape(i: number): number {
    const bytes = this.bytes;
    const letter = bytes[i + 1];
    if (letter === undefined || letter >= 0x80) return -1;
    if (letter !== ESCAPE_U) return ESCAPES[letter]! || -1;
    if (i + 6 > bytes.length) return -1;
    const a = HEX[bytes[i + 2]!]!;
    const b = HEX[bytes[i + 3]!]!;
    const c = HEX[bytes[i + 4]!]!;
    const d = HEX[bytes[i + 5]!]!;
    if ((a | b | c | d) < 0) return -1;
    return (a << 12) | (b << 8) | (c << 4) | d;
  }

  /**
   * Decodes the UTF-8 sequence at `i` into `units` (when given) and returns the index after
   * it, or -1 for anything but a well-formed sequence (Unicode table 3-7: no overlongs, no
   * surrogates, nothing above U+10FFFF), which the strict TextDecoder rejects too.
   */
  private utf8(i: number, units: number[] | undefined): number {
    const bytes = this.bytes;
    const end = bytes.length;
    const b0 = bytes[i]!;
    let code: number;
    let length: number;
    let low = 0x80;
    let high = 0xbf;
    if (b0 >= 0xc2 && b0 <= 0xdf) {
      length = 2;
      code = b0 & 0x1f;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      length = 3;
      code = b0 & 0x0f;
      if (b0 === 0xe0) low = 0xa0;
      else if (b0 === 0xed) high = 0x9f;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      length = 4;
      code = b0 & 0x07;
      if (b0 === 0xf0) low = 0x90;
      else if (b0 === 0xf4) high = 0x8f;
    } else {
      return -1;
    }
    if (i + length > end) return -1;
    const b1 = bytes[i + 1]!;
    if (b1 < low || b1 > high) return -1;
    code = (code << 6) | (b1 & 0x3f);
    for (let k = 2; k < length; k++) {
      const bk = bytes[i + k]!;
      if (bk < 0x80 || bk > 0xbf) return -1;
      code = (code << 6) | (bk & 0x3f);
    }
    if (units) {
      if (code < 0x10000) units.push(code);
      else units.push(0xd800 + ((code - 0x10000) >> 10), 0xdc00 + ((code - 0x10000) & 0x3ff));
    }
    return i + length;
  }

  /** Skips a string at the cursor, checking it is valid JSON and valid UTF-8. */
  private skipString(): boolean {
    const bytes = this.bytes;
    const end = bytes.length;
    let i = this.pos + 1;
    for (;;) {
      while (i < end && STRING_STOP[bytes[i]!] === 0) i++;
      if (i >= end) return false;
      const b = bytes[i]!;
      if (b === QUOTE) break;
      if (b < 0x20) return false;
      if (b === BACKSLASH) {
        if (this.escape(i) < 0) return false;
        i += bytes[i + 1] === ESCAPE_U ? 6 : 2;
      } else {
        i = this.utf8(i, undefined);
        if (i < 0) return false;
      }
    }
    this.pos = i + 1;
    return true;
  }

  /**
   * The key at the cursor (after {@link peek} saw the quote), as an index into `keys` (each
   * a field name's JSON spelling, quotes left out, as UTF-8: see {@link spelledKey}), trying
   * `hint` first because fields mostly come in declared
   * order. A key spelled with escapes is `KEY_NOT_HANDLED`: it could name a field in a way
   * bytes cannot compare.
   */
  key(keys: readonly Uint8Array[], hint: number): number {
    const bytes = this.bytes;
    const end = bytes.length;
    const start = this.pos + 1;
    if (hint < keys.length) {
      const expected = keys[hint]!;
      const after = start + expected.length;
      if (after < end && bytes[after] === QUOTE && sameBytes(bytes, start, expected.length, expected)) {
        this.pos = after + 1;
        return hint;
      }
    }
    let i = start;
    let ascii = true;
    for (;;) {
      while (i < end && STRING_STOP[bytes[i]!] === 0) i++;
      if (i >= end) return KEY_NOT_HANDLED;
      const b = bytes[i]!;
      if (b === QUOTE) break;
      if (b < 0x80) return KEY_NOT_HANDLED;
      ascii = false;
      i++;
    }
    this.pos = i + 1;
    const length = i - start;
    for (let k = 0; k < keys.length; k++) if (k !== hint && sameBytes(bytes, start, length, keys[k]!)) return k;
    this.keyStart = start;
    this.keyEnd = i;
    this.keyAscii = ascii;
    // A field name's bytes are valid UTF-8; an unknown key's are not known to be until checked.
    if (!ascii) {
      for (let j = start; j < i; ) {
        if (bytes[j]! < 0x80) j++;
        else if ((j = this.utf8(j, undefined)) < 0) return KEY_NOT_HANDLED;
      }
    }
    return UNKNOWN_KEY;
  }

  /** The last key {@link key} answered `UNKNOWN_KEY` for, as a string. */
  unknownKey(): string {
    if (this.keyAscii) return latin1Slice.call(this.bytes, this.keyStart, this.keyEnd);
    const units: number[] = [];
    for (let j = this.keyStart; j < this.keyEnd; ) {
      const b = this.bytes[j]!;
      if (b < 0x80) {
        units.push(b);
        j++;
      } else {
        j = this.utf8(j, units);
      }
    }
    return fromCodeUnits(units);
  }

  /**
   * A number at the cursor (after {@link peek}), exactly as JSON.parse reads it: up to 15
   * significant digits and a power of ten up to 10^22 make one correctly rounded division or
   * product of two exact doubles (Clinger's fast path); anything longer goes through `Number`
   * on the token, which rounds as JSON.parse does.
   */
  number(): number | NotHandled {
    const bytes = this.bytes;
    const end = bytes.length;
    const start = this.pos;
    let i = start;
    let b = bytes[i]!;
    const negative = b === MINUS;
    if (negative) b = ++i < end ? bytes[i]! : -1;
    let mantissa = 0;
    let digits = 0;
    let scale = 0;
    if (b === DIGIT_0) {
      b = ++i < end ? bytes[i]! : -1;
      if (isDigit(b)) return NOT_HANDLED;
    } else if (b > DIGIT_0 && b <= DIGIT_9) {
      do {
        mantissa = mantissa * 10 + (b - DIGIT_0);
        digits++;
        b = ++i < end ? bytes[i]! : -1;
      } while (isDigit(b));
    } else {
      return NOT_HANDLED;
    }
    if (b === DOT) {
      b = ++i < end ? bytes[i]! : -1;
      if (!isDigit(b)) return NOT_HANDLED;
      do {
        mantissa = mantissa * 10 + (b - DIGIT_0);
        // Leading zeros of a fraction (0.000123) are not significant.
        if (mantissa !== 0) digits++;
        scale--;
        b = ++i < end ? bytes[i]! : -1;
      } while (isDigit(b));
    }
    if (b === 0x65 || b === 0x45) {
      b = ++i < end ? bytes[i]! : -1;
      const negativeExponent = b === MINUS;
      if (negativeExponent || b === PLUS) b = ++i < end ? bytes[i]! : -1;
      if (!isDigit(b)) return NOT_HANDLED;
      let exponent = 0;
      do {
        // Past any double's range either way; capping keeps the sum exact.
        if (exponent < 100_000) exponent = exponent * 10 + (b - DIGIT_0);
        b = ++i < end ? bytes[i]! : -1;
      } while (isDigit(b));
      scale += negativeExponent ? -exponent : exponent;
    }
    this.pos = i;
    if (digits <= MAX_EXACT_DIGITS && scale >= -22 && scale <= 22) {
      const magnitude = scale < 0 ? mantissa / POW10[-scale]! : mantissa * POW10[scale]!;
      return negative ? -magnitude : magnitude;
    }
    return Number(latin1Slice.call(bytes, start, i));
  }

  /**
   * Any JSON value at the cursor, built as JSON.parse builds it (later duplicate keys win,
   * in the first one's place). A `__proto__` key is left to the generic decoder: assigning
   * it would not make an own property as JSON.parse does.
   */
  value(depth = 0): unknown {
    const b = this.peek();
    if (b === QUOTE) return this.string();
    if (b === MINUS || isDigit(b)) return this.number();
    if (b === T || b === F) return this.boolean();
    if (b === N) return this.null();
    if (depth >= MAX_DEPTH) return NOT_HANDLED;
    if (b === OPEN_BRACKET) {
      this.pos++;
      const out: unknown[] = [];
      if (this.eat(CLOSE_BRACKET)) return out;
      for (;;) {
        const item = this.value(depth + 1);
        if (item === NOT_HANDLED) return NOT_HANDLED;
        out.push(item);
        if (this.eat(COMMA)) continue;
        return this.eat(CLOSE_BRACKET) ? out : NOT_HANDLED;
      }
    }
    if (b === OPEN_BRACE) {
      this.pos++;
      const out: Record<string, unknown> = {};
      if (this.eat(CLOSE_BRACE)) return out;
      for (;;) {
        if (this.peek() !== QUOTE) return NOT_HANDLED;
        const key = this.string();
        if (key === NOT_HANDLED || key === '__proto__' || !this.eat(COLON)) return NOT_HANDLED;
        const item = this.value(depth + 1);
        if (item === NOT_HANDLED) return NOT_HANDLED;
        out[key] = item;
        if (this.eat(COMMA)) continue;
        return this.eat(CLOSE_BRACE) ? out : NOT_HANDLED;
      }
    }
    return NOT_HANDLED;
  }

  /** Checks the value at the cursor is valid JSON (and its strings valid UTF-8) and skips it, building nothing. */
  skip(depth = 0): boolean {
    const b = this.peek();
    if (b === QUOTE) return this.skipString();
    if (b === MINUS || isDigit(b)) return this.number() !== NOT_HANDLED;
    if (b === T || b === F) return this.boolean() !== NOT_HANDLED;
    if (b === N) return this.word(NULL);
    if (depth >= MAX_DEPTH) return false;
    if (b === OPEN_BRACKET) {
      this.pos++;
      if (this.eat(CLOSE_BRACKET)) return true;
      for (;;) {
        if (!this.skip(depth + 1)) return false;
        if (this.eat(COMMA)) continue;
        return this.eat(CLOSE_BRACKET);
      }
    }
    if (b === OPEN_BRACE) {
      this.pos++;
      if (this.eat(CLOSE_BRACE)) return true;
      for (;;) {
        if (this.peek() !== QUOTE || !this.skipString() || !this.eat(COLON) || !this.skip(depth + 1)) return false;
        if (this.eat(COMMA)) continue;
        return this.eat(CLOSE_BRACE);
      }
    }
    return false;
  }
}

function sameChars(text: string, bytes: Uint8Array, start: number, length: number): boolean {
  if (text.length !== length) return false;
  for (let i = 0; i < length; i++) if (text.charCodeAt(i) !== bytes[start + i]) return false;
  return true;
}

function sameBytes(bytes: Uint8Array, start: number, length: number, key: Uint8Array): boolean {
  if (key.length !== length) return false;
  for (let i = 0; i < length; i++) if (bytes[start + i] !== key[i]) return false;
  return true;
}
