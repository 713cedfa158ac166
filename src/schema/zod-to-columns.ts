import type { z } from 'zod';
import { defOf, type AnyZod, type Def } from './zod-def.ts';
import { UnsupportedTypeError } from '../errors.ts';
import { columnHints } from './column-hints.ts';
import type { Column, ColumnType } from './column-model.ts';

/**
 * zod schema -> column model, as a lookup table keyed by zod's `def.type`.
 * Each entry converts one zod type; wrappers (optional, nullable, default, ...) unwrap and
 * report nullability. A zod type missing from the table is an error naming the field and
 * what to use instead (`unsupportedFixes`).
 */


interface Converted {
  readonly type: ColumnType;
  readonly nullable: boolean;
}

type Converter = (schema: AnyZod, def: Def, path: string) => Converted;

const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;
const INT32_FORMATS: ReadonlySet<string> = new Set(['int32', 'uint32']);
const ISO_TIMESTAMP_FORMATS: ReadonlySet<string> = new Set(['datetime']);


const notNull = (type: ColumnType): Converted => ({ type, nullable: false });

/** Integer width from `z.int32()` / `.int()` plus `.min()`/`.max()` checks: Int32 only when bounded to fit. */
function integerKind(def: Def): 'int32' | 'int64' | undefined {
  let integer = false;
  let min = -Infinity;
  let max = Infinity;
  const format = def['format'];
  if (typeof format === 'string') {
    integer = true;
    if (INT32_FORMATS.has(format)) return 'int32';
  }
  for (const check of (def['checks'] as AnyZod[] | undefined) ?? []) {
    const c = check._zod.def as unknown as Record<string, unknown>;
    if (c['check'] === 'number_format') {
      integer = true;
      if (INT32_FORMATS.has(String(c['format']))) return 'int32';
    }
    if (c['check'] === 'greater_than') min = Math.max(min, Number(c['value']));
    if (c['check'] === 'less_than') max = Math.min(max, Number(c['value']));
    if (c['check'] === 'multiple_of' && Number(c['value']) === 1) integer = true;
  }
  if (!integer) return undefined;
  return min >= INT32_MIN && max <= INT32_MAX ? 'int32' : 'int64';
}

const unwrapInner =
  (nullable: boolean | 'inner'): Converter =>
  (_schema, def, path) => {
    const inner = convert(def['innerType'] as AnyZod, path);
    return { type: inner.type, nullable: nullable === 'inner' ? inner.nullable : nullable || inner.nullable };
  };

const converters: Readonly<Record<string, Converter>> = {
  string: (schema, def) =>
    typeof def['format'] === 'string' && ISO_TIMESTAMP_FORMATS.has(def['format'])
      ? notNull({ kind: 'timestamp', source: 'iso-string' })
      : notNull({ kind: 'string', dictionary: columnHints.get(schema)?.lowCardinality === true }),
  enum: () => notNull({ kind: 'string', dictionary: true }),
  number: (_schema, def) => notNull({ kind: integerKind(def) ?? 'double' }),
  boolean: () => notNull({ kind: 'boolean' }),
  date: () => notNull({ kind: 'timestamp', source: 'date' }),
  literal: (_schema, def, path) => {
    const values = def['values'] as unknown[];
    const kinds = new Set(values.map((v) => typeof v));
    if (kinds.size === 1 && kinds.has('string')) return notNull({ kind: 'string', dictionary: true });
    if (kinds.size === 1 && kinds.has('boolean')) return notNull({ kind: 'boolean' });
    if (kinds.size === 1 && kinds.has('number')) {
      const ints = values.every((v) => Number.isInteger(v));
      return notNull({ kind: ints ? 'int64' : 'double' });
    }
    throw new UnsupportedTypeError(path, 'literal', 'use literals of one type (string, number or boolean)');
  },
  optional: unwrapInner(true),
  nullable: unwrapInner(true),
  default: unwrapInner('inner'),
  prefault: unwrapInner('inner'),
  readonly: unwrapInner('inner'),
  catch: unwrapInner('inner'),
  nonoptional: (_schema, def, path) => notNull(convert(def['innerType'] as AnyZod, path).type),
  pipe: (_schema, def, path) => {
    const out = def['out'] as AnyZod;
    if (defOf(out).type === 'transform') {
      throw new UnsupportedTypeError(
        path,
        'transform',
        'the output type of a transform is unknown to sluice: pipe it into a declared type, e.g. z.string().transform(parse).pipe(z.date())',
      );
    }
    return convert(out, path);
  },
  object: (_schema, def, path) => notNull({ kind: 'struct', fields: objectColumns(def, path) }),
  array: (_schema, def, path) => {
    const element = convert(def['element'] as AnyZod, `${path}[]`);
    return notNull({ kind: 'list', element: element.type, elementNullable: element.nullable });
  },
};

/** What to use instead, per zod type that has no column mapping. */
const unsupportedFixes: Readonly<Record<string, string>> = {
  union: 'a column holds one type: split it into several nullable columns, or use z.enum([...]) for a set of strings',
  discriminated_union: 'a column holds one type: split the variants into nullable columns',
  intersection: 'merge the objects with .extend() or z.object({...a.shape, ...b.shape})',
  record: 'declare the keys with z.object({...}), or keep the JSON as text with z.string()',
  map: 'declare the keys with z.object({...}), or keep the JSON as text with z.string()',
  set: 'use z.array(...)',
  tuple: 'use z.array(...) or z.object({...})',
  any: 'declare the type: z.string(), z.number(), z.boolean(), z.date(), z.object({...}) or z.array(...)',
  unknown: 'declare the type: z.string(), z.number(), z.boolean(), z.date(), z.object({...}) or z.array(...)',
  bigint: 'use z.number().int() (stored as INT64, Athena bigint)',
  transform: 'pipe the transform into a declared type, e.g. .transform(parse).pipe(z.date())',
  null: 'make the column nullable instead: z.string().nullable()',
  undefined: 'make the column optional instead: z.string().optional()',
  void: 'drop the field from the row schema',
  never: 'drop the field from the row schema',
  nan: 'use z.number() (NaN is a double)',
  symbol: 'use z.string()',
  function: 'drop the field from the row schema',
  promise: 'resolve the value in a step and declare its type',
  lazy: 'declare recursive data as text with z.string() (Parquet columns cannot recurse)',
  custom: 'declare the type with a built-in zod schema',
  file: 'store the bytes elsewhere and keep a z.string() reference',
  template_literal: 'use z.string()',
};

function convert(schema: AnyZod, path: string): Converted {
  const def = defOf(schema);
  const converter = converters[def.type];
  if (converter) return converter(schema, def, path);
  throw new UnsupportedTypeError(
    path,
    def.type,
    unsupportedFixes[def.type] ?? 'see the type table in the README for the supported types',
  );
}

function objectColumns(def: Def, path: string): Column[] {
  const shape = def['shape'] as Record<string, AnyZod>;
  return Object.entries(shape).map(([name, field]) => {
    const { type, nullable } = convert(field, path ? `${path}.${name}` : name);
    return { name, type, nullable };
  });
}

/**
 * Columns of a row schema (a `z.object`), in declaration order.
 *
 * @throws UnsupportedTypeError naming the first field whose zod type has no mapping.
 * @example
 * ```ts
 * columnsOf(z.object({ id: z.string(), n: z.number().int().optional() }));
 * // [{ name: 'id', type: { kind: 'string', dictionary: false }, nullable: false },
 * //  { name: 'n', type: { kind: 'int64' }, nullable: true }]
 * ```
 */
export function columnsOf(rowSchema: z.ZodObject): Column[] {
  const def = defOf(rowSchema);
  if (def.type !== 'object') {
    throw new UnsupportedTypeError('(row)', def.type, 'the row schema must be a z.object({...})');
  }
  return objectColumns(def, '');
}
