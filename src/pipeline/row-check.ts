import { defOf, isRecursive, type AnyZod, type Def } from '../schema/zod-def.ts';
import { CheckedKind, hasNoChecks, leafChecks } from '../decode/zod-check-predicates.ts';

/**
 * A check compiled from a row schema (zod v4) for writers that only read a row's column
 * values: true only when `schema.safeParse(value)` succeeds and every value its output
 * holds under the schema's keys is the one `value` holds there (null where the output
 * leaves out a key `value` has as undefined). Then `value` can be written as it is: zod's
 * copy of it — an object per row and per struct, and every number in them boxed again —
 * is never made. False means only "not decided here": zod then decides, and its output is
 * written. It restates zod's own rules for the kinds a table holds (strings, numbers,
 * booleans, dates, enums, literals, nullable and optional fields, structs, lists), with
 * zod's checks (`zod-check-predicates.ts`); a schema with anything else (defaults,
 * transforms, coercion, refinements, strict objects, exact optionals, ...) compiles to
 * nothing, and zod decides every row. Rows are data: a getter that answers differently
 * each time it is read may be read differently here than by zod.
 */

/** True when zod accepts the value as it is (see above). */
export type RowCheck = (value: unknown) => boolean;

type Builder = (schema: AnyZod, def: Def) => RowCheck | undefined;

/** A leaf of one JS type: the type test, then its checks. */
const typed = (schema: AnyZod, def: Def, kind: CheckedKind, isType: (v: unknown) => boolean): RowCheck | undefined => {
  const check = leafChecks(schema, kind);
  if (check === undefined) return undefined;
  return check === null ? isType : (v) => isType(v) && check(v);
};

/** zod's number refuses NaN and the infinities. */
const isNumber = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
const isString = (v: unknown): boolean => typeof v === 'string';
const isValidDate = (v: unknown): boolean => v instanceof Date && !Number.isNaN(v.getTime());
/** zod's object: anything typed object but null and arrays (class instances and Dates included). */
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Wrappers add no checks of their own; one that does is left to zod. */
const wrapped =
  (wrap: (inner: RowCheck) => RowCheck): Builder =>
  (schema, def) => {
    if (!hasNoChecks(schema)) return undefined;
    const inner = compileNode(def['innerType'] as AnyZod);
    return inner && wrap(inner);
  };

/** Enums and literals: zod's own value set. */
function oneOf(schema: AnyZod): RowCheck | undefined {
  const values = schema._zod.values;
  // An absent key is refused even where undefined is a value: left to zod.
  if (!hasNoChecks(schema) || !values || values.has(undefined as never)) return undefined;
  return (v) => values.has(v as never);
}

/** Objects that strip unknown keys or keep them (neither reaches a column), never refuse them. */
const keepsOrStrips: ReadonlySet<string | undefined> = new Set([undefined, 'unknown', 'any']);

function compileObject(schema: AnyZod, def: Def): RowCheck | undefined {
  const shape = def['shape'] as Record<string, AnyZod>;
  const catchall = def['catchall'] as AnyZod | undefined;
  if (!hasNoChecks(schema) || !keepsOrStrips.has(catchall && defOf(catchall).type) || (catchall && !hasNoChecks(catchall))) return undefined;
  // Keys zod treats apart (`__proto__`) or reads through the prototype are left to it.
  if (Object.getOwnPropertySymbols(shape).length > 0) return undefined;
  const names = Object.keys(shape);
  if (names.some((name) => name in Object.prototype)) return undefined;
  const checks: RowCheck[] = [];
  for (const name of names) {
    const check = compileNode(shape[name]!);
    if (!check) return undefined;
    checks.push(check);
  }
  return generatedObjectCheck(names, checks) ?? keyedObjectCheck(names, checks);
}

/**
 * The object check with the field names spelled out, one check per line: each field is
 * read with a fixed shape and goes to one known check, where a loop over the names makes
 * a lookup by name and a call to any check per field (slower than zod's own compiled
 * parser). Undefined where code generation is not allowed.
 */
function generatedObjectCheck(names: readonly string[], checks: readonly RowCheck[]): RowCheck | undefined {
  const body = [
    ...names.map((_, i) => `const c${i} = checks[${i}];`),
    `return (v) => isObject(v)${names.map((name, i) => ` && c${i}(v[${JSON.stringify(name)}])`).join('')};`,
  ].join('\n');
  try {
    return new Function('checks', 'isObject', body)(checks, isObject) as RowCheck;
  } catch {
    return undefined;
  }
}

function keyedObjectCheck(names: readonly string[], checks: readonly RowCheck[]): RowCheck {
  return (v) => {
    if (!isObject(v)) return false;
    for (let i = 0; i < names.length; i++) if (!checks[i]!(v[names[i]!])) return false;
    return true;
  };
}

function compileArray(schema: AnyZod, def: Def): RowCheck | undefined {
  const check = leafChecks(schema, CheckedKind.Array);
  const element = compileNode(def['element'] as AnyZod);
  if (check === undefined || !element) return undefined;
  return (v) => {
    if (!Array.isArray(v)) return false;
    for (let i = 0; i < v.length; i++) if (!element(v[i])) return false;
    return check === null || check(v);
  };
}

const builders: Readonly<Record<string, Builder>> = {
  string: (schema, def) => typed(schema, def, CheckedKind.String, isString),
  number: (schema, def) => typed(schema, def, CheckedKind.Number, isNumber),
  boolean: (schema, def) => (def['coerce'] || !hasNoChecks(schema) ? undefined : (v) => typeof v === 'boolean'),
  date: (schema, def) => (def['coerce'] || !hasNoChecks(schema) ? undefined : isValidDate),
  enum: oneOf,
  literal: oneOf,
  // An exact optional refuses a present undefined, which only the key's absence tells apart: left to zod.
  optional: (schema, def) =>
    schema._zod.traits.has('$ZodExactOptional') ? undefined : wrapped((inner) => (v) => v === undefined || inner(v))(schema, def),
  nullable: wrapped((inner) => (v) => v === null || inner(v)),
  // zod freezes its copy; the values are the same.
  readonly: wrapped((inner) => inner),
  object: compileObject,
  array: compileArray,
};

function compileNode(schema: AnyZod): RowCheck | undefined {
  const def = defOf(schema);
  return builders[def.type]?.(schema, def);
}

const compiled = new WeakMap<AnyZod, RowCheck | null>();

/**
 * The row check compiled from `schema`, once per schema; undefined when the schema uses a
 * construct it does not restate exactly (then zod decides every row).
 *
 * @example
 * ```ts
 * const check = rowCheck(z.object({ t: z.number(), at: z.date() }));
 * check?.({ t: 21.5, at: new Date(), extra: 1 }); // true: written as it is
 * check?.({ t: '21.5', at: new Date() });         // false: zod says why
 * ```
 */
export function rowCheck(schema: AnyZod): RowCheck | undefined {
  let check = compiled.get(schema);
  if (check === undefined) {
    check = (isRecursive(schema) ? undefined : compileNode(schema)) ?? null;
    compiled.set(schema, check);
  }
  return check ?? undefined;
}
