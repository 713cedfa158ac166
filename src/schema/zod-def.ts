import { z } from 'zod';

/**
 * What the three readers of zod schemas (column mapping, compiled decoder, compiled row
 * check) need of a schema's internals: its definition, read as a table keyed by `type`, and
 * whether it can re-enter itself. zod v4 types its `def` per schema class; the readers look
 * fields up by name after switching on `type`, so one loose view serves them all.
 */

/** Any zod v4 schema. */
export type AnyZod = z.core.$ZodType;

/** A schema's definition, fields read by name after its `type`. */
export type Def = Record<string, unknown> & { readonly type: string };

/**
 * @example
 * ```ts
 * defOf(z.string().optional()).type; // 'optional'
 * ```
 */
export const defOf = (schema: AnyZod): Def => schema._zod.def as unknown as Def;

/**
 * A schema that can re-enter itself (z.lazy, getters in a shape): the compiled readers leave
 * it to zod, which tracks the cycles in its own parse context. A shape getter that throws
 * cannot be told apart, so it counts as recursive.
 *
 * @example
 * ```ts
 * isRecursive(z.object({ n: z.number() })); // false
 * ```
 */
export function isRecursive(schema: AnyZod): boolean {
  try {
    return z.core.isRecursiveSchema(schema);
  } catch {
    return true;
  }
}
