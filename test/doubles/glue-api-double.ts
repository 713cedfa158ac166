/**
 * A TEST DOUBLE of the AWS Glue Data Catalog API (there is no local Glue to run). It is a real
 * HTTP server on 127.0.0.1 speaking Glue's wire protocol, so the real `@aws-sdk/client-glue`
 * talks to it unchanged: AWS JSON 1.1, `POST /`, `X-Amz-Target: AWSGlue.<Operation>`,
 * `Content-Type: application/x-amz-json-1.1`; errors are HTTP 400 (500 for
 * InternalServiceException) with `{"__type": "<Exception>", "Message": "..."}` and the
 * `x-amzn-ErrorType` header, which the SDK's JSON-RPC error parser turns into its exception
 * classes (`EntityNotFoundException`, `AlreadyExistsException`, ...). Timestamps are epoch
 * seconds, as Glue sends them. Signatures are not checked.
 *
 * Operations covered, with Glue's request/response shapes and errors:
 * GetDatabase, CreateDatabase, GetDatabases, GetTable, GetTables, CreateTable, UpdateTable
 * (with VersionId checks), DeleteTable, BatchCreatePartition and BatchUpdatePartition (per-entry
 * `Errors`), GetPartitions (with ExcludeColumnSchema). List operations paginate with NextToken. Any other operation is
 * answered `UnknownOperationException`.
 *
 * Validated as Glue does where cheap: required names and inputs (ValidationException), at most
 * 100 entries per BatchCreatePartition and BatchUpdatePartition (ValidationException),
 * MaxResults bounds, unknown NextTokens (InvalidInputException), names folded to lower case,
 * per-entry AlreadyExistsException for existing (or repeated) partitions, per-entry
 * EntityNotFoundException for updating a partition that does not exist, and
 * InvalidInputException for a values/keys count mismatch.
 *
 * Not modelled: signatures and permissions, Expression filters, partition indexes, table
 * versions history, transactions, Lake Formation, resource links.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The Glue operations the double answers.
 *
 * @example
 * ```ts
 * glue.callsTo(GlueOperation.BatchCreatePartition).length;
 * ```
 */
export const GlueOperation = {
  GetDatabase: 'GetDatabase',
  CreateDatabase: 'CreateDatabase',
  GetDatabases: 'GetDatabases',
  GetTable: 'GetTable',
  GetTables: 'GetTables',
  CreateTable: 'CreateTable',
  UpdateTable: 'UpdateTable',
  DeleteTable: 'DeleteTable',
  BatchCreatePartition: 'BatchCreatePartition',
  BatchUpdatePartition: 'BatchUpdatePartition',
  GetPartitions: 'GetPartitions',
} as const;
export type GlueOperation = (typeof GlueOperation)[keyof typeof GlueOperation];

/**
 * One call the double received, in arrival order, with its JSON input as sent.
 *
 * @example
 * ```ts
 * const call: GlueCall = { operation: 'GetTable', input: { DatabaseName: 'iot', Name: 'readings' } };
 * ```
 */
export interface GlueCall {
  readonly operation: string;
  readonly input: Json;
}

/**
 * Options of {@link startGlueApiDouble}.
 *
 * @example
 * ```ts
 * const glue = await startGlueApiDouble({ pageSize: 7 });
 * ```
 */
export interface GlueApiDoubleOptions {
  /** Largest page any list operation answers, to exercise NextToken paging; Glue's own maxima otherwise. */
  readonly pageSize?: number;
  /** The account id reported as CatalogId. */
  readonly accountId?: string;
}

/**
 * Options of {@link GlueApiDouble.failNext}.
 *
 * @example
 * ```ts
 * glue.failNext(GlueOperation.GetTable, 'InternalServiceException', { times: 2 });
 * ```
 */
export interface FailNextOptions {
  /** How many of the next calls of the operation fail; 1 by default. */
  readonly times?: number;
  readonly message?: string;
}

/**
 * Options of {@link GlueApiDouble.failPartitionEntries}.
 *
 * @example
 * ```ts
 * glue.failPartitionEntries('ThrottlingException', { count: 3, where: (values) => values[3] === '05' });
 * ```
 */
export interface FailEntriesOptions {
  /** Whose entries fail: BatchCreatePartition (the default) or BatchUpdatePartition. */
  readonly operation?: typeof GlueOperation.BatchCreatePartition | typeof GlueOperation.BatchUpdatePartition;
  /** How many matching entries (over all following calls) fail; every matching entry when absent. */
  readonly count?: number;
  /** Which entries: by their partition values. All entries by default. */
  readonly where?: (values: readonly string[]) => boolean;
  readonly message?: string;
}

/**
 * A running Glue API double.
 *
 * @example
 * ```ts
 * const glue = await startGlueApiDouble();
 * const client = createGlueClient({ endpoint: glue.endpoint, region: 'us-east-1', credentials });
 * // ... glue.callsTo(GlueOperation.BatchCreatePartition) ...
 * await glue.close();
 * ```
 */
export interface GlueApiDouble {
  /** `http://127.0.0.1:<port>`, for the client's `endpoint`. */
  readonly endpoint: string;
  /** Every call received, in order. */
  readonly calls: readonly GlueCall[];
  callsTo(operation: GlueOperation): GlueCall[];
  /** Answers the next call(s) of `operation` with the Glue exception `errorType` instead of running it. */
  failNext(operation: GlueOperation, errorType: string, options?: FailNextOptions): void;
  /** Answers BatchCreatePartition (or BatchUpdatePartition) entries with a per-entry `errorCode` instead of running them. */
  failPartitionEntries(errorCode: string, options?: FailEntriesOptions): void;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

const JSON_TYPE = 'application/x-amz-json-1.1';
const TARGET_PREFIX = 'AWSGlue.';
const DEFAULT_ACCOUNT = '123456789012';
const BATCH_CREATE_PARTITION_LIMIT = 100;
const BATCH_UPDATE_PARTITION_LIMIT = 100;
/** Glue's MaxResults bounds and default page sizes per list operation. */
const pageLimits = { GetDatabases: 100, GetTables: 100, GetPartitions: 1000 } as const;
/** Status codes Glue uses for exceptions other than client faults (400). */
const statusOf: Readonly<Record<string, number>> = { InternalServiceException: 500 };

class GlueFault extends Error {
  readonly type: string;
  constructor(type: string, message: string) {
    super(message);
    this.type = type;
  }
}

interface StoredTable {
  table: Json;
  /** Keyed by the JSON of the values. */
  readonly partitions: Map<string, Json>;
}

interface StoredDatabase {
  readonly database: Json;
  readonly tables: Map<string, StoredTable>;
}

interface EntryFault {
  readonly operation: string;
  readonly errorCode: string;
  remaining: number;
  readonly where: (values: readonly string[]) => boolean;
  readonly message: string;
}

/**
 * Starts a Glue API double on 127.0.0.1 and an ephemeral port, holding an empty catalog.
 *
 * @example
 * ```ts
 * const glue = await startGlueApiDouble();
 * const client = createGlueClient({ endpoint: glue.endpoint, region: 'us-east-1',
 *                                   credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
 * ```
 */
export async function startGlueApiDouble(options: GlueApiDoubleOptions = {}): Promise<GlueApiDouble> {
  const accountId = options.accountId ?? DEFAULT_ACCOUNT;
  const databases = new Map<string, StoredDatabase>();
  const calls: GlueCall[] = [];
  const operationFaults = new Map<string, Array<{ type: string; message: string }>>();
  const entryFaults: EntryFault[] = [];
  const now = () => Date.now() / 1000;

  const pageSize = (operation: keyof typeof pageLimits, input: Json) => {
    const max = pageLimits[operation];
    const requested = input.MaxResults;
    if (requested !== undefined && (typeof requested !== 'number' || requested < 1 || requested > max)) {
      throw validation(`Value '${String(requested)}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and ${max}`);
    }
    return Math.min(requested ?? max, options.pageSize ?? max);
  };

  const databaseNamed = (name: string): StoredDatabase => {
    const database = databases.get(name);
    if (database === undefined) throw new GlueFault('EntityNotFoundException', `Database ${name} not found.`);
    return database;
  };
  const tableNamed = (databaseName: string, name: string): StoredTable => {
    const table = databaseNamed(databaseName).tables.get(name);
    if (table === undefined) throw new GlueFault('EntityNotFoundException', `Table ${name} not found.`);
    return table;
  };

  const storedTable = (databaseName: string, input: Json, previous?: Json): Json => {
    const time = now();
    return {
      ...input,
      Name: name(input.Name, 'tableInput.name'),
      DatabaseName: databaseName,
      CatalogId: accountId,
      CreateTime: previous?.CreateTime ?? time,
      UpdateTime: time,
      VersionId: previous === undefined ? '0' : String(Number(previous.VersionId) + 1),
      IsRegisteredWithLakeFormation: false,
    };
  };

  const takeEntryFault = (operation: string, values: readonly string[]): EntryFault | undefined => {
    const fault = entryFaults.find((f) => f.operation === operation && f.remaining > 0 && f.where(values));
    if (fault !== undefined) fault.remaining--;
    return fault;
  };

  const handlers: { readonly [O in GlueOperation]: (input: Json) => Json } = {
    GetDatabase: (input) => ({ Database: databaseNamed(name(input.Name, 'name')).database }),

    CreateDatabase: (input) => {
      const databaseInput = required<Json>(input.DatabaseInput, 'databaseInput');
      const databaseName = name(databaseInput.Name, 'databaseInput.name');
      if (databases.has(databaseName)) throw new GlueFault('AlreadyExistsException', 'Database already exists.');
      databases.set(databaseName, {
        database: { ...databaseInput, Name: databaseName, CatalogId: accountId, CreateTime: now() },
        tables: new Map(),
      });
      return {};
    },

    GetDatabases: (input) => {
      const all = [...databases.values()].map((d) => d.database);
      return paged(all, input, pageSize('GetDatabases', input), 'DatabaseList');
    },

    GetTable: (input) => ({
      Table: tableNamed(name(input.DatabaseName, 'databaseName'), name(input.Name, 'name')).table,
    }),

    GetTables: (input) => {
      const database = databaseNamed(name(input.DatabaseName, 'databaseName'));
      const all = [...database.tables.values()].map((t) => t.table);
      return paged(all, input, pageSize('GetTables', input), 'TableList');
    },

    CreateTable: (input) => {
      const databaseName = name(input.DatabaseName, 'databaseName');
      const tableInput = required<Json>(input.TableInput, 'tableInput');
      const database = databaseNamed(databaseName);
      const table = storedTable(databaseName, tableInput);
      if (database.tables.has(String(table.Name))) throw new GlueFault('AlreadyExistsException', 'Table already exists.');
      database.tables.set(String(table.Name), { table, partitions: new Map() });
      return {};
    },

    UpdateTable: (input) => {
      const databaseName = name(input.DatabaseName, 'databaseName');
      const tableInput = required<Json>(input.TableInput, 'tableInput');
      const stored = tableNamed(databaseName, name(tableInput.Name, 'tableInput.name'));
      if (input.VersionId !== undefined && input.VersionId !== stored.table.VersionId) {
        throw new GlueFault(
          'ConcurrentModificationException',
          `Update table failed due to concurrent modifications: version ${String(input.VersionId)} is not the latest (${String(stored.table.VersionId)}).`,
        );
      }
      stored.table = storedTable(databaseName, tableInput, stored.table);
      return {};
    },

    DeleteTable: (input) => {
      const databaseName = name(input.DatabaseName, 'databaseName');
      const tableName = name(input.Name, 'name');
      tableNamed(databaseName, tableName);
      databaseNamed(databaseName).tables.delete(tableName);
      return {};
    },

    BatchCreatePartition: (input) => {
      const databaseName = name(input.DatabaseName, 'databaseName');
      const tableName = name(input.TableName, 'tableName');
      const entries = required<Json[]>(input.PartitionInputList, 'partitionInputList');
      if (!Array.isArray(entries) || entries.length > BATCH_CREATE_PARTITION_LIMIT) {
        throw validation(
          `Value at 'partitionInputList' failed to satisfy constraint: Member must have length less than or equal to ${BATCH_CREATE_PARTITION_LIMIT}`,
        );
      }
      const stored = tableNamed(databaseName, tableName);
      const keyCount = (stored.table.PartitionKeys as unknown[] | undefined)?.length ?? 0;
      const errors: Json[] = [];
      const entryError = (values: string[], code: string, message: string) =>
        errors.push({ PartitionValues: values, ErrorDetail: { ErrorCode: code, ErrorMessage: message } });
      for (const entry of entries) {
        const values = ((entry.Values as unknown[] | undefined) ?? []).map(String);
        const fault = takeEntryFault(GlueOperation.BatchCreatePartition, values);
        if (fault !== undefined) {
          entryError(values, fault.errorCode, fault.message);
        } else if (values.length !== keyCount) {
          entryError(values, 'InvalidInputException', 'The number of partition keys do not match the number of partition values.');
        } else if (stored.partitions.has(JSON.stringify(values))) {
          entryError(values, 'AlreadyExistsException', 'Partition already exists.');
        } else {
          stored.partitions.set(JSON.stringify(values), {
            ...entry,
            Values: values,
            DatabaseName: databaseName,
            TableName: tableName,
            CatalogId: accountId,
            CreationTime: now(),
          });
        }
      }
      return { Errors: errors };
    },

    BatchUpdatePartition: (input) => {
      const databaseName = name(input.DatabaseName, 'databaseName');
      const tableName = name(input.TableName, 'tableName');
      const entries = required<Json[]>(input.Entries, 'entries');
      if (!Array.isArray(entries) || entries.length === 0 || entries.length > BATCH_UPDATE_PARTITION_LIMIT) {
        throw validation(`Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${BATCH_UPDATE_PARTITION_LIMIT}`);
      }
      const stored = tableNamed(databaseName, tableName);
      const keyCount = (stored.table.PartitionKeys as unknown[] | undefined)?.length ?? 0;
      const errors: Json[] = [];
      const entryError = (values: string[], code: string, message: string) =>
        errors.push({ PartitionValueList: values, ErrorDetail: { ErrorCode: code, ErrorMessage: message } });
      for (const entry of entries) {
        const values = required<unknown[]>(entry.PartitionValueList, 'entries.member.partitionValueList').map(String);
        const partitionInput = required<Json>(entry.PartitionInput, 'entries.member.partitionInput');
        const newValues = ((partitionInput.Values as unknown[] | undefined) ?? values).map(String);
        const existing = stored.partitions.get(JSON.stringify(values));
        const fault = takeEntryFault(GlueOperation.BatchUpdatePartition, values);
        if (fault !== undefined) {
          entryError(values, fault.errorCode, fault.message);
        } else if (newValues.length !== keyCount) {
          entryError(values, 'InvalidInputException', 'The number of partition keys do not match the number of partition values.');
        } else if (existing === undefined) {
          entryError(values, 'EntityNotFoundException', 'Partition not found.');
        } else {
          // Glue replaces the partition's definition with the input, keeping what it owns.
          stored.partitions.delete(JSON.stringify(values));
          stored.partitions.set(JSON.stringify(newValues), {
            ...partitionInput,
            Values: newValues,
            DatabaseName: databaseName,
            TableName: tableName,
            CatalogId: accountId,
            CreationTime: existing.CreationTime,
          });
        }
      }
      return { Errors: errors };
    },

    GetPartitions: (input) => {
      const stored = tableNamed(name(input.DatabaseName, 'databaseName'), name(input.TableName, 'tableName'));
      const all = [...stored.partitions.values()].map((partition) =>
        input.ExcludeColumnSchema === true ? withoutColumns(partition) : partition,
      );
      return paged(all, input, pageSize('GetPartitions', input), 'Partitions');
    },
  };

  const answer = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const body = await readBody(request);
    const target = String(request.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    try {
      if (request.method !== 'POST' || (request.url ?? '/') !== '/') {
        throw new GlueFault('UnknownOperationException', `Glue takes POST / only, not ${request.method} ${request.url}`);
      }
      if (!String(request.headers['content-type'] ?? '').startsWith(JSON_TYPE)) {
        throw new GlueFault('SerializationException', `Content-Type must be ${JSON_TYPE}`);
      }
      let input: Json;
      try {
        input = (body.length === 0 ? {} : JSON.parse(body)) as Json;
      } catch {
        throw new GlueFault('SerializationException', 'The request body is not valid JSON.');
      }
      calls.push({ operation, input });
      const handler = (handlers as Readonly<Record<string, (input: Json) => Json>>)[operation];
      if (handler === undefined) throw new GlueFault('UnknownOperationException', `Unknown operation ${target}`);
      const injected = operationFaults.get(operation)?.shift();
      if (injected !== undefined) throw new GlueFault(injected.type, injected.message);
      send(response, 200, handler(input));
    } catch (error) {
      const fault = error instanceof GlueFault ? error : new GlueFault('InternalServiceException', String(error));
      send(response, statusOf[fault.type] ?? 400, { __type: fault.type, Message: fault.message }, fault.type);
    }
  };

  const server: Server = createServer((request, response) => {
    answer(request, response).catch((error: unknown) => {
      response.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    callsTo: (operation) => calls.filter((c) => c.operation === operation),
    failNext: (operation, errorType, faultOptions = {}) => {
      const queue = operationFaults.get(operation) ?? [];
      const message = faultOptions.message ?? `${errorType} injected by the Glue API double`;
      for (let i = 0; i < (faultOptions.times ?? 1); i++) queue.push({ type: errorType, message });
      operationFaults.set(operation, queue);
    },
    failPartitionEntries: (errorCode, faultOptions = {}) => {
      entryFaults.push({
        operation: faultOptions.operation ?? GlueOperation.BatchCreatePartition,
        errorCode,
        remaining: faultOptions.count ?? Number.POSITIVE_INFINITY,
        where: faultOptions.where ?? (() => true),
        message: faultOptions.message ?? `${errorCode} injected by the Glue API double`,
      });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        // The SDK keeps connections alive; without this, close() would wait for them to idle out.
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** A Glue name: a non-empty string, folded to lower case as Glue stores names. */
function name(value: unknown, member: string): string {
  if (typeof value !== 'string') throw validation(`Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  if (value.length < 1 || value.length > 255) {
    throw validation(`Value '${value}' at '${member}' failed to satisfy constraint: Member must have length between 1 and 255`);
  }
  return value.toLowerCase();
}

function required<T>(value: unknown, member: string): T {
  if (value === undefined || value === null) {
    throw validation(`Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  }
  return value as T;
}

function validation(detail: string): GlueFault {
  return new GlueFault('ValidationException', `1 validation error detected: ${detail}`);
}

function paged(items: readonly Json[], input: Json, size: number, listMember: string): Json {
  let start = 0;
  if (input.NextToken !== undefined) {
    start = Number(Buffer.from(String(input.NextToken), 'base64').toString('utf8'));
    if (!Number.isInteger(start) || start < 0 || start > items.length) {
      throw new GlueFault('InvalidInputException', 'Invalid NextToken.');
    }
  }
  const end = start + size;
  return {
    [listMember]: items.slice(start, end),
    ...(end < items.length ? { NextToken: Buffer.from(String(end)).toString('base64') } : {}),
  };
}

function withoutColumns(partition: Json): Json {
  const storage = partition.StorageDescriptor as Json | undefined;
  if (storage === undefined) return partition;
  const { Columns: _columns, ...rest } = storage;
  return { ...partition, StorageDescriptor: rest };
}

function send(response: ServerResponse, status: number, payload: Json, errorType?: string): void {
  const body = JSON.stringify(payload);
  response.writeHead(status, {
    'content-type': JSON_TYPE,
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': randomUUID(),
    ...(errorType === undefined ? {} : { 'x-amzn-errortype': errorType }),
  });
  response.end(body);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
