/**
 * The answer of a fast path that cannot decide an input exactly (a failed check, a JSON form
 * it does not parse itself, ...). It is never a verdict: the generic path decides instead,
 * so every reject and every reason stays the generic path's own.
 *
 * @example
 * ```ts
 * const value = decoder.decode(bytes);
 * if (value === NOT_HANDLED) return decodeRecord(bytes, schema);
 * ```
 */
export const NOT_HANDLED: unique symbol = Symbol('sluice.not-handled');
export type NotHandled = typeof NOT_HANDLED;
