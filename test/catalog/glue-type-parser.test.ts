import { describe, expect, it } from 'vitest';
import { parseGlueType } from '../../src/catalog/glue-type-parser.ts';
import { CatalogError } from '../../src/errors.ts';
import type { ColumnKind, ColumnType } from '../../src/schema/column-model.ts';
import { glueType } from '../../src/schema/glue-types.ts';

/**
 * One type per column kind, written with what a Glue string implies (nullable fields and
 * elements, plain strings, Date timestamps), so parsing glueType's output gives it back whole.
 */
const everyKind: { readonly [K in ColumnKind]: ColumnType } = {
  string: { kind: 'string', dictionary: false },
  double: { kind: 'double' },
  int32: { kind: 'int32' },
  int64: { kind: 'int64' },
  boolean: { kind: 'boolean' },
  timestamp: { kind: 'timestamp', source: 'date' },
  struct: {
    kind: 'struct',
    fields: [
      { name: 'lat', type: { kind: 'double' }, nullable: true },
      { name: 'Label_2', type: { kind: 'string', dictionary: false }, nullable: true },
    ],
  },
  list: { kind: 'list', element: { kind: 'int64' }, elementNullable: true },
};

const nested: ColumnType = {
  kind: 'struct',
  fields: [
    {
      name: 'readings',
      type: {
        kind: 'list',
        element: {
          kind: 'struct',
          fields: [
            { name: 'at', type: { kind: 'timestamp', source: 'date' }, nullable: true },
            { name: 'values', type: { kind: 'list', element: { kind: 'double' }, elementNullable: true }, nullable: true },
            { name: 'ok', type: { kind: 'boolean' }, nullable: true },
          ],
        },
        elementNullable: true,
      },
      nullable: true,
    },
    { name: 'count', type: { kind: 'int32' }, nullable: true },
  ],
};

describe('parseGlueType', () => {
  it.each(Object.entries(everyKind))('round-trips %s through glueType', (_kind, type) => {
    expect(parseGlueType(glueType(type))).toEqual(type);
    expect(glueType(parseGlueType(glueType(type)))).toBe(glueType(type));
  });

  it('round-trips structs and arrays nested in each other', () => {
    const text = glueType(nested);
    expect(text).toBe('struct<readings:array<struct<at:timestamp,values:array<double>,ok:boolean>>,count:int>');
    expect(parseGlueType(text)).toEqual(nested);
  });

  it('reads the Glue type of any column type, whatever its nullability and hints, to the same Glue type', () => {
    const strict: ColumnType = {
      kind: 'list',
      element: { kind: 'struct', fields: [{ name: 'id', type: { kind: 'string', dictionary: true }, nullable: false }] },
      elementNullable: false,
    };
    expect(glueType(parseGlueType(glueType(strict)))).toBe('array<struct<id:string>>');
  });

  it('reads type names in any case and ignores whitespace between tokens, as Hive does', () => {
    expect(parseGlueType(' ARRAY < Struct< a : BIGINT , b:String > > ')).toEqual({
      kind: 'list',
      element: {
        kind: 'struct',
        fields: [
          { name: 'a', type: { kind: 'int64' }, nullable: true },
          { name: 'b', type: { kind: 'string', dictionary: false }, nullable: true },
        ],
      },
      elementNullable: true,
    });
  });

  it('reads backtick-quoted struct field names', () => {
    expect(parseGlueType('struct<`my field`:int>')).toEqual({
      kind: 'struct',
      fields: [{ name: 'my field', type: { kind: 'int32' }, nullable: true }],
    });
  });

  it.each([
    ['decimal(10,2)', /type 'decimal'.*no column kind/],
    ['map<string,int>', /type 'map'/],
    ['varchar(20)', /type 'varchar'/],
    ['array<int', /expected '>' at position 9/],
    ['struct<a int>', /expected ':'/],
    ['array<>', /expected a type name/],
    ['int extra', /unexpected 'extra'/],
    ['', /expected a type name at position 0/],
  ])('refuses %j with a CatalogError that names the type', (text, why) => {
    expect(() => parseGlueType(text)).toThrow(CatalogError);
    expect(() => parseGlueType(text)).toThrow(why);
  });
});
