import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DataType, Type, TimeUnit } from 'apache-arrow';
import { columnsOf } from '../../src/schema/zod-to-columns.ts';
import { arrowField } from '../../src/schema/arrow-schema.ts';
import { glueType } from '../../src/schema/glue-types.ts';
import { lowCardinality } from '../../src/schema/column-hints.ts';
import { UnsupportedTypeError } from '../../src/errors.ts';

const only = (schema: z.ZodType) => {
  const [column] = columnsOf(z.object({ c: schema }));
  return { column: column!, arrow: arrowField(column!), glue: glueType(column!.type) };
};

// One row per line of the type table in DESIGN.md §3 and the README.
describe('zod -> column model -> Arrow -> Glue', () => {
  it('string -> Utf8 -> string', () => {
    const { column, arrow, glue } = only(z.string());
    expect(column).toEqual({ name: 'c', type: { kind: 'string', dictionary: false }, nullable: false });
    expect(arrow.type.typeId).toBe(Type.Utf8);
    expect(arrow.nullable).toBe(false);
    expect(glue).toBe('string');
  });

  it('low-cardinality string -> Dictionary<Utf8> -> string', () => {
    const { arrow, glue } = only(lowCardinality(z.string()));
    expect(DataType.isDictionary(arrow.type)).toBe(true);
    expect(arrow.type.dictionary.typeId).toBe(Type.Utf8);
    expect(glue).toBe('string');
  });

  it('enum -> Dictionary<Utf8> -> string', () => {
    const { arrow, glue } = only(z.enum(['walking', 'running']));
    expect(DataType.isDictionary(arrow.type)).toBe(true);
    expect(glue).toBe('string');
  });

  it('number -> Float64 -> double', () => {
    const { arrow, glue } = only(z.number());
    expect(arrow.type.typeId).toBe(Type.Float);
    expect(arrow.type.precision).toBe(2);
    expect(glue).toBe('double');
  });

  it('number().int() -> Int64 -> bigint', () => {
    const { arrow, glue } = only(z.number().int());
    expect(arrow.type.typeId).toBe(Type.Int);
    expect(arrow.type.bitWidth).toBe(64);
    expect(glue).toBe('bigint');
  });

  it('bounded int -> Int32 -> int (z.int32() and .int().min().max())', () => {
    for (const schema of [z.int32(), z.number().int().min(0).max(1000)]) {
      const { arrow, glue } = only(schema);
      expect(arrow.type.bitWidth).toBe(32);
      expect(glue).toBe('int');
    }
    expect(only(z.number().int().min(0)).glue).toBe('bigint');
    expect(only(z.number().int().max(2 ** 40)).glue).toBe('bigint');
  });

  it('boolean -> Bool -> boolean', () => {
    const { arrow, glue } = only(z.boolean());
    expect(arrow.type.typeId).toBe(Type.Bool);
    expect(glue).toBe('boolean');
  });

  it('date and ISO datetime strings -> Timestamp(ms, UTC) -> timestamp', () => {
    for (const schema of [z.date(), z.iso.datetime()]) {
      const { arrow, glue } = only(schema);
      expect(arrow.type.typeId).toBe(Type.Timestamp);
      expect(arrow.type.unit).toBe(TimeUnit.MILLISECOND);
      expect(arrow.type.timezone).toBe('UTC');
      expect(glue).toBe('timestamp');
    }
  });

  it('optional / nullable -> nullable field of the same type', () => {
    for (const schema of [z.number().optional(), z.number().nullable(), z.number().nullish()]) {
      const { column, arrow, glue } = only(schema);
      expect(column.nullable).toBe(true);
      expect(arrow.nullable).toBe(true);
      expect(glue).toBe('double');
    }
    expect(only(z.number().default(1)).column.nullable).toBe(false);
  });

  it('object -> Struct -> struct<...>', () => {
    const { arrow, glue } = only(z.object({ pitch: z.number(), label: z.string().optional() }));
    expect(arrow.type.typeId).toBe(Type.Struct);
    expect(arrow.type.children.map((f: { name: string }) => f.name)).toEqual(['pitch', 'label']);
    expect(glue).toBe('struct<pitch:double,label:string>');
  });

  it('array -> List -> array<...>', () => {
    const { arrow, glue } = only(z.array(z.int32()));
    expect(arrow.type.typeId).toBe(Type.List);
    expect(arrow.type.children[0].type.bitWidth).toBe(32);
    expect(glue).toBe('array<int>');
    expect(only(z.array(z.object({ a: z.date() }))).glue).toBe('array<struct<a:timestamp>>');
  });

  it('pipe into a declared type uses the declared output', () => {
    expect(only(z.string().transform((s) => new Date(s)).pipe(z.date())).glue).toBe('timestamp');
  });
});

describe('unsupported zod types fail naming the field and the fix', () => {
  const cases: Array<[string, z.ZodType, RegExp]> = [
    ['union', z.union([z.string(), z.number()]), /z\.enum|nullable columns/],
    ['record', z.record(z.string(), z.number()), /z\.object/],
    ['any', z.any(), /declare the type/],
    ['bigint', z.bigint(), /z\.number\(\)\.int\(\)/],
    ['transform', z.string().transform((s) => s.length), /pipe it into a declared type/],
    ['tuple', z.tuple([z.string()]), /z\.array/],
  ];
  for (const [name, schema, fix] of cases) {
    it(name, () => {
      const fn = () => columnsOf(z.object({ outer: z.object({ field: schema }) }));
      expect(fn).toThrow(UnsupportedTypeError);
      expect(fn).toThrow(/field 'outer\.field'/);
      expect(fn).toThrow(fix);
    });
  }
});
