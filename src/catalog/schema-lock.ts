import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TableDescriptor } from './catalog.ts';
import { planSchemaChange, type SchemaChange } from './schema-evolution.ts';

/**
 * The schema lock: the deployed shape of each table, committed beside the jobs
 * (`schemas/lock/<database>.<table>.json`), so an incompatible change is refused when the
 * stack is packaged, before anything reaches Glue or Athena, and offline. A compatible
 * change (new nullable columns at the end) updates the lock; old files stay readable
 * because readers fill the new columns with NULL.
 */
export interface SchemaLockEntry {
  readonly database: string;
  readonly name: string;
  readonly columns: TableDescriptor['columns'];
  readonly partitionKeys: readonly string[];
}

export interface CheckSchemaLockOptions {
  /** Folder of lock files; `schemas/lock` unless said otherwise. */
  readonly dir: string;
}

const fileOf = (dir: string, table: { database: string; name: string }) => join(dir, `${table.database}.${table.name}.json`);

/**
 * Compares a table with its lock; writes the lock when new, updates it on an additive
 * change, throws `CatalogSchemaMismatchError` (saying why and what to do) otherwise.
 *
 * @example
 * ```ts
 * await checkSchemaLock(tableDescriptor(job, store), { dir: 'schemas/lock' }); // { kind: 'none' }
 * ```
 */
export async function checkSchemaLock(table: TableDescriptor, options: CheckSchemaLockOptions): Promise<SchemaChange | { kind: 'created' }> {
  const file = fileOf(options.dir, table);
  const entry: SchemaLockEntry = { database: table.database, name: table.name, columns: table.columns, partitionKeys: table.partitionKeys };
  let locked: SchemaLockEntry | undefined;
  try {
    locked = JSON.parse(await readFile(file, 'utf8')) as SchemaLockEntry;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (!locked) {
    await save(file, entry);
    return { kind: 'created' };
  }
  const change = planSchemaChange({ current: { ...locked, location: table.location }, desired: table });
  if (change.kind === 'add-columns') await save(file, entry);
  return change;
}

async function save(file: string, entry: SchemaLockEntry): Promise<void> {
  await mkdir(join(file, '..'), { recursive: true });
  await writeFile(`${file}.tmp`, `${JSON.stringify(entry, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}
