import { describe, expect, it } from 'vitest';
import type { TableDescriptor } from '../../src/catalog/catalog.ts';
import { planSchemaChange } from '../../src/catalog/schema-evolution.ts';
import { CatalogSchemaMismatchError } from '../../src/errors.ts';
import type { Column } from '../../src/schema/column-model.ts';

const current: TableDescriptor = {
  database: 'iot',
  name: 'readings',
  location: '/warehouse/readings',
  columns: [
    { name: 'device_id', type: { kind: 'string', dictionary: false }, nullable: false },
    { name: 'event_time', type: { kind: 'timestamp', source: 'date' }, nullable: false },
    {
      name: 'tags',
      type: { kind: 'list', element: { kind: 'string', dictionary: false }, elementNullable: false },
      nullable: true,
    },
  ],
  partitionKeys: ['year', 'month', 'day', 'hour'],
};

const withColumns = (columns: readonly Column[]): TableDescriptor => ({ ...current, columns });
const replace = (name: string, column: Column): Column[] => current.columns.map((c) => (c.name === name ? column : c));

describe('planSchemaChange', () => {
  it('sees no change in storage hints: dictionary encoding or how a timestamp arrives', () => {
    const desired = withColumns([
      { name: 'device_id', type: { kind: 'string', dictionary: true }, nullable: false },
      { name: 'event_time', type: { kind: 'timestamp', source: 'iso-string' }, nullable: false },
      current.columns[2]!,
    ]);
    expect(planSchemaChange({ current, desired })).toEqual({ kind: 'none' });
  });

  it('returns the appended nullable columns', () => {
    const added: Column[] = [
      { name: 'humidity', type: { kind: 'double' }, nullable: true },
      { name: 'pressure', type: { kind: 'double' }, nullable: true },
    ];
    expect(planSchemaChange({ current, desired: withColumns([...current.columns, ...added]) })).toEqual({
      kind: 'add-columns',
      added,
    });
  });

  it('lists every problem in one message, with the Glue types and what to do', () => {
    const desired = withColumns([
      { name: 'device_id', type: { kind: 'int64' }, nullable: false },
      { name: 'event_time', type: { kind: 'timestamp', source: 'date' }, nullable: true },
      { name: 'site', type: { kind: 'string', dictionary: false }, nullable: false },
    ]);
    let message = '';
    try {
      planSchemaChange({ current, desired });
    } catch (error) {
      expect(error).toBeInstanceOf(CatalogSchemaMismatchError);
      message = (error as Error).message;
    }
    expect(message).toContain('iot.readings');
    expect(message).toContain("column 'device_id' changed type from string to bigint");
    expect(message).toContain("column 'event_time' changed from required to nullable");
    expect(message).toContain("column 'tags' was removed");
    expect(message).toContain("new column 'site' is required");
    expect(message).toMatch(/new table/);
  });

  it('explains a nullability change inside a list, where the Glue type alone looks the same', () => {
    const tags = current.columns[2]!;
    if (tags.type.kind !== 'list') throw new Error('fixture: tags is a list');
    const desired = withColumns(replace('tags', { ...tags, type: { ...tags.type, elementNullable: true } }));
    expect(() => planSchemaChange({ current, desired })).toThrow(
      "column 'tags' changed whether a field or element inside array<string> may be null",
    );
  });

  it('names the moved columns when columns are reordered', () => {
    const [a, b, c] = current.columns;
    expect(() => planSchemaChange({ current, desired: withColumns([a!, c!, b!]) })).toThrow(
      /columns reordered: 'tags', 'event_time' moved/,
    );
  });
});
