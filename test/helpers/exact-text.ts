/**
 * A value written out with everything that tells two values apart, for equivalence tests:
 * types, -0, keys kept as undefined, key order, frozen objects and arrays, prototypes, Dates
 * by their instant, bytes by their content. Two values with equal texts are interchangeable.
 *
 * @example
 * ```ts
 * exactText({ b: -0, a: undefined }); // '{"b":-0,"a":undefined}'
 * ```
 */
export function exactText(value: unknown): string {
  const frozen = (v: object): string => (Object.isFrozen(v) ? 'frozen ' : '');
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return String(value);
  if (value instanceof Date) return `Date(${value.getTime()})`;
  if (value instanceof Uint8Array) return `bytes(${Buffer.from(value).toString('hex')})`;
  if (Array.isArray(value)) return `${frozen(value)}[${value.map(exactText).join(',')}]`;
  const proto = Object.getPrototypeOf(value);
  const kind = proto === Object.prototype ? '' : `${proto?.constructor?.name ?? 'null-prototype'} `;
  const entries = Object.keys(value).map((k) => `${JSON.stringify(k)}:${exactText((value as Record<string, unknown>)[k])}`);
  return `${frozen(value)}${kind}{${entries.join(',')}}`;
}
