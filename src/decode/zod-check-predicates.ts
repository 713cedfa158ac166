import { z } from 'zod';

/**
 * zod v4 checks (`.min()`, `.int()`, `.regex()`, ...) as plain predicates over a value that
 * already has the schema's type, for decoders compiled from a schema. A predicate is true
 * exactly when zod's check would add no issue. The hot numeric and length checks are
 * re-stated here (following zod's own code, code points for string lengths included);
 * the format checks run zod's own check function, so they cannot drift from zod. A check
 * kind not listed here (refinements, overwrites such as `.trim()`) makes the schema
 * unsupported: compiled decoders then leave it to zod.
 */

type AnyZod = z.core.$ZodType;
type CheckPayload = { value: unknown; issues: unknown[] };
interface CheckDef {
  readonly check: string;
  readonly when?: (payload: CheckPayload) => boolean;
  readonly [key: string]: unknown;
}
interface ZodCheck {
  readonly _zod: { readonly def: CheckDef; readonly check: (payload: CheckPayload) => unknown };
}

/** A check as a predicate over a value of the schema's type. */
export type ValuePredicate = (value: unknown) => boolean;

/** What the checked value is: string lengths count code points, array lengths elements. */
export const CheckedKind = { String: 'string', Number: 'number', Array: 'array' } as const;
export type CheckedKind = (typeof CheckedKind)[keyof typeof CheckedKind];

const { codePointLength, NUMBER_FORMAT_RANGES } = z.core.util;

/** zod's default `when` of length checks (true for any string or array): no need to ask it. */
const LENGTH_WHEN = (z.string().min(1)._zod.def.checks![0] as unknown as ZodCheck)._zod.def.when;

const lengthOf = (kind: CheckedKind): ((value: string | unknown[], floor: number, ceiling: number) => number) =>
  kind === CheckedKind.String
    ? // As zod: code points only where the count in UTF-16 units leaves the answer in doubt.
      (value, floor, ceiling) => (value.length >= floor && value.length <= ceiling ? codePointLength(value as string) : value.length)
    : (value) => value.length;

/** zod's own check function applied to a value: exact by construction, for checks not worth restating. */
function zodsOwn(check: ZodCheck): ValuePredicate {
  const run = check._zod.check;
  return (value) => {
    const payload: CheckPayload = { value, issues: [] };
    return run(payload) === undefined && payload.issues.length === 0;
  };
}

type PredicateOf = (def: CheckDef, check: ZodCheck, kind: CheckedKind) => ValuePredicate | undefined;

/** String-only checks not worth restating (formats, substrings): zod's own. */
const zodsOwnOnStrings: PredicateOf = (_def, check, kind) => (kind === CheckedKind.String ? zodsOwn(check) : undefined);

const numeric = (kind: CheckedKind, def: CheckDef): number | undefined =>
  kind === CheckedKind.Number && typeof def['value'] === 'number' ? def['value'] : undefined;

const predicates: Readonly<Record<string, PredicateOf>> = {
  greater_than: (def, _check, kind) => {
    const bound = numeric(kind, def);
    if (bound === undefined) return undefined;
    return def['inclusive'] ? (v) => (v as number) >= bound : (v) => (v as number) > bound;
  },
  less_than: (def, _check, kind) => {
    const bound = numeric(kind, def);
    if (bound === undefined) return undefined;
    return def['inclusive'] ? (v) => (v as number) <= bound : (v) => (v as number) < bound;
  },
  number_format: (def, _check, kind) => {
    const format = def['format'];
    const range = typeof format === 'string' ? NUMBER_FORMAT_RANGES[format as keyof typeof NUMBER_FORMAT_RANGES] : undefined;
    if (kind !== CheckedKind.Number || !range) return undefined;
    const [min, max] = range;
    return (format as string).includes('int')
      ? (v) => Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max
      : (v) => (v as number) >= min && (v as number) <= max;
  },
  multiple_of: (def, check, kind) => (numeric(kind, def) === undefined ? undefined : zodsOwn(check)),
  min_length: (def, _check, kind) => {
    const min = def['minimum'] as number;
    const length = lengthOf(kind);
    return kind === CheckedKind.Number ? undefined : (v) => length(v as string, min, min * 2 - 1) >= min;
  },
  max_length: (def, _check, kind) => {
    const max = def['maximum'] as number;
    const length = lengthOf(kind);
    return kind === CheckedKind.Number ? undefined : (v) => length(v as string, max + 1, Infinity) <= max;
  },
  length_equals: (def, _check, kind) => {
    const exact = def['length'] as number;
    const length = lengthOf(kind);
    return kind === CheckedKind.Number ? undefined : (v) => length(v as string, exact, exact * 2) === exact;
  },
  string_format: zodsOwnOnStrings,
  includes: zodsOwnOnStrings,
  starts_with: zodsOwnOnStrings,
  ends_with: zodsOwnOnStrings,
};

/** A check with a `when` of its own runs only where zod would run it. */
function guarded(predicate: ValuePredicate, when: NonNullable<CheckDef['when']>): ValuePredicate {
  return (value) => !when({ value, issues: [] }) || predicate(value);
}

/** The checks zod runs for `schema`, in its order: the schema itself first when it is a check (`z.int()`, `z.email()`). */
function checksOf(schema: AnyZod): ZodCheck[] {
  const own = (schema._zod.def as { checks?: unknown[] }).checks ?? [];
  const all = schema._zod.traits.has('$ZodCheck') ? [schema, ...own] : own;
  return all as ZodCheck[];
}

/**
 * True when zod runs no check at all for `schema`.
 *
 * @example
 * ```ts
 * hasNoChecks(z.object({})); // true
 * hasNoChecks(z.int());      // false: the schema is its own check
 * ```
 */
export function hasNoChecks(schema: AnyZod): boolean {
  return checksOf(schema).length === 0;
}

/** Marks a schema whose checks a compiled decoder cannot run exactly. */
export const UNSUPPORTED_CHECK: unique symbol = Symbol('sluice.unsupported-check');

/**
 * One predicate for all of `schema`'s checks: undefined when it has none, `UNSUPPORTED_CHECK`
 * when one of them cannot be run exactly here.
 *
 * @example
 * ```ts
 * const check = checkPredicate(z.number().int().nonnegative(), CheckedKind.Number);
 * check !== UNSUPPORTED_CHECK && check?.(-1); // false
 * ```
 */
export function checkPredicate(schema: AnyZod, kind: CheckedKind): ValuePredicate | undefined | typeof UNSUPPORTED_CHECK {
  const all: ValuePredicate[] = [];
  for (const check of checksOf(schema)) {
    const def = check._zod.def;
    const predicate = predicates[def.check]?.(def, check, kind);
    if (!predicate) return UNSUPPORTED_CHECK;
    const when = def.when;
    all.push(when && when !== LENGTH_WHEN ? guarded(predicate, when) : predicate);
  }
  if (all.length === 0) return undefined;
  if (all.length === 1) return all[0]!;
  if (all.length === 2) {
    const [a, b] = all as [ValuePredicate, ValuePredicate];
    return (value) => a(value) && b(value);
  }
  return (value) => all.every((p) => p(value));
}

/**
 * A leaf schema's checks for a compiled reader: undefined when they cannot be run exactly
 * (a coercing schema, or a check not restated here), `null` when there are none.
 *
 * @example
 * ```ts
 * leafChecks(z.string().min(1), CheckedKind.String)?.('');   // false
 * leafChecks(z.string(), CheckedKind.String);                // null: nothing to check
 * leafChecks(z.coerce.number(), CheckedKind.Number);         // undefined: left to zod
 * ```
 */
export function leafChecks(schema: AnyZod, kind: CheckedKind): ValuePredicate | null | undefined {
  if ((schema._zod.def as { coerce?: boolean }).coerce) return undefined;
  const check = checkPredicate(schema, kind);
  if (check === UNSUPPORTED_CHECK) return undefined;
  return check ?? null;
}
