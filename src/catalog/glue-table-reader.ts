import type { Table } from '@aws-sdk/client-glue';
import { CatalogError } from '../errors.ts';
import type { Column, ColumnType } from '../schema/column-model.ts';
import { glueType } from '../schema/glue-types.ts';
import { TableFormat, type TableDescriptor } from './catalog.ts';
import { COLUMN_MODEL_PARAMETER, JsonHive } from './glue-table-input.ts';
import { parseGlueType } from './glue-type-parser.ts';

/**
 * Options of {@link tableDescriptorFromGlue}.
 *
 * @example
 * ```ts
 * const options: GlueTableReadOptions = { nullabilityFrom: desired.columns };
 * ```
 */
export interface GlueTableReadOptions {
  /**
   * Columns whose nullability to assume for Glue columns sluice did not record (see below).
   * Pass the job's columns when comparing, so a table declared outside sluice is not
   * refused over nullability that Glue cannot store. Without it such columns read as nullable.
   */
  readonly nullabilityFrom?: readonly Column[];
}

/**
 * A Glue table as the Catalog port sees it. Glue's columns are the truth for names, order
 * and types. Glue stores no nullability, so for each column:
 * - when the column model sluice recorded in the `sluice.columns` table parameter has the
 *   column with the same Glue type, that recorded column is used (nullability and writer
 *   hints included), so the table reads back exactly as it was declared;
 * - otherwise (a table declared by other tools, or a column changed outside sluice) the
 *   column is "nullable-compatible": it takes the nullability of the same-named column in
 *   `nullabilityFrom`, recursively through struct fields and list elements, or is nullable.
 * Throws `CatalogError` naming the table and column when a column's type has no column kind.
 *
 * @example
 * ```ts
 * const { Table } = await client.send(new GetTableCommand({ DatabaseName: 'iot', Name: 'readings' }));
 * const current = tableDescriptorFromGlue(Table!, { nullabilityFrom: desired.columns });
 * planSchemaChange({ current, desired });
 * ```
 */
export function tableDescriptorFromGlue(table: Table, options: GlueTableReadOptions = {}): TableDescriptor {
  const where = `Glue table ${table.DatabaseName ?? '?'}.${table.Name ?? '?'}`;
  const location = table.StorageDescriptor?.Location;
  if (location === undefined || location === '') {
    throw new CatalogError(`${where} has no StorageDescriptor.Location, so it is not a table of files sluice can write`);
  }
  const recorded = recordedColumns(table.Parameters?.[COLUMN_MODEL_PARAMETER]);
  const assumed = new Map((options.nullabilityFrom ?? []).map((c) => [c.name, c]));
  const columns = (table.StorageDescriptor?.Columns ?? []).map((glueColumn): Column => {
    const name = glueColumn.Name ?? '';
    let type: ColumnType;
    try {
      type = parseGlueType(glueColumn.Type ?? '');
    } catch (error) {
      throw new CatalogError(`${where}, column '${name}': ${(error as Error).message}`, error);
    }
    const record = recorded.get(name);
    if (record !== undefined && sameGlueType(record.type, type)) return { ...record, name };
    const desired = assumed.get(name);
    return desired === undefined
      ? { name, type, nullable: true }
      : { name, type: adoptNullability(type, desired.type), nullable: desired.nullable };
  });
  return {
    database: table.DatabaseName ?? '',
    name: table.Name ?? '',
    location,
    columns,
    partitionKeys: (table.PartitionKeys ?? []).map((key) => key.Name ?? ''),
    ...(table.StorageDescriptor?.SerdeInfo?.SerializationLibrary === JsonHive.SerializationLibrary ? { format: TableFormat.JsonLines } : {}),
  };
}

/** The recorded column model by name; anything unreadable counts as not recorded. */
function recordedColumns(json: string | undefined): Map<string, Column> {
  if (json === undefined) return new Map();
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return new Map();
  }
  if (!Array.isArray(parsed)) return new Map();
  const columns = parsed.filter(
    (c): c is Column =>
      typeof c === 'object' && c !== null && typeof c.name === 'string' && typeof c.nullable === 'boolean' && isTyped(c),
  );
  return new Map(columns.map((c) => [c.name, c]));
}

function isTyped(candidate: { type?: unknown }): boolean {
  try {
    glueType(candidate.type as ColumnType);
    return true;
  } catch {
    return false;
  }
}

function sameGlueType(a: ColumnType, b: ColumnType): boolean {
  return glueType(a) === glueType(b);
}

/** `parsed` with the nullability (and writer hints) of `desired` wherever the two have the same shape. */
function adoptNullability(parsed: ColumnType, desired: ColumnType): ColumnType {
  if (parsed.kind === 'struct' && desired.kind === 'struct') {
    const byName = new Map(desired.fields.map((f) => [f.name, f]));
    return {
      kind: 'struct',
      fields: parsed.fields.map((field) => {
        const match = byName.get(field.name);
        return match === undefined
          ? field
          : { name: field.name, type: adoptNullability(field.type, match.type), nullable: match.nullable };
      }),
    };
  }
  if (parsed.kind === 'list' && desired.kind === 'list') {
    return { kind: 'list', element: adoptNullability(parsed.element, desired.element), elementNullable: desired.elementNullable };
  }
  return parsed.kind === desired.kind ? desired : parsed;
}
