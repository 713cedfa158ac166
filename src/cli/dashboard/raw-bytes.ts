/**
 * Raw record bytes as text a person can read and no browser or terminal can act on: valid
 * UTF-8 stays as it is, except characters that would hide or rearrange what is shown
 * (controls, bidi overrides, zero-width and line separators) which become `\u{...}`; bytes
 * that are not UTF-8 become `\xNN`; a backslash becomes `\\`, so every escape reads one way.
 * The result still goes into the page as text (textContent), never as markup.
 */

/**
 * Bytes escaped for display, cut after `maxBytes`.
 *
 * @example
 * ```ts
 * const shown: EscapedBytes = { text: '{"a":1}\\xff', bytes: 8, truncated: false };
 * ```
 */
export interface EscapedBytes {
  readonly text: string;
  /** Length of the whole record, in bytes. */
  readonly bytes: number;
  /** True when only the first `maxBytes` were escaped. */
  readonly truncated: boolean;
}

/** Unicode categories that would make shown text differ from its bytes: controls, formats (bidi, zero-width), separators. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/**
 * The well-formed UTF-8 sequences by lead byte (Unicode table 3-7): how many continuation
 * bytes follow, and the range the first of them must be in (the others are 80..BF).
 */
const SEQUENCES: ReadonlyArray<{ readonly from: number; readonly to: number; readonly length: number; readonly second: readonly [number, number] }> = [
  { from: 0xc2, to: 0xdf, length: 2, second: [0x80, 0xbf] },
  { from: 0xe0, to: 0xe0, length: 3, second: [0xa0, 0xbf] },
  { from: 0xe1, to: 0xec, length: 3, second: [0x80, 0xbf] },
  { from: 0xed, to: 0xed, length: 3, second: [0x80, 0x9f] },
  { from: 0xee, to: 0xef, length: 3, second: [0x80, 0xbf] },
  { from: 0xf0, to: 0xf0, length: 4, second: [0x90, 0xbf] },
  { from: 0xf1, to: 0xf3, length: 4, second: [0x80, 0xbf] },
  { from: 0xf4, to: 0xf4, length: 4, second: [0x80, 0x8f] },
];

const hexByte = (byte: number): string => `\\x${byte.toString(16).padStart(2, '0')}`;

/**
 * Escapes a record's bytes for display (see the module comment for the rules).
 *
 * @example
 * ```ts
 * escapeBytes(new Uint8Array([0x3c, 0x62, 0x3e, 0xff, 0x0a]), { maxBytes: 4096 }).text; // '<b>\\xff\\u{a}'
 * ```
 */
export function escapeBytes(data: Uint8Array, options: { readonly maxBytes: number }): EscapedBytes {
  const end = Math.min(data.length, options.maxBytes);
  let text = '';
  let i = 0;
  while (i < end) {
    const length = sequenceLength(data, i, end);
    if (length === 0) {
      text += hexByte(data[i]!);
      i += 1;
      continue;
    }
    const char = Buffer.from(data.subarray(i, i + length)).toString('utf8');
    text += char === '\\' ? '\\\\' : INVISIBLE.test(char) ? `\\u{${char.codePointAt(0)!.toString(16)}}` : char;
    i += length;
  }
  return { text, bytes: data.length, truncated: end < data.length };
}

/** Length of the well-formed UTF-8 sequence at `i` (ending before `end`), or 0 when the byte starts none. */
function sequenceLength(data: Uint8Array, i: number, end: number): number {
  const lead = data[i]!;
  if (lead < 0x80) return 1;
  const shape = SEQUENCES.find((s) => lead >= s.from && lead <= s.to);
  if (shape === undefined || i + shape.length > end) return 0;
  const second = data[i + 1]!;
  if (second < shape.second[0] || second > shape.second[1]) return 0;
  for (let k = 2; k < shape.length; k++) {
    const next = data[i + k]!;
    if (next < 0x80 || next > 0xbf) return 0;
  }
  return shape.length;
}
