import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CatalogError } from '../errors.ts';
import { partitionPath } from '../partition/hive-escape.ts';
import type { Catalog, PartitionDescriptor, TableDescriptor, TableRef } from './catalog.ts';
import { planSchemaChange } from './schema-evolution.ts';
import { removeAbandonedTempFiles, siblingTempPath, siblingTemps } from '../store/temp-files.ts';

/**
 * Options of `LocalCatalog`.
 *
 * @example
 * ```ts
 * const options: LocalCatalogOptions = { dir: '.sluice/catalog' };
 * ```
 */
export interface LocalCatalogOptions {
  /** Folder holding the catalog, e.g. `.sluice/catalog`; created on first write. */
  readonly dir: string;
}

/** Bumped when the file layout changes, so an old sluice refuses a newer file instead of misreading it. */
const FILE_FORMAT = 1;

/** What `<dir>/<database>/<table>.json` holds. */
interface TableFile {
  readonly format: typeof FILE_FORMAT;
  readonly table: TableDescriptor;
  /** Keyed by the partition's `key=value/...` path, so registering a partition twice stores it once. */
  readonly partitions: Readonly<Record<string, PartitionDescriptor>>;
}

// Names become folder and file names, so only what Glue and Athena accept is let through;
// that also keeps `..` and separators out of the paths.
const NAME = /^[a-z0-9_]+$/;

/**
 * The Catalog port for local runs: one JSON file per table at `<dir>/<database>/<table>.json`
 * with the table and its registered partitions. `sluice query` reads it to build DuckDB views
 * over registered partitions only, as Athena sees only what Glue has registered.
 *
 * Each write goes to a temporary file in the same folder and is renamed over the old one, so
 * a reader (or a crash) never sees half a file. Writes to one table are queued inside the
 * process, so concurrent `registerPartitions` calls never lose each other's partitions.
 * Several processes writing the same table at once are not coordinated: run one writer per
 * catalog folder.
 *
 * @example
 * ```ts
 * const catalog = new LocalCatalog({ dir: '.sluice/catalog' });
 * await catalog.ensureTable({ database: 'iot', name: 'sensor_readings', location, columns,
 *                             partitionKeys: ['year', 'month', 'day', 'hour'] });
 * await catalog.registerPartitions({ database: 'iot', name: 'sensor_readings' },
 *   [{ values: ['2026', '01', '02', '03'], location: `${location}/year=2026/month=01/day=02/hour=03` }]);
 * ```
 */
export class LocalCatalog implements Catalog {
  readonly #dir: string;
  /** Tail of each table's write queue; a settled tail is dropped so the map does not grow. */
  readonly #queues = new Map<string, Promise<void>>();
  #tempCounter = 0;

  constructor(options: LocalCatalogOptions) {
    this.#dir = path.resolve(options.dir);
  }

  async ensureTable(table: TableDescriptor): Promise<void> {
    checkRef(table);
    await this.#serialized(table, async () => {
      const file = await this.#read(table);
      if (file === undefined) {
        await this.#write(table, { format: FILE_FORMAT, table: plain(table), partitions: {} });
        return;
      }
      const change = planSchemaChange({ current: file.table, desired: table });
      // The location is not part of the schema; following the job's keeps a moved warehouse readable.
      if (change.kind === 'none' && file.table.location === table.location && Boolean(file.table.projected) === Boolean(table.projected)) return;
      await this.#write(table, { ...file, table: plain(table) });
    });
  }

  async registerPartitions(ref: TableRef, partitions: readonly PartitionDescriptor[]): Promise<void> {
    await this.#changePartitions(ref, partitions, { replace: false, what: 'register partitions' });
  }

  async setPartitionLocations(ref: TableRef, partitions: readonly PartitionDescriptor[]): Promise<void> {
    await this.#changePartitions(ref, partitions, { replace: true, what: 'set partition locations' });
  }

  /** Adds partitions; with `replace`, also moves registered ones to the given location. One file write at most. */
  async #changePartitions(
    ref: TableRef,
    partitions: readonly PartitionDescriptor[],
    options: { readonly replace: boolean; readonly what: string },
  ): Promise<void> {
    checkRef(ref);
    await this.#serialized(ref, async () => {
      const file = await this.#read(ref);
      if (file === undefined) {
        throw new CatalogError(
          `cannot ${options.what} of ${ref.database}.${ref.name}: the table is not in the catalog ` +
            `at ${this.#dir}; run ensureTable (run the job once) to create it first`,
        );
      }
      const keys = file.table.partitionKeys;
      const changed: Record<string, PartitionDescriptor> = {};
      for (const partition of partitions) {
        if (partition.values.length !== keys.length) {
          throw new CatalogError(
            `cannot ${options.what} (${partition.values.join(', ')}) of ${ref.database}.${ref.name}: ` +
              `the table has ${keys.length} partition keys (${keys.join(', ')}) but the partition has ` +
              `${partition.values.length} values; pass one value per key, in key order`,
          );
        }
        const key = partitionKey(keys, partition.values);
        const current = file.partitions[key];
        if (current === undefined || (options.replace && current.location !== partition.location)) changed[key] = plain(partition);
      }
      if (Object.keys(changed).length === 0) return;
      await this.#write(ref, { ...file, partitions: { ...file.partitions, ...changed } });
    });
  }

  async getTable(ref: TableRef): Promise<TableDescriptor | undefined> {
    checkRef(ref);
    return (await this.#read(ref))?.table;
  }

  async listTables(): Promise<TableDescriptor[]> {
    const tables: TableDescriptor[] = [];
    // Temporary files of an interrupted write, and anything else left here, are not tables.
    const databases = (await this.#list(this.#dir)).filter((entry) => NAME.test(entry)).sort();
    for (const database of databases) {
      for (const entry of (await this.#list(path.join(this.#dir, database))).sort()) {
        const name = entry.endsWith('.json') ? entry.slice(0, -'.json'.length) : undefined;
        if (name === undefined || !NAME.test(name)) continue;
        const file = await this.#read({ database, name });
        if (file !== undefined) tables.push(file.table);
      }
    }
    return tables;
  }

  /**
   * Removes the temp files of writes a killed process never renamed into place (only
   * sluice's temp names, only of processes that are gone); returns their paths.
   *
   * @example
   * ```ts
   * await catalog.removeAbandonedTempFiles(); // ['/p/.sluice/catalog/iot/sensor_readings.json.4242.3.tmp']
   * ```
   */
  removeAbandonedTempFiles(): Promise<string[]> {
    return removeAbandonedTempFiles(this.#dir, { kind: siblingTemps });
  }

  async listPartitions(ref: TableRef): Promise<PartitionDescriptor[]> {
    checkRef(ref);
    const file = await this.#read(ref);
    if (file === undefined) {
      throw new CatalogError(
        `no table ${ref.database}.${ref.name} in the catalog at ${this.#dir}; ` +
          `check the name, or run the job once to create it`,
      );
    }
    return Object.keys(file.partitions)
      .sort()
      .map((key) => file.partitions[key]!);
  }

  #serialized(ref: TableRef, work: () => Promise<void>): Promise<void> {
    const key = `${ref.database}.${ref.name}`;
    const result = (this.#queues.get(key) ?? Promise.resolve()).then(work);
    const tail = result.catch(() => undefined);
    this.#queues.set(key, tail);
    void tail.then(() => {
      if (this.#queues.get(key) === tail) this.#queues.delete(key);
    });
    return result;
  }

  #fileOf(ref: TableRef): string {
    return path.join(this.#dir, ref.database, `${ref.name}.json`);
  }

  async #read(ref: TableRef): Promise<TableFile | undefined> {
    const file = this.#fileOf(ref);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw new CatalogError(`cannot read catalog file ${file}: ${(error as Error).message}`, error);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new CatalogError(
        `catalog file ${file} is not valid JSON (${(error as Error).message}); restore it, or delete it ` +
          `and re-run the job to recreate the table (its partitions must then be registered again)`,
        error,
      );
    }
    if (!isTableFile(parsed)) {
      throw new CatalogError(
        `catalog file ${file} is not a sluice catalog file of format ${FILE_FORMAT}; it may come from ` +
          `another sluice version: upgrade sluice, or delete the file and re-run the job`,
      );
    }
    return parsed;
  }

  async #write(ref: TableRef, content: TableFile): Promise<void> {
    const file = this.#fileOf(ref);
    // Unique within the process (writes to one table are queued) and across processes (pid).
    const temp = siblingTempPath(file, ++this.#tempCounter);
    try {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(temp, `${JSON.stringify(content, null, 2)}\n`, 'utf8');
      await rename(temp, file);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => undefined);
      throw new CatalogError(`cannot write catalog file ${file}: ${(error as Error).message}`, error);
    }
  }

  async #list(folder: string): Promise<string[]> {
    try {
      return await readdir(folder);
    } catch (error) {
      if (isNotFound(error) || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
      throw new CatalogError(`cannot list catalog folder ${folder}: ${(error as Error).message}`, error);
    }
  }
}

function checkRef(ref: TableRef): void {
  for (const [what, value] of [
    ['database', ref.database],
    ['table', ref.name],
  ] as const) {
    if (!NAME.test(value)) {
      throw new CatalogError(
        `${what} name '${value}' is not valid: use lowercase letters, digits and '_' only, as Glue and Athena require`,
      );
    }
  }
}

/** The partition's folder path: unambiguous, because values are escaped, and readable in the file. */
function partitionKey(keys: readonly string[], values: readonly string[]): string {
  return partitionPath(keys.map((key, i) => [key, values[i] ?? null] as const));
}

/** A JSON-only copy, so the stored file never aliases objects the caller may still change. */
function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

function isTableFile(value: unknown): value is TableFile {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<keyof TableFile, unknown>>;
  return (
    candidate.format === FILE_FORMAT &&
    typeof candidate.table === 'object' &&
    candidate.table !== null &&
    typeof candidate.partitions === 'object' &&
    candidate.partitions !== null
  );
}
