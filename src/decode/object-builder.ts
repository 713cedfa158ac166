import { OMIT } from './absent-field.ts';

/** Builds one object from its field values in declared order; a value `OMIT` leaves its key out. */
export type ObjectBuilder = (values: readonly unknown[]) => Record<string, unknown>;

/**
 * A builder for objects with these keys, in this order (the order zod gives its output).
 * Assigning keys from a list makes V8 look each one up by name at run time (a megamorphic
 * keyed store, the most expensive step of decoding a small record); a function generated
 * with the keys spelled out creates the object with one fixed shape instead, as zod's own
 * JIT does. Where code generation is not allowed (`--disallow-code-generation-from-strings`),
 * the keyed loop gives the same objects, slower.
 *
 * @example
 * ```ts
 * const build = objectBuilder(['a', 'b'], { omittable: [false, true] });
 * build([1, OMIT]); // { a: 1 }
 * ```
 */
export function objectBuilder(names: readonly string[], options: { readonly omittable: readonly boolean[] }): ObjectBuilder {
  try {
    return generated(names, options.omittable);
  } catch {
    return keyed(names);
  }
}

function generated(names: readonly string[], omittable: readonly boolean[]): ObjectBuilder {
  const key = (i: number): string => JSON.stringify(names[i]);
  const body = omittable.some(Boolean)
    ? [
        'const o = {};',
        ...names.map((_, i) => (omittable[i] ? `if (v[${i}] !== omit) o[${key(i)}] = v[${i}];` : `o[${key(i)}] = v[${i}];`)),
        'return o;',
      ].join('\n')
    : `return { ${names.map((_, i) => `${key(i)}: v[${i}]`).join(', ')} };`;
  return new Function('omit', `return (v) => {\n${body}\n};`)(OMIT) as ObjectBuilder;
}

function keyed(names: readonly string[]): ObjectBuilder {
  return (values) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) if (values[i] !== OMIT) out[names[i]!] = values[i];
    return out;
  };
}
