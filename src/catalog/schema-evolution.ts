import { CatalogSchemaMismatchError } from '../errors.ts';
import { sameColumnType, type Column } from '../schema/column-model.ts';
import { glueType } from '../schema/glue-types.ts';
import type { TableDescriptor } from './catalog.ts';

/**
 * What `ensureTable` must do to bring a registered table in line with the job's table.
 *
 * @example
 * ```ts
 * const change: SchemaChange = { kind: 'add-columns', added: [{ name: 'humidity', type: { kind: 'double' }, nullable: true }] };
 * ```
 */
export type SchemaChange =
  | { readonly kind: 'none' }
  | { readonly kind: 'add-columns'; readonly added: readonly Column[] };

/**
 * Decides whether a registered table can take the job's table in place, following the
 * Catalog port's rule: the same columns need nothing; new nullable columns appended after
 * the existing ones are added; anything else throws `CatalogSchemaMismatchError` naming
 * every offending column, why it is refused, and what to do. Shared by every adapter so
 * that the local catalog refuses exactly what Glue deployments refuse.
 *
 * @example
 * ```ts
 * const change = planSchemaChange({ current: registered, desired: fromJob });
 * if (change.kind === 'add-columns') await save({ ...registered, columns: fromJob.columns });
 * ```
 */
export function planSchemaChange(tables: {
  readonly current: TableDescriptor;
  readonly desired: TableDescriptor;
}): SchemaChange {
  const { current, desired } = tables;
  const problems = [...partitionKeyProblems(current, desired), ...columnProblems(current.columns, desired.columns)];
  if (problems.length > 0) {
    throw new CatalogSchemaMismatchError(
      `table ${current.database}.${current.name}: the job's columns do not match the catalog's: ` +
        `${problems.join('; ')}. Only new nullable columns added after the existing ones can be ` +
        `applied to a table in place. Either change the row schema back to match the table, or ` +
        `write to a new table (change the output table's name), or drop the table and its ` +
        `partitions from the catalog and re-run.`,
    );
  }
  const added = desired.columns.slice(current.columns.length);
  return added.length === 0 ? { kind: 'none' } : { kind: 'add-columns', added };
}

function partitionKeyProblems(current: TableDescriptor, desired: TableDescriptor): string[] {
  const same =
    current.partitionKeys.length === desired.partitionKeys.length &&
    current.partitionKeys.every((key, i) => key === desired.partitionKeys[i]);
  if (same) return [];
  // Every registered partition folder is named by the old keys, so they cannot be re-keyed in place.
  return [
    `partition keys changed from (${current.partitionKeys.join(', ')}) to (${desired.partitionKeys.join(', ')})`,
  ];
}

function columnProblems(current: readonly Column[], desired: readonly Column[]): string[] {
  const desiredByName = new Map(desired.map((c) => [c.name, c]));
  const currentNames = new Set(current.map((c) => c.name));
  const problems: string[] = [];

  for (const column of current) {
    const next = desiredByName.get(column.name);
    if (next === undefined) {
      problems.push(`column '${column.name}' was removed (existing files still hold it)`);
    } else if (!sameColumnType(column.type, next.type)) {
      const [from, to] = [glueType(column.type), glueType(next.type)];
      problems.push(
        from === to
          ? `column '${column.name}' changed whether a field or element inside ${from} may be null`
          : `column '${column.name}' changed type from ${from} to ${to}`,
      );
    } else if (column.nullable !== next.nullable) {
      problems.push(
        `column '${column.name}' changed from ${column.nullable ? 'nullable' : 'required'} to ` +
          `${next.nullable ? 'nullable' : 'required'}`,
      );
    }
  }

  // Engines that read Parquet by position (and Hive's SerDe) pair data with Glue columns in
  // order, so kept columns must stay in their order and new ones may only follow them.
  const kept = desired.filter((c) => currentNames.has(c.name)).map((c) => c.name);
  const keptInCurrentOrder = current.filter((c) => desiredByName.has(c.name)).map((c) => c.name);
  const moved = kept.filter((name, i) => name !== keptInCurrentOrder[i]);
  if (moved.length > 0) {
    problems.push(`columns reordered: ${moved.map((n) => `'${n}'`).join(', ')} moved (keep the table's column order)`);
  }

  const lastKept = desired.findLastIndex((c) => currentNames.has(c.name));
  desired.forEach((column, index) => {
    if (currentNames.has(column.name)) return;
    if (index < lastKept) {
      problems.push(`new column '${column.name}' is inserted between existing columns (add it after the last one)`);
    }
    if (!column.nullable) {
      problems.push(
        `new column '${column.name}' is required, but existing files have no value for it ` +
          `(make it optional or nullable in the row schema)`,
      );
    }
  });
  return problems;
}
