import {
  CreateDatabaseCommand,
  CreateTableCommand,
  GetDatabaseCommand,
  GetTableCommand,
  paginateGetDatabases,
  paginateGetPartitions,
  paginateGetTables,
  UpdateTableCommand,
  type GlueClient,
  type StorageDescriptor,
  type Table,
} from '@aws-sdk/client-glue';
import { CatalogError, SluiceError } from '../errors.ts';
import type { Compression } from '../job/table.ts';
import type { Catalog, PartitionDescriptor, TableDescriptor, TableRef } from './catalog.ts';
import {
  createPartitions,
  DEFAULT_PARTITION_RETRY,
  updatePartitions,
  valuesKey,
  type PartitionBatchResult,
  type PartitionFailure,
  type PartitionRetryPolicy,
} from './glue-partition-writer.ts';
import { glueTableInput, glueTableUpdateInput } from './glue-table-input.ts';
import { tableDescriptorFromGlue } from './glue-table-reader.ts';
import { planSchemaChange } from './schema-evolution.ts';

/**
 * Options of {@link GlueCatalog}.
 *
 * @example
 * ```ts
 * const options: GlueCatalogOptions = { client: createGlueClient(), compression: 'zstd' };
 * ```
 */
export interface GlueCatalogOptions {
  readonly client: GlueClient;
  /** The account whose Data Catalog to use; the caller's own when absent. */
  readonly catalogId?: string;
  /** Recorded as `parquet.compression` on tables `ensureTable` creates. */
  readonly compression?: Compression;
  /** Retries of partitions BatchCreatePartition answers as throttled or busy. */
  readonly partitionRetry?: PartitionRetryPolicy;
}

/** What registering partitions needs from the table; fetched once per table and instance. */
interface TableShape {
  readonly storage: StorageDescriptor;
  readonly partitionKeys: readonly string[];
}

/**
 * Lost races of concurrent `ensureTable` calls (several containers starting with a new
 * schema): the table appeared, changed or went away between reading and writing it. The
 * table is read again and the decision made afresh.
 */
const RACES: ReadonlySet<string> = new Set(['AlreadyExistsException', 'ConcurrentModificationException', 'EntityNotFoundException']);
const ENSURE_ATTEMPTS = 4;
/** How many failed partitions an error message lists before summarising the rest. */
const FAILURES_NAMED = 5;

/**
 * The Catalog port on the AWS Glue Data Catalog.
 *
 * - `ensureTable` creates the database (GetDatabase, then CreateDatabase) and the Parquet
 *   table from `glueTableInput`. For an existing table, Glue's columns are read back with
 *   `tableDescriptorFromGlue` and checked with the same `planSchemaChange` as the local
 *   catalog: no change does nothing, new nullable columns go in with UpdateTable (guarded by
 *   the table's VersionId), anything else throws `CatalogSchemaMismatchError`. Glue keeps no
 *   nullability: sluice records its column model in the `sluice.columns` table parameter and
 *   compares against it; columns it did not record are taken as nullable-compatible (they
 *   assume the job's nullability), so tables declared by other tools are not refused over
 *   what Glue cannot store. A table whose location differs is left where it is.
 * - `registerPartitions` sends BatchCreatePartition in calls of at most 100, copying the
 *   table's StorageDescriptor with each partition's location. Already existing partitions
 *   are success; throttled or busy entries are retried on their own; other entry errors
 *   reject with `CatalogError` naming the partition values and Glue's code and message.
 *   A warm instance (a reused Lambda container) keeps each table's StorageDescriptor and
 *   the partitions it registered, so registering known partitions makes no call at all.
 *   The memory grows by one short string per partition: a few thousand per table per year.
 * - `setPartitionLocations` sends BatchUpdatePartition (100 per call) with the table's
 *   StorageDescriptor and each partition's new location; partitions Glue does not have are
 *   created with BatchCreatePartition and then updated once more, so the location is ours
 *   even if another writer created the partition meanwhile.
 * - `getTable` / `listTables` / `listPartitions` read Glue back into descriptors;
 *   `listTables` leaves out tables sluice cannot describe (views, types with no column kind).
 *
 * @example
 * ```ts
 * const catalog = new GlueCatalog({ client: createGlueClient(), compression: job.output.compression });
 * await catalog.registerPartitions({ database: 'iot', name: 'sensor_readings' },
 *   [{ values: ['2026', '01', '02', '03'], location: 's3://bucket/iot/sensor_readings/year=2026/month=01/day=02/hour=03' }]);
 * ```
 */
export class GlueCatalog implements Catalog {
  readonly #client: GlueClient;
  readonly #catalogId: string | undefined;
  readonly #compression: Compression | undefined;
  readonly #retry: PartitionRetryPolicy;
  /** In-flight or settled reads of each table's shape; a failed read is dropped so the next call tries again. */
  readonly #shapes = new Map<string, Promise<TableShape>>();
  /** Partitions (by `valuesKey`) this instance knows exist, per table. */
  readonly #registered = new Map<string, Set<string>>();

  constructor(options: GlueCatalogOptions) {
    this.#client = options.client;
    this.#catalogId = options.catalogId;
    this.#compression = options.compression;
    this.#retry = options.partitionRetry ?? DEFAULT_PARTITION_RETRY;
  }

  async ensureTable(table: TableDescriptor): Promise<void> {
    try {
      await this.#ensureDatabase(table.database);
      for (let attempt = 1; ; attempt++) {
        try {
          await this.#ensureTableOnce(table);
          return;
        } catch (error) {
          if (attempt >= ENSURE_ATTEMPTS || !RACES.has(glueErrorName(error))) throw error;
        }
      }
    } catch (error) {
      if (error instanceof SluiceError) throw error;
      throw new CatalogError(
        `cannot create or update Glue table ${this.#describe(table)}: ${glueErrorText(error)}; ` +
          `check that the caller may glue:GetDatabase, glue:CreateDatabase, glue:GetTable, glue:CreateTable ` +
          `and glue:UpdateTable on it, then retry`,
        error,
      );
    }
  }

  async registerPartitions(ref: TableRef, partitions: readonly PartitionDescriptor[]): Promise<void> {
    const known = this.#registered.get(tableKey(ref)) ?? new Set<string>();
    const fresh = new Map<string, PartitionDescriptor>();
    for (const partition of partitions) {
      const key = valuesKey(partition.values);
      if (!known.has(key) && !fresh.has(key)) fresh.set(key, partition);
    }
    if (fresh.size === 0) return;

    const shape = await this.#shape(ref);
    for (const partition of fresh.values()) checkValues(ref, shape, partition);
    let result: PartitionBatchResult;
    try {
      result = await createPartitions({
        client: this.#client,
        ...(this.#catalogId === undefined ? {} : { catalogId: this.#catalogId }),
        table: ref,
        partitions: [...fresh.values()].map((p) => ({
          Values: [...p.values],
          StorageDescriptor: { ...shape.storage, Location: p.location },
        })),
        retry: this.#retry,
      });
    } catch (error) {
      if (glueErrorName(error) === 'EntityNotFoundException') {
        this.#forget(ref);
        throw this.#missingTable(ref, error);
      }
      throw new CatalogError(
        `cannot register partitions of Glue table ${this.#describe(ref)}: ${glueErrorText(error)}; the batch fails ` +
          `and is retried; if this repeats, check that the caller may glue:BatchCreatePartition on the table`,
        error,
      );
    }
    this.#rememberRegistered(ref, result.registered);
    if (result.failures.length > 0) throw this.#partitionsFailed(ref, result.failures);
  }

  async setPartitionLocations(ref: TableRef, partitions: readonly PartitionDescriptor[]): Promise<void> {
    // The last location given for a partition wins, as if the calls had been made one by one.
    const distinct = new Map(partitions.map((p) => [valuesKey(p.values), p] as const));
    if (distinct.size === 0) return;
    const shape = await this.#shape(ref);
    for (const partition of distinct.values()) checkValues(ref, shape, partition);
    const inputs = [...distinct.values()].map((p) => ({ Values: [...p.values], StorageDescriptor: { ...shape.storage, Location: p.location } }));
    const request = { client: this.#client, ...(this.#catalogId === undefined ? {} : { catalogId: this.#catalogId }), table: ref, retry: this.#retry };
    const failures: PartitionFailure[] = [];
    const done: Array<readonly string[]> = [];
    try {
      const first = await updatePartitions({ ...request, partitions: inputs });
      failures.push(...first.failures);
      done.push(...first.updated);
      if (first.missing.length > 0) {
        const created = await createPartitions({ ...request, partitions: first.missing });
        failures.push(...created.failures);
        // AlreadyExists counts as created, but another writer may have created it elsewhere
        // meanwhile: updating once more makes the location ours either way.
        const createdKeys = new Set(created.registered.map(valuesKey));
        const again = await updatePartitions({ ...request, partitions: first.missing.filter((p) => createdKeys.has(valuesKey(p.Values ?? []))) });
        failures.push(...again.failures);
        for (const gone of again.missing) {
          failures.push({ values: gone.Values ?? [], errorCode: 'EntityNotFoundException', errorMessage: 'deleted by another writer right after it was created', attempts: 1 });
        }
        done.push(...again.updated);
      }
    } catch (error) {
      if (glueErrorName(error) === 'EntityNotFoundException') {
        this.#forget(ref);
        throw this.#missingTable(ref, error);
      }
      throw new CatalogError(
        `cannot set partition locations of Glue table ${this.#describe(ref)}: ${glueErrorText(error)}; retry; if this ` +
          `repeats, check that the caller may glue:BatchUpdatePartition and glue:BatchCreatePartition on the table`,
        error,
      );
    }
    this.#rememberRegistered(ref, done);
    if (failures.length > 0) throw this.#partitionsFailed(ref, failures, 'Partitions not named are set; retry the call');
  }

  async getTable(ref: TableRef): Promise<TableDescriptor | undefined> {
    const table = await this.#read(`cannot read Glue table ${this.#describe(ref)}`, () => this.#getGlueTable(ref));
    return table === undefined ? undefined : tableDescriptorFromGlue(table);
  }

  async listTables(): Promise<TableDescriptor[]> {
    return this.#read('cannot list the tables of the Glue Data Catalog', async () => {
      const tables: TableDescriptor[] = [];
      const catalog = this.#catalogId === undefined ? {} : { CatalogId: this.#catalogId };
      for await (const page of paginateGetDatabases({ client: this.#client }, catalog)) {
        for (const database of page.DatabaseList ?? []) {
          const pages = paginateGetTables({ client: this.#client }, { ...catalog, DatabaseName: database.Name });
          for await (const tablePage of pages) {
            for (const table of tablePage.TableList ?? []) {
              const descriptor = describable(table);
              if (descriptor !== undefined) tables.push(descriptor);
            }
          }
        }
      }
      return tables;
    });
  }

  async listPartitions(ref: TableRef): Promise<PartitionDescriptor[]> {
    return this.#read(`cannot list the partitions of Glue table ${this.#describe(ref)}`, async () => {
      const partitions: PartitionDescriptor[] = [];
      const input = {
        ...(this.#catalogId === undefined ? {} : { CatalogId: this.#catalogId }),
        DatabaseName: ref.database,
        TableName: ref.name,
        // Every partition repeats the table's columns; only values and locations are wanted.
        ExcludeColumnSchema: true,
      };
      try {
        for await (const page of paginateGetPartitions({ client: this.#client }, input)) {
          for (const partition of page.Partitions ?? []) {
            partitions.push({ values: partition.Values ?? [], location: partition.StorageDescriptor?.Location ?? '' });
          }
        }
      } catch (error) {
        if (glueErrorName(error) === 'EntityNotFoundException') throw this.#missingTable(ref, error);
        throw error;
      }
      return partitions;
    });
  }

  async #ensureDatabase(database: string): Promise<void> {
    try {
      await this.#client.send(new GetDatabaseCommand({ ...this.#catalog(), Name: database }));
      return;
    } catch (error) {
      if (glueErrorName(error) !== 'EntityNotFoundException') throw error;
    }
    try {
      await this.#client.send(new CreateDatabaseCommand({ ...this.#catalog(), DatabaseInput: { Name: database } }));
    } catch (error) {
      // Another container created it between our two calls: what we wanted.
      if (glueErrorName(error) !== 'AlreadyExistsException') throw error;
    }
  }

  async #ensureTableOnce(table: TableDescriptor): Promise<void> {
    const existing = await this.#getGlueTable(table);
    if (existing === undefined) {
      const input = glueTableInput(table, this.#compression === undefined ? {} : { compression: this.#compression });
      await this.#client.send(new CreateTableCommand({ ...this.#catalog(), DatabaseName: table.database, TableInput: input }));
      // A new table has no partitions, whatever this instance registered under the name before.
      this.#registered.delete(tableKey(table));
      this.#remember(table, { storage: input.StorageDescriptor ?? {}, partitionKeys: table.partitionKeys });
      return;
    }
    const current = tableDescriptorFromGlue(existing, { nullabilityFrom: table.columns });
    const change = planSchemaChange({ current, desired: table });
    if (change.kind === 'none') {
      this.#remember(table, shapeOf(existing));
      return;
    }
    const input = glueTableUpdateInput(existing, table);
    await this.#client.send(
      new UpdateTableCommand({
        ...this.#catalog(),
        DatabaseName: table.database,
        TableInput: input,
        // Refused with ConcurrentModificationException if another writer got there first.
        ...(existing.VersionId === undefined ? {} : { VersionId: existing.VersionId }),
      }),
    );
    this.#remember(table, { storage: input.StorageDescriptor ?? {}, partitionKeys: current.partitionKeys });
  }

  async #getGlueTable(ref: TableRef): Promise<Table | undefined> {
    try {
      const { Table: table } = await this.#client.send(
        new GetTableCommand({ ...this.#catalog(), DatabaseName: ref.database, Name: ref.name }),
      );
      return table;
    } catch (error) {
      // Glue answers a missing database and a missing table alike.
      if (glueErrorName(error) === 'EntityNotFoundException') return undefined;
      throw error;
    }
  }

  #shape(ref: TableRef): Promise<TableShape> {
    const key = tableKey(ref);
    const cached = this.#shapes.get(key);
    if (cached !== undefined) return cached;
    const reading = (async () => {
      let table: Table | undefined;
      try {
        table = await this.#getGlueTable(ref);
      } catch (error) {
        throw new CatalogError(
          `cannot read Glue table ${this.#describe(ref)} to register partitions: ${glueErrorText(error)}; the batch ` +
            `fails and is retried; if this repeats, check that the caller may glue:GetTable on it`,
          error,
        );
      }
      if (table === undefined) throw this.#missingTable(ref);
      return shapeOf(table);
    })();
    this.#shapes.set(key, reading);
    reading.catch(() => {
      if (this.#shapes.get(key) === reading) this.#shapes.delete(key);
    });
    return reading;
  }

  #remember(ref: TableRef, shape: TableShape): void {
    this.#shapes.set(tableKey(ref), Promise.resolve(shape));
  }

  /** Partitions known to exist, so that registering them again makes no call. */
  #rememberRegistered(ref: TableRef, partitions: ReadonlyArray<readonly string[]>): void {
    const remembered = this.#registered.get(tableKey(ref)) ?? new Set<string>();
    for (const values of partitions) remembered.add(valuesKey(values));
    this.#registered.set(tableKey(ref), remembered);
  }

  #forget(ref: TableRef): void {
    this.#shapes.delete(tableKey(ref));
    this.#registered.delete(tableKey(ref));
  }

  /** Runs a read, passing sluice's own errors through and wrapping the SDK's. */
  async #read<T>(what: string, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      if (error instanceof SluiceError) throw error;
      throw new CatalogError(`${what}: ${glueErrorText(error)}`, error);
    }
  }

  #catalog(): { CatalogId?: string } {
    return this.#catalogId === undefined ? {} : { CatalogId: this.#catalogId };
  }

  #describe(ref: TableRef): string {
    return `${ref.database}.${ref.name}${this.#catalogId === undefined ? '' : ` (catalog ${this.#catalogId})`}`;
  }

  #missingTable(ref: TableRef, cause?: unknown): CatalogError {
    return new CatalogError(
      `Glue table ${this.#describe(ref)} does not exist, so its partitions cannot be registered: deploy the job's ` +
        `stack (it declares the table), or run ensureTable (run the job once locally against Glue), then retry`,
      cause,
    );
  }

  #partitionsFailed(ref: TableRef, failures: readonly PartitionFailure[], consequence = 'The batch fails and is retried'): CatalogError {
    const named = failures.slice(0, FAILURES_NAMED).map(
      (f) =>
        `(${f.values.join(', ')}): ${f.errorCode}${f.errorMessage === '' ? '' : ` "${f.errorMessage}"`}` +
        (f.attempts > 1 ? ` after ${f.attempts} attempts` : ''),
    );
    const more = failures.length > FAILURES_NAMED ? `; and ${failures.length - FAILURES_NAMED} more` : '';
    return new CatalogError(
      `Glue refused ${failures.length} partition(s) of table ${this.#describe(ref)}: ${named.join('; ')}${more}. ` +
        `${consequence}; throttling passes by itself, other errors need the partition values or ` +
        `the table fixed`,
    );
  }
}

function tableKey(ref: TableRef): string {
  // Glue folds names to lower case, so `Readings` and `readings` are one table.
  return `${ref.database}.${ref.name}`.toLowerCase();
}

function shapeOf(table: Table): TableShape {
  return { storage: table.StorageDescriptor ?? {}, partitionKeys: (table.PartitionKeys ?? []).map((k) => k.Name ?? '') };
}

function checkValues(ref: TableRef, shape: TableShape, partition: PartitionDescriptor): void {
  if (partition.values.length === shape.partitionKeys.length) return;
  throw new CatalogError(
    `cannot register partition (${partition.values.join(', ')}) of Glue table ${ref.database}.${ref.name}: the table ` +
      `has ${shape.partitionKeys.length} partition keys (${shape.partitionKeys.join(', ')}) but the partition has ` +
      `${partition.values.length} values; pass one value per key, in key order`,
  );
}

/** The table as a descriptor, or undefined for tables sluice cannot describe (not one of its tables). */
function describable(table: Table): TableDescriptor | undefined {
  try {
    return tableDescriptorFromGlue(table);
  } catch (error) {
    if (error instanceof CatalogError) return undefined;
    throw error;
  }
}

/**
 * The Glue exception's name (`EntityNotFoundException`, ...). Compared by name, not
 * `instanceof`, so a client from another copy of the SDK is understood too.
 */
function glueErrorName(error: unknown): string {
  return typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : '';
}

function glueErrorText(error: unknown): string {
  const name = glueErrorName(error);
  const message = error instanceof Error ? error.message : String(error);
  return name === '' || message.startsWith(name) ? message : `${name}: ${message}`;
}
