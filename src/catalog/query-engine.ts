import { readdir } from 'node:fs/promises';
import path from 'node:path';
import {
  DuckDBInstance,
  DuckDBTypeId,
  JsonDuckDBValueConverter,
  dateFromTimestampMillisecondsValue,
  dateFromTimestampNanosecondsValue,
  dateFromTimestampSecondsValue,
  dateFromTimestampTZValue,
  dateFromTimestampValue,
  doubleFromDecimalValue,
  type DuckDBConnection,
  type DuckDBValue,
  type DuckDBValueConverter,
} from '@duckdb/node-api';
import { QueryError } from '../errors.ts';
import { duckdbType } from '../schema/duckdb-types.ts';
import { TableFormat, type Catalog, type TableDescriptor, type TableRef } from './catalog.ts';
import { REJECT_FIELDS } from '../format/rejects-table.ts';

/**
 * A value as JSON can carry it.
 *
 * @example
 * ```ts
 * const row: Record<string, JsonValue> = { device_id: 'd-1', readings: [1.5, null], at: '2026-01-02T03:00:00.000Z' };
 * ```
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Rows of a query, JSON-friendly: timestamps are ISO-8601 strings in UTC with milliseconds,
 * integers too large for a JS number are strings, decimals are numbers, lists and structs
 * are arrays and objects, NULL is `null`. `columns` are the row keys in order (a repeated
 * column name gets a `:1` suffix, so no value is lost).
 *
 * @example
 * ```ts
 * const result: QueryResult = { columns: ['hour', 'n'], rows: [{ hour: '03', n: 42 }] };
 * ```
 */
export interface QueryResult {
  readonly columns: string[];
  readonly rows: Record<string, JsonValue>[];
}

/**
 * SQL over the tables of a catalog.
 *
 * @example
 * ```ts
 * const engine = await openQueryEngine({ catalog });
 * try { console.log(await engine.query('SELECT count(*) AS n FROM iot.sensor_readings')); }
 * finally { engine.close(); }
 * ```
 */
export interface QueryEngine {
  /** Runs SQL (several statements are allowed; the last one's rows are returned). Rejects with `QueryError`. */
  query(sql: string): Promise<QueryResult>;
  /** Frees DuckDB; idempotent. */
  close(): void;
}

/**
 * Options of `openQueryEngine`.
 *
 * @example
 * ```ts
 * const options: QueryEngineOptions = { catalog: new LocalCatalog({ dir: '.sluice/catalog' }) };
 * ```
 */
export interface QueryEngineOptions {
  /** A catalog whose partition locations are local folders (the local catalog). */
  readonly catalog: Catalog;
  /** Views over the catalog's tables (an aggregate's merged view); each made when the tables it reads exist. */
  readonly views?: readonly ViewDefinition[];
}

/**
 * A view `"<database>"."<name>"` defined by a DuckDB `SELECT` over catalog tables.
 *
 * @example
 * ```ts
 * const view: ViewDefinition = { database: 'iot', name: 'hot', select: 'SELECT * FROM "iot"."sensor_readings" WHERE temperature_c > 30',
 *                                reads: [{ database: 'iot', name: 'sensor_readings' }] };
 * ```
 */
export interface ViewDefinition extends TableRef {
  readonly select: string;
  /** The tables the view reads; the view is made only when all of them are in the catalog. */
  readonly reads: readonly TableRef[];
}

/**
 * Opens an in-memory DuckDB with one view `"<database>"."<table>"` per catalog table that
 * reads the Parquet files of the table's registered partitions only, so what is not
 * registered is invisible, as in Athena. Like Glue, partition keys are strings (`WHERE
 * hour = '03'`), and the view's columns are the catalog's, in the catalog's order: a column
 * added to the table but absent from every file reads as NULL. A table with no readable
 * partitions is an empty view with the same columns. The session time zone is UTC, as in
 * Athena, so `hour(event_time)` means the same in both.
 *
 * The views are built once, from the catalog as it is when the engine opens; reopen to see
 * partitions registered later. Rejects with `QueryError`.
 *
 * @example
 * ```ts
 * const engine = await openQueryEngine({ catalog: new LocalCatalog({ dir: '.sluice/catalog' }) });
 * const { rows } = await engine.query(`SELECT hour, count(*) AS n FROM iot.sensor_readings WHERE day = '02' GROUP BY hour`);
 * engine.close();
 * ```
 */
export async function openQueryEngine(options: QueryEngineOptions): Promise<QueryEngine> {
  const tables = await options.catalog.listTables();
  const instance = await DuckDBInstance.create(':memory:');
  let connection: DuckDBConnection | undefined;
  try {
    connection = await instance.connect();
    await connection.run(`SET TimeZone = 'UTC'`);
    for (const table of tables) await createView(connection, options.catalog, table);
    for (const view of options.views ?? []) await createDefinedView(connection, view, tables);
  } catch (error) {
    connection?.closeSync();
    instance.closeSync();
    throw error;
  }
  return new DuckDBQueryEngine({ instance, connection, tables });
}

class DuckDBQueryEngine implements QueryEngine {
  readonly #instance: DuckDBInstance;
  readonly #connection: DuckDBConnection;
  readonly #tables: readonly TableDescriptor[];
  #closed = false;

  constructor(parts: { instance: DuckDBInstance; connection: DuckDBConnection; tables: readonly TableDescriptor[] }) {
    this.#instance = parts.instance;
    this.#connection = parts.connection;
    this.#tables = parts.tables;
  }

  async query(sql: string): Promise<QueryResult> {
    if (this.#closed) throw new QueryError('the query engine is closed; open a new one with openQueryEngine');
    try {
      // startThenReadAll runs every statement and returns the last one's rows, as a SQL shell does.
      const reader = await this.#connection.startThenReadAll(sql);
      return { columns: reader.deduplicatedColumnNames(), rows: reader.convertRowObjects(toJson) };
    } catch (error) {
      throw new QueryError(`${(error as Error).message}\n${tablesHint(this.#tables)}`, error);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#connection.closeSync();
    this.#instance.closeSync();
  }
}

function tablesHint(tables: readonly TableDescriptor[]): string {
  if (tables.length === 0) return 'The catalog has no tables yet: run a job first, then query its output table.';
  const names = tables.map((t) => `${t.database}.${t.name}`).join(', ');
  return `Available tables: ${names}. Partition keys are strings: write WHERE hour = '03', not hour = 3.`;
}

async function createView(connection: DuckDBConnection, catalog: Catalog, table: TableDescriptor): Promise<void> {
  const globs = await partitionGlobs(catalog, table);
  try {
    await connection.run(`CREATE SCHEMA IF NOT EXISTS ${identifier(table.database)}`);
    await connection.run(await viewDdl(connection, table, globs));
  } catch (error) {
    throw new QueryError(
      `cannot build the view of ${table.database}.${table.name} over its ${globs.length} readable ` +
        `partitions: ${(error as Error).message}; a partition folder may hold a file that is not ` +
        `Parquet, or files whose columns do not match the table`,
      error,
    );
  }
}

async function createDefinedView(connection: DuckDBConnection, view: ViewDefinition, tables: readonly TableDescriptor[]): Promise<void> {
  const present = view.reads.every((ref) => tables.some((t) => t.database === ref.database && t.name === ref.name));
  if (!present) return;
  try {
    await connection.run(`CREATE SCHEMA IF NOT EXISTS ${identifier(view.database)}`);
    await connection.run(`CREATE VIEW ${identifier(view.database)}.${identifier(view.name)} AS ${view.select}`);
  } catch (error) {
    throw new QueryError(`cannot build the view ${view.database}.${view.name}: ${(error as Error).message}`, error);
  }
}

/**
 * One `<location>/*.parquet` glob per registered partition that holds a Parquet file. A
 * partition is registered once its first file is written, but its folder can be empty (or
 * gone) meanwhile, and DuckDB refuses a glob that matches nothing.
 */
async function partitionGlobs(catalog: Catalog, table: TableDescriptor): Promise<string[]> {
  const extension = FILE_EXTENSION[table.format ?? TableFormat.Parquet];
  if (table.projected) return projectedGlobs(table, extension);
  const globs: string[] = [];
  for (const partition of await catalog.listPartitions(table)) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(partition.location)) {
      throw new QueryError(
        `partition ${partition.values.join('/')} of ${table.database}.${table.name} is at ` +
          `${partition.location}, which is not a local folder; the local query engine reads the ` +
          `local catalog only: query this table with Athena`,
      );
    }
    if (await holdsFiles(partition.location, extension)) globs.push(path.join(partition.location, `*${extension}`));
  }
  return globs;
}

/** With partition projection every partition folder under the location counts, as Athena computes them. */
async function projectedGlobs(table: TableDescriptor, extension: string): Promise<string[]> {
  const glob = path.join(table.location, ...table.partitionKeys.map(() => '*'), `*${extension}`);
  const entries = await readdir(table.location, { recursive: true }).catch(() => [] as string[]);
  return entries.some((entry) => String(entry).endsWith(extension)) ? [glob] : [];
}

/** The files of a table's format, by their extension. */
const FILE_EXTENSION: Readonly<Record<TableFormat, string>> = {
  [TableFormat.Parquet]: '.parquet',
  [TableFormat.JsonLines]: '.ndjson',
};

async function holdsFiles(folder: string, extension: string): Promise<boolean> {
  try {
    const entries = await readdir(folder, { withFileTypes: true });
    return entries.some((entry) => entry.isFile() && entry.name.endsWith(extension));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new QueryError(`cannot list partition folder ${folder}: ${(error as Error).message}`, error);
  }
}

async function viewDdl(connection: DuckDBConnection, table: TableDescriptor, globs: readonly string[]): Promise<string> {
  const view = `${identifier(table.database)}.${identifier(table.name)}`;
  if (globs.length === 0) {
    const typed = [
      ...table.columns.map((c) => `NULL::${duckdbType(c.type)} AS ${identifier(c.name)}`),
      ...table.partitionKeys.map((key) => `NULL::VARCHAR AS ${identifier(key)}`),
    ];
    return `CREATE VIEW ${view} AS SELECT ${typed.join(', ')} WHERE false`;
  }
  // Glue partition keys are strings; without hive_types DuckDB would read hour=03 as the number 3.
  const hive =
    table.partitionKeys.length === 0
      ? 'hive_partitioning = false'
      : `hive_partitioning = true, hive_types = {${table.partitionKeys.map((key) => `${literal(key)}: VARCHAR`).join(', ')}}`;
  if (table.format === TableFormat.JsonLines) return jsonLinesViewDdl(view, table, globs, hive);
  const source = `read_parquet([${globs.map(literal).join(', ')}], ${hive}, union_by_name = true)`;
  const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`);
  const inFiles = new Set(described.getRowObjectsJson().map((row) => String(row['column_name'])));
  const projected = [
    ...table.columns.map((c) =>
      inFiles.has(c.name) ? identifier(c.name) : `NULL::${duckdbType(c.type)} AS ${identifier(c.name)}`,
    ),
    ...table.partitionKeys.map(identifier),
  ];
  return `CREATE VIEW ${view} AS SELECT ${projected.join(', ')} FROM ${source}`;
}

/**
 * A JSON-lines table (a job's rejects): every line read with the declared columns' types, each
 * column from its field (`REJECT_FIELDS`), as Athena's JSON SerDe maps them.
 */
function jsonLinesViewDdl(view: string, table: TableDescriptor, globs: readonly string[], hive: string): string {
  const fields: Readonly<Record<string, string>> = REJECT_FIELDS;
  const types = table.columns.map((c) => `${literal(fields[c.name] ?? c.name)}: ${literal(duckdbType(c.type))}`).join(', ');
  const source = `read_json([${globs.map(literal).join(', ')}], format = 'newline_delimited', columns = {${types}}, ${hive})`;
  const projected = [...table.columns.map((c) => `${identifier(fields[c.name] ?? c.name)} AS ${identifier(c.name)}`), ...table.partitionKeys.map(identifier)];
  return `CREATE VIEW ${view} AS SELECT ${projected.join(', ')} FROM ${source}`;
}

function identifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

const timestampToDate: Partial<Record<DuckDBTypeId, (value: DuckDBValue) => Date>> = {
  [DuckDBTypeId.TIMESTAMP]: dateFromTimestampValue,
  [DuckDBTypeId.TIMESTAMP_S]: dateFromTimestampSecondsValue,
  [DuckDBTypeId.TIMESTAMP_MS]: dateFromTimestampMillisecondsValue,
  [DuckDBTypeId.TIMESTAMP_NS]: dateFromTimestampNanosecondsValue,
  [DuckDBTypeId.TIMESTAMP_TZ]: dateFromTimestampTZValue,
};

const wideIntegers = new Set<DuckDBTypeId>([
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UHUGEINT,
  DuckDBTypeId.BIGNUM,
]);

/**
 * DuckDB's own JSON converter, except where it is unfriendly: it gives BIGINT (every
 * `count(*)`) and DECIMAL as strings and timestamps in DuckDB's text form.
 */
const toJson: DuckDBValueConverter<JsonValue> = (value, type, self) => {
  if (value === null) return null;
  if (wideIntegers.has(type.typeId) && typeof value === 'bigint') {
    const small = Number(value);
    return Number.isSafeInteger(small) ? small : value.toString();
  }
  if (type.typeId === DuckDBTypeId.DECIMAL) return doubleFromDecimalValue(value);
  const toDate = timestampToDate[type.typeId];
  if (toDate !== undefined) {
    try {
      return toDate(value).toISOString();
    } catch {
      // Beyond a JS Date's range ('infinity', year 300000): DuckDB's text is the only faithful form.
      return String(value);
    }
  }
  return JsonDuckDBValueConverter(value, type, self);
};
