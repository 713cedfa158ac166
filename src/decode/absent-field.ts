import type { z } from 'zod';
import { NOT_HANDLED } from './not-handled.ts';

/** The key is left out of the parsed object. */
export const OMIT: unique symbol = Symbol('sluice.omit');

/**
 * What zod v4's object parsing makes of a key its input lacks, for compiled decoders: the
 * field's value (a default, or `undefined` kept as a key), `OMIT`, or `NOT_HANDLED` where
 * zod reports an issue. It restates zod's `handlePropertyResult` for an absent key, reading
 * the field's own `optin` / `optout` from zod; `ofUndefined` is what the field's schema
 * gives for `undefined` (a value, or `NOT_HANDLED` when it fails).
 *
 * @example
 * ```ts
 * const absent = absentField(z.number().default(3), () => 3);
 * absent(); // 3
 * ```
 */
export function absentField(schema: z.core.$ZodType, ofUndefined: () => unknown): () => unknown {
  const { optin, optout } = schema._zod;
  const optionalOut = optout === 'optional';
  // Absence allowed with nothing put in its place: the key stays out whatever the schema makes of undefined.
  if (optionalOut && optin === 'optional') return () => OMIT;
  if (optin === undefined) return () => NOT_HANDLED;
  const keepUndefined = optin === 'defaulted' && !optionalOut;
  return () => {
    const value = ofUndefined();
    if (value === NOT_HANDLED) return optionalOut ? OMIT : NOT_HANDLED;
    if (value === undefined) return keepUndefined ? undefined : OMIT;
    return value;
  };
}
