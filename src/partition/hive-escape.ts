/**
 * Hive partition path escaping. Hive escapes a fixed set of ASCII characters as `%XX`;
 * we escape those, every control character, `%` itself, and every non-ASCII character (as
 * its UTF-8 bytes), and the whole values `.` and `..`, so that no value can leave its
 * `key=value` folder or collide with another value. Null and empty values become Hive's
 * default partition name.
 */
export const HIVE_DEFAULT_PARTITION = '__HIVE_DEFAULT_PARTITION__';

// The characters Hive's FileUtils.escapePathName escapes, plus space-free extras kept as Hive does.
const HIVE_SPECIALS = new Set('"#%\'*/:=?\\\x7f{[]^'.split(''));

function needsEscape(code: number, ch: string): boolean {
  return code < 0x20 || code > 0x7e || HIVE_SPECIALS.has(ch);
}

const hex = (byte: number): string => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
const encoder = new TextEncoder();

/**
 * Escapes one partition value for a `key=value` path segment.
 *
 * @example
 * ```ts
 * escapePartitionValue('a/b');   // 'a%2Fb'
 * escapePartitionValue('..');    // '%2E%2E'
 * escapePartitionValue('café');  // 'caf%C3%A9'
 * escapePartitionValue(null);    // '__HIVE_DEFAULT_PARTITION__'
 * ```
 */
export function escapePartitionValue(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return HIVE_DEFAULT_PARTITION;
  if (value === '.' || value === '..') return value.replace(/\./g, '%2E');
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (!needsEscape(code, ch)) out += ch;
    else for (const byte of encoder.encode(ch)) out += hex(byte);
  }
  return out;
}

/** Reverses `escapePartitionValue` (the default partition name gives null). */
export function unescapePartitionValue(segment: string): string | null {
  if (segment === HIVE_DEFAULT_PARTITION) return null;
  return decodeURIComponent(segment);
}

/** `key=value` segments for ordered partition values. */
export function partitionPath(values: ReadonlyArray<readonly [key: string, value: string | null]>): string {
  return values.map(([k, v]) => `${k}=${escapePartitionValue(v)}`).join('/');
}
