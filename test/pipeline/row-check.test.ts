/**
 * The compiled row check says yes exactly when zod does, and then the row as it is holds
 * the column values of zod's output: for random row schemas of the supported kinds
 * (strings with checks, numbers, integers, booleans, dates, enums, nullable, optional and
 * readonly fields, structs that strip or keep unknown keys, lists) and random rows, valid
 * or broken in the ways step code breaks them (NaN, infinities, invalid dates, missing
 * keys, numbers as strings, arrays for objects, class instances, inherited fields),
 * `rowCheck(schema)(row) === schema.safeParse(row).success`, and where both accept, the
 * Arrow table of the row equals the Arrow table of zod's output. Schemas with anything the
 * check does not restate compile to nothing.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { z } from 'zod';
import type { Table } from 'apache-arrow';
import { rowsToArrowTable } from '../../src/format/arrow-table.ts';
import { rowCheck } from '../../src/pipeline/row-check.ts';
import { columnsOf } from '../../src/schema/zod-to-columns.ts';

type Desc =
  | { readonly t: 'string'; readonly check: 'none' | 'min' | 'regex' | 'datetime' | 'email' }
  | { readonly t: 'number'; readonly int: boolean; readonly min: number | undefined }
  | { readonly t: 'boolean' }
  | { readonly t: 'date' }
  | { readonly t: 'enum'; readonly values: readonly string[] }
  | { readonly t: 'nullable' | 'optional' | 'readonly'; readonly inner: Desc }
  | { readonly t: 'object'; readonly loose: boolean; readonly fields: ReadonlyArray<readonly [string, Desc]> }
  | { readonly t: 'array'; readonly inner: Desc; readonly max: number | undefined };

/** Constructs the check leaves to zod: any of them anywhere makes the schema compile to nothing. */
const UNSUPPORTED: ReadonlyArray<(inner: z.ZodType) => z.ZodType> = [
  (inner) => inner.default(undefined as never),
  (inner) => z.strictObject({ x: inner }),
  (inner) => inner.refine(() => true),
  (inner) => z.exactOptional(inner),
  () => z.coerce.number(),
  () => z.date().min(new Date(0)),
];

const NAMES = ['a', 'b', 'c', 'd', 'e'];

const leaf: fc.Arbitrary<Desc> = fc.oneof(
  fc.record({ t: fc.constant('string' as const), check: fc.constantFrom('none' as const, 'min' as const, 'regex' as const, 'datetime' as const, 'email' as const) }),
  fc.record({ t: fc.constant('number' as const), int: fc.boolean(), min: fc.option(fc.integer({ min: -3, max: 3 }), { nil: undefined }) }),
  fc.constant({ t: 'boolean' as const }),
  fc.constant({ t: 'date' as const }),
  fc.constant({ t: 'enum' as const, values: ['walking', 'running'] }),
);

const { desc } = fc.letrec<{ desc: Desc }>((tie) => ({
  desc: fc.oneof(
    { maxDepth: 3, withCrossShrink: true },
    { weight: 5, arbitrary: leaf },
    { weight: 2, arbitrary: fc.record({ t: fc.constantFrom('nullable' as const, 'optional' as const, 'readonly' as const), inner: tie('desc') }) },
    { weight: 2, arbitrary: objectDesc(tie('desc')) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('array' as const), inner: tie('desc'), max: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }) }) },
  ),
}));

function objectDesc(field: fc.Arbitrary<Desc>): fc.Arbitrary<Desc> {
  return fc.record({
    t: fc.constant('object' as const),
    loose: fc.boolean(),
    fields: fc.uniqueArray(fc.tuple(fc.constantFrom(...NAMES), field), { minLength: 1, maxLength: 4, selector: ([name]) => name }),
  });
}

const stringChecks = {
  none: () => z.string(),
  min: () => z.string().min(2),
  regex: () => z.string().regex(/^[a-z]+$/),
  datetime: () => z.iso.datetime(),
  email: () => z.email(),
} as const;

function schemaOf(d: Desc): z.ZodType {
  switch (d.t) {
    case 'string':
      return stringChecks[d.check]();
    case 'number': {
      const n = d.int ? z.number().int() : z.number();
      return d.min === undefined ? n : n.min(d.min);
    }
    case 'boolean':
      return z.boolean();
    case 'date':
      return z.date();
    case 'enum':
      return z.enum(d.values as [string, ...string[]]);
    case 'nullable':
      return schemaOf(d.inner).nullable();
    case 'optional':
      return schemaOf(d.inner).optional();
    case 'readonly':
      return schemaOf(d.inner).readonly();
    case 'object': {
      const shape = Object.fromEntries(d.fields.map(([name, f]) => [name, schemaOf(f)]));
      return d.loose ? z.looseObject(shape) : z.object(shape);
    }
    case 'array':
      return d.max === undefined ? z.array(schemaOf(d.inner)) : z.array(schemaOf(d.inner)).max(d.max);
  }
}

class Reading {
  a = 1;
  b = 'walking';
}
const inherited = Object.create({ a: 2, b: 'running', c: true, d: new Date(5), e: 'x@y.io' }) as object;

/** Values step code gets wrong. */
const junk: fc.Arbitrary<unknown> = fc.constantFrom(
  null,
  undefined,
  Number.NaN,
  Infinity,
  -Infinity,
  -0,
  0,
  1.5,
  2 ** 53,
  '',
  'x',
  '12',
  'walking',
  '2026-11-23T08:15:02Z',
  true,
  new Date(Number.NaN),
  new Date(0),
  [],
  [1, 'a'],
  {},
  new Reading(),
  inherited,
);

function validOf(d: Desc): fc.Arbitrary<unknown> {
  switch (d.t) {
    case 'string':
      return {
        none: fc.string({ maxLength: 5 }),
        min: fc.string({ minLength: 2, maxLength: 5 }),
        regex: fc.stringMatching(/^[a-z]{1,4}$/),
        datetime: fc.integer({ min: 0, max: 4e12 }).map((ms) => new Date(ms).toISOString()),
        email: fc.constantFrom('a@b.io', 'x.y@z.org'),
      }[d.check];
    case 'number':
      return d.int ? fc.integer({ min: d.min ?? -100, max: 100 }) : fc.double({ min: d.min ?? -1e6, max: 1e6, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'date':
      return fc.integer({ min: -1e12, max: 4e12 }).map((ms) => new Date(ms));
    case 'enum':
      return fc.constantFrom(...d.values);
    case 'nullable':
      return fc.oneof(fc.constant(null), validOf(d.inner));
    case 'optional':
      return fc.oneof(fc.constant(undefined), validOf(d.inner));
    case 'readonly':
      return validOf(d.inner);
    case 'object':
      return fc
        .tuple(
          fc.record(Object.fromEntries(d.fields.map(([name, f]) => [name, anyOf(f)]))),
          fc.boolean(),
          fc.dictionary(fc.constantFrom('x', 'y', 'a'), junk, { maxKeys: 2 }),
        )
        .map(([fields, dropUndefined, extra]) => {
          const out: Record<string, unknown> = { ...extra, ...fields };
          // A missing key and a key holding undefined are told apart by zod's optional handling.
          if (dropUndefined) for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
          return out;
        });
    case 'array':
      return fc.array(anyOf(d.inner), { maxLength: 4 });
  }
}

/** What is nearly right for `d`: the value of a neighbouring kind. */
function nearMiss(d: Desc): fc.Arbitrary<unknown> {
  switch (d.t) {
    case 'string':
      return fc.constantFrom(1, null, undefined, 'A1', 'a', '2026-11-23 08:15:02', 'not-an-email');
    case 'number':
      return fc.constantFrom(Number.NaN, Infinity, -Infinity, '1', 1.5, -4, null, undefined);
    case 'boolean':
      return fc.constantFrom(0, 1, 'true', null, undefined);
    case 'date':
      return fc.constantFrom(new Date(Number.NaN), 0, '2026-11-23T08:15:02Z', null, undefined);
    case 'enum':
      return fc.constantFrom('Walking', 'standing', '', null, undefined);
    case 'nullable':
      return fc.oneof(fc.constant(undefined), nearMiss(d.inner));
    case 'optional':
      return fc.oneof(fc.constant(null), nearMiss(d.inner));
    case 'readonly':
      return nearMiss(d.inner);
    case 'object':
      return fc.constantFrom([], [1], new Date(0), 'a', null, undefined);
    case 'array':
      return fc.constantFrom({}, { 0: 1, length: 1 }, 'ab', null, undefined, [undefined], new Array(2));
  }
}

/** Mostly valid, sometimes nearly right, sometimes anything. */
const anyOf = (d: Desc): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 6, arbitrary: validOf(d) }, { weight: 2, arbitrary: nearMiss(d) }, { weight: 1, arbitrary: junk });

const valuesOf = (table: Table): string => JSON.stringify(table.toArray(), (_key, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value));

const rowCase = objectDesc(desc).chain((d) =>
  fc.tuple(fc.constant(d), fc.array(fc.oneof({ weight: 8, arbitrary: validOf(d) }, { weight: 1, arbitrary: nearMiss(d) }, { weight: 1, arbitrary: junk }), { minLength: 1, maxLength: 8 })),
);

describe('rowCheck', () => {
  it('accepts exactly what zod accepts, and then the row holds the column values of zod output', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(rowCase, ([d, rows]) => {
        const schema = schemaOf(d);
        const check = rowCheck(schema);
        expect(check).toBeDefined();
        const columns = columnsOf(schema as z.ZodObject);
        for (const row of rows) {
          const parsed = schema.safeParse(row);
          expect(check!(row)).toBe(parsed.success);
          if (!parsed.success) {
            refused++;
            continue;
          }
          accepted++;
          expect(valuesOf(rowsToArrowTable([row as Record<string, unknown>], columns))).toBe(
            valuesOf(rowsToArrowTable([parsed.data as Record<string, unknown>], columns)),
          );
        }
      }),
      { numRuns: 400 },
    );
    expect(accepted).toBeGreaterThan(250);
    expect(refused).toBeGreaterThan(250);
  });

  it('writes a list with holes as zod copies it: a hole is a null element', () => {
    const schema = z.object({ flags: z.array(z.boolean().optional()) });
    const columns = columnsOf(schema);
    const row = { flags: [true, , false] as Array<boolean | undefined> }; // the second element is a hole
    expect(rowCheck(schema)!(row)).toBe(true);
    const written = rowsToArrowTable([row], columns);
    expect(valuesOf(written)).toBe(valuesOf(rowsToArrowTable([schema.parse(row)], columns)));
    expect(valuesOf(written)).toBe('[{"flags":[true,null,false]}]');
  });

  it('compiles to nothing for a schema with any construct it does not restate', () => {
    fc.assert(
      fc.property(objectDesc(desc), fc.nat(), fc.constantFrom(...UNSUPPORTED), (d, at, unsupported) => {
        const fields = Object.entries((schemaOf(d) as z.ZodObject).shape);
        const [name, field] = fields[at % fields.length]!;
        const schema = z.object({ ...Object.fromEntries(fields), [name]: unsupported(field as z.ZodType) });
        expect(rowCheck(schema)).toBeUndefined();
      }),
      { numRuns: 100 },
    );
  });
});
