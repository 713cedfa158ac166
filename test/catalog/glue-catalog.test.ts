import {
  BatchCreatePartitionCommand,
  CreateDatabaseCommand,
  CreateTableCommand,
  DeleteTableCommand,
  EntityNotFoundException,
  GetTableCommand,
  ValidationException,
  type GlueClient,
  type Table,
} from '@aws-sdk/client-glue';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PartitionDescriptor, TableDescriptor, TableRef } from '../../src/catalog/catalog.ts';
import { GlueCatalog } from '../../src/catalog/glue-catalog.ts';
import { createGlueClient } from '../../src/catalog/glue-client.ts';
import type { PartitionRetryPolicy } from '../../src/catalog/glue-partition-writer.ts';
import { COLUMN_MODEL_PARAMETER, glueTableInput, ParquetHive } from '../../src/catalog/glue-table-input.ts';
import { Jitter } from '../../src/kinesis/backoff.ts';
import { CatalogError, CatalogSchemaMismatchError } from '../../src/errors.ts';
import type { Column } from '../../src/schema/column-model.ts';
import { glueColumns } from '../../src/schema/glue-types.ts';
import { describeCatalogContract } from '../contracts/catalog-contract.ts';
import { GlueOperation, startGlueApiDouble, type GlueApiDouble } from '../doubles/glue-api-double.ts';

const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;
const REGION = 'us-east-1';
/** Retried entries go out again at once: the tests check which entries are retried, not how long it waits. */
const IMMEDIATE_RETRY: PartitionRetryPolicy = { attempts: 4, backoff: { baseMs: 0, maxMs: 0, jitter: Jitter.None } };

describeCatalogContract('GlueCatalog (real SDK client against the Glue API double)', async () => {
  // A small page size makes listTables and listPartitions follow NextToken.
  const glue = await startGlueApiDouble({ pageSize: 7 });
  const client = createGlueClient({ endpoint: glue.endpoint, region: REGION, credentials: CREDENTIALS });
  return {
    catalog: new GlueCatalog({ client, partitionRetry: IMMEDIATE_RETRY }),
    locationFor: (path) => `s3://sluice-contract/${path}`,
    cleanup: async () => {
      client.destroy();
      await glue.close();
    },
  };
});

const columns: readonly Column[] = [
  { name: 'device_id', type: { kind: 'string', dictionary: true }, nullable: false },
  { name: 'event_time', type: { kind: 'timestamp', source: 'iso-string' }, nullable: false },
  { name: 'temperature_c', type: { kind: 'double' }, nullable: true },
  {
    name: 'position',
    type: {
      kind: 'struct',
      fields: [
        { name: 'lat', type: { kind: 'double' }, nullable: false },
        { name: 'tags', type: { kind: 'list', element: { kind: 'string', dictionary: false }, elementNullable: false }, nullable: true },
      ],
    },
    nullable: true,
  },
];

const table: TableDescriptor = {
  database: 'iot',
  name: 'readings',
  location: 's3://sluice-test/iot/readings',
  columns,
  partitionKeys: ['year', 'month', 'day', 'hour'],
};
const ref: TableRef = { database: table.database, name: table.name };

function partitionAt(day: number, hour: number): PartitionDescriptor {
  const values = ['2026', '01', String(day).padStart(2, '0'), String(hour).padStart(2, '0')];
  return { values, location: `${table.location}/year=${values[0]}/month=${values[1]}/day=${values[2]}/hour=${values[3]}` };
}

function sortByValues(partitions: readonly PartitionDescriptor[]): PartitionDescriptor[] {
  return [...partitions].sort((a, b) => a.values.join('/').localeCompare(b.values.join('/')));
}

function hours(count: number): PartitionDescriptor[] {
  return Array.from({ length: count }, (_, i) => partitionAt(1 + Math.floor(i / 24), i % 24));
}

describe('glueTableInput', () => {
  it('declares an external Parquet table with the Hive Parquet SerDe, formats, string partition keys and glueColumns', () => {
    const input = glueTableInput(table, { compression: 'zstd' });
    expect(input.Name).toBe('readings');
    expect(input.TableType).toBe('EXTERNAL_TABLE');
    expect(input.Parameters).toEqual({
      classification: 'parquet',
      EXTERNAL: 'TRUE',
      'parquet.compression': 'ZSTD',
      [COLUMN_MODEL_PARAMETER]: JSON.stringify(columns),
    });
    expect(input.StorageDescriptor).toEqual({
      Columns: glueColumns(columns),
      Location: 's3://sluice-test/iot/readings',
      InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
      OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
      SerdeInfo: {
        SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
        Parameters: { 'serialization.format': '1' },
      },
    });
    expect(input.StorageDescriptor?.Columns).toEqual([
      { Name: 'device_id', Type: 'string' },
      { Name: 'event_time', Type: 'timestamp' },
      { Name: 'temperature_c', Type: 'double' },
      { Name: 'position', Type: 'struct<lat:double,tags:array<string>>' },
    ]);
    expect(input.PartitionKeys).toEqual(['year', 'month', 'day', 'hour'].map((Name) => ({ Name, Type: 'string' })));
  });

  it('leaves parquet.compression out when no codec is given', () => {
    expect(glueTableInput(table).Parameters).not.toHaveProperty('parquet.compression');
  });
});

describe('GlueCatalog against the Glue API double', () => {
  let glue: GlueApiDouble;
  let client: GlueClient;
  let catalog: GlueCatalog;
  const newCatalog = () => new GlueCatalog({ client, partitionRetry: IMMEDIATE_RETRY });
  const glueTable = async (): Promise<Table | undefined> =>
    (await client.send(new GetTableCommand({ DatabaseName: ref.database, Name: ref.name }))).Table;

  beforeEach(async () => {
    glue = await startGlueApiDouble();
    client = createGlueClient({ endpoint: glue.endpoint, region: REGION, credentials: CREDENTIALS });
    catalog = newCatalog();
  });
  afterEach(async () => {
    client.destroy();
    await glue.close();
  });

  describe('ensureTable', () => {
    it('creates the database and a table Glue stores exactly as glueTableInput declares it', async () => {
      await new GlueCatalog({ client, compression: 'snappy' }).ensureTable(table);
      const stored = await glueTable();
      const expected = glueTableInput(table, { compression: 'snappy' });
      expect(stored?.StorageDescriptor).toEqual(expected.StorageDescriptor);
      expect(stored?.StorageDescriptor?.SerdeInfo?.SerializationLibrary).toBe(ParquetHive.SerializationLibrary);
      expect(stored?.PartitionKeys).toEqual(expected.PartitionKeys);
      expect(stored?.Parameters).toEqual(expected.Parameters);
      expect(stored?.TableType).toBe('EXTERNAL_TABLE');
      expect(glue.callsTo(GlueOperation.CreateDatabase)).toHaveLength(1);
    });

    it('takes a database another writer created meanwhile (AlreadyExistsException) as success', async () => {
      glue.failNext(GlueOperation.GetDatabase, 'EntityNotFoundException');
      await client.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'iot' } }));
      await catalog.ensureTable(table);
      expect(await catalog.getTable(ref)).toEqual(table);
      expect(glue.callsTo(GlueOperation.CreateDatabase)).toHaveLength(2);
    });

    it('adds new nullable columns with UpdateTable, guarded by the version it read', async () => {
      await catalog.ensureTable(table);
      const humidity: Column = { name: 'humidity', type: { kind: 'double' }, nullable: true };
      const evolved = { ...table, columns: [...columns, humidity] };
      await catalog.ensureTable(evolved);
      const updates = glue.callsTo(GlueOperation.UpdateTable);
      expect(updates).toHaveLength(1);
      expect(updates[0]?.input).toMatchObject({ VersionId: '0' });
      expect((await glueTable())?.StorageDescriptor?.Columns).toEqual(glueColumns(evolved.columns));
      expect(await catalog.getTable(ref)).toEqual(evolved);
    });

    it('keeps parameters others set on the table when it adds columns', async () => {
      const input = glueTableInput(table);
      await client.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'iot' } }));
      await client.send(
        new CreateTableCommand({
          DatabaseName: 'iot',
          TableInput: { ...input, Parameters: { ...input.Parameters, 'projection.enabled': 'false' } },
        }),
      );
      await catalog.ensureTable({ ...table, columns: [...columns, { name: 'humidity', type: { kind: 'double' }, nullable: true }] });
      expect((await glueTable())?.Parameters).toMatchObject({ 'projection.enabled': 'false', classification: 'parquet' });
    });

    it('refuses a type change with a message naming the column, and leaves the table alone', async () => {
      await catalog.ensureTable(table);
      const changed = { ...table, columns: columns.map((c) => (c.name === 'temperature_c' ? { ...c, type: { kind: 'int64' as const } } : c)) };
      const attempt = newCatalog().ensureTable(changed);
      await expect(attempt).rejects.toBeInstanceOf(CatalogSchemaMismatchError);
      await expect(attempt).rejects.toThrow(/'temperature_c' changed type from double to bigint/);
      expect(glue.callsTo(GlueOperation.UpdateTable)).toHaveLength(0);
      expect((await glueTable())?.StorageDescriptor?.Columns).toEqual(glueColumns(columns));
    });

    it('refuses a nullability change of a column it recorded, as the local catalog does', async () => {
      await catalog.ensureTable(table);
      const loosened = { ...table, columns: columns.map((c) => (c.name === 'device_id' ? { ...c, nullable: true } : c)) };
      await expect(catalog.ensureTable(loosened)).rejects.toThrow(/'device_id' changed from required to nullable/);
    });

    it('treats columns of a table declared without sluice as nullable-compatible: no update, no refusal', async () => {
      const input = glueTableInput(table);
      const { [COLUMN_MODEL_PARAMETER]: _recorded, ...foreignParameters } = input.Parameters ?? {};
      await client.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'iot' } }));
      await client.send(new CreateTableCommand({ DatabaseName: 'iot', TableInput: { ...input, Parameters: foreignParameters } }));

      await catalog.ensureTable(table);
      expect(glue.callsTo(GlueOperation.UpdateTable)).toHaveLength(0);
      // Without a record, getTable can only say what Glue says: names and types, all nullable.
      const read = await catalog.getTable(ref);
      expect(read?.columns.map((c) => [c.name, c.nullable])).toEqual(columns.map((c) => [c.name, true]));
    });

    it('settles concurrent ensureTable calls from several containers on one updated table', async () => {
      await catalog.ensureTable(table);
      const evolved = { ...table, columns: [...columns, { name: 'humidity', type: { kind: 'double' as const }, nullable: true }] };
      await Promise.all(Array.from({ length: 5 }, () => newCatalog().ensureTable(evolved)));
      expect(await catalog.getTable(ref)).toEqual(evolved);
      expect(glue.callsTo(GlueOperation.UpdateTable).length).toBeGreaterThanOrEqual(1);
    });

    it('wraps a Glue failure in CatalogError naming the table and the Glue error', async () => {
      glue.failNext(GlueOperation.GetTable, 'AccessDeniedException', { message: 'not authorized to perform glue:GetTable' });
      const attempt = catalog.ensureTable(table);
      await expect(attempt).rejects.toBeInstanceOf(CatalogError);
      await expect(attempt).rejects.toThrow(/iot\.readings.*AccessDeniedException.*glue:GetTable/);
    });
  });

  describe('registerPartitions', () => {
    beforeEach(async () => {
      await catalog.ensureTable(table);
    });

    it('sends 250 partitions as 3 BatchCreatePartition calls of at most 100, each with the table storage and its location', async () => {
      const partitions = hours(250);
      await catalog.registerPartitions(ref, partitions);
      const calls = glue.callsTo(GlueOperation.BatchCreatePartition);
      const sizes = calls.map((c) => (c.input.PartitionInputList as unknown[]).length);
      expect(sizes).toEqual([100, 100, 50]);
      const first = (calls[0]?.input.PartitionInputList as Array<{ Values: string[]; StorageDescriptor: Record<string, unknown> }>)[0];
      expect(first?.Values).toEqual(partitions[0]?.values);
      expect(first?.StorageDescriptor).toEqual({ ...glueTableInput(table).StorageDescriptor, Location: partitions[0]?.location });
      expect(await catalog.listPartitions(ref)).toHaveLength(250);
    });

    it('takes partitions Glue answers AlreadyExistsException for as registered', async () => {
      await newCatalog().registerPartitions(ref, hours(3));
      await catalog.registerPartitions(ref, hours(5));
      const [call] = glue.callsTo(GlueOperation.BatchCreatePartition).slice(-1);
      expect((call?.input.PartitionInputList as unknown[]).length).toBe(5);
      expect(await catalog.listPartitions(ref)).toHaveLength(5);
      // Remembered as registered: nothing is sent again.
      await catalog.registerPartitions(ref, hours(5));
      expect(glue.callsTo(GlueOperation.BatchCreatePartition)).toHaveLength(2);
    });

    it('retries throttled entries, and only those, until they are registered', async () => {
      const throttled = new Set(['05', '07']);
      glue.failPartitionEntries('ThrottlingException', { count: 3, where: (values) => throttled.has(values[3] ?? '') });
      await catalog.registerPartitions(ref, hours(10));
      const sent = glue.callsTo(GlueOperation.BatchCreatePartition).map((c) =>
        (c.input.PartitionInputList as Array<{ Values: string[] }>).map((p) => p.Values[3]),
      );
      // 05 and 07 throttled, then one of them throttled again, then both through.
      expect(sent[0]).toHaveLength(10);
      expect(sent[1]?.sort()).toEqual(['05', '07']);
      expect(sent[2]).toHaveLength(1);
      expect(sent).toHaveLength(3);
      expect(await catalog.listPartitions(ref)).toHaveLength(10);
    });

    it('gives up on an entry throttled on every attempt with CatalogError naming its values', async () => {
      glue.failPartitionEntries('ThrottlingException', { where: (values) => values[3] === '02' });
      const attempt = catalog.registerPartitions(ref, hours(4));
      await expect(attempt).rejects.toBeInstanceOf(CatalogError);
      await expect(attempt).rejects.toThrow(/\(2026, 01, 01, 02\): ThrottlingException.*after 4 attempts/);
      expect(glue.callsTo(GlueOperation.BatchCreatePartition)).toHaveLength(IMMEDIATE_RETRY.attempts);
      expect(await catalog.listPartitions(ref)).toHaveLength(3);
    });

    it('fails a non-retryable entry at once with CatalogError naming the values and Glue’s code and message', async () => {
      glue.failPartitionEntries('InvalidInputException', {
        where: (values) => values[3] === '01',
        message: 'Partition value is too long',
      });
      const attempt = catalog.registerPartitions(ref, hours(3));
      await expect(attempt).rejects.toBeInstanceOf(CatalogError);
      await expect(attempt).rejects.toThrow(/\(2026, 01, 01, 01\): InvalidInputException "Partition value is too long"/);
      expect(glue.callsTo(GlueOperation.BatchCreatePartition)).toHaveLength(1);
      // The others were registered and are remembered: a retried batch sends only the failed one.
      await catalog.registerPartitions(ref, hours(3)).catch(() => undefined);
      const retried = glue.callsTo(GlueOperation.BatchCreatePartition)[1];
      expect((retried?.input.PartitionInputList as Array<{ Values: string[] }>).map((p) => p.Values[3])).toEqual(['01']);
    });

    it('makes no call at all when a warm instance registers partitions it registered before', async () => {
      const warm = newCatalog();
      await warm.registerPartitions(ref, hours(30));
      await warm.registerPartitions(ref, hours(30).slice(0, 10));
      await warm.registerPartitions(ref, hours(30).reverse());
      expect(glue.callsTo(GlueOperation.BatchCreatePartition)).toHaveLength(1);
      expect(glue.callsTo(GlueOperation.GetTable)).toHaveLength(2); // one from ensureTable, one warm-up read
    });

    it('reads the table once per instance, even for concurrent first calls', async () => {
      const cold = newCatalog();
      const before = glue.callsTo(GlueOperation.GetTable).length;
      await Promise.all(hours(6).map((p) => cold.registerPartitions(ref, [p])));
      await cold.registerPartitions(ref, [partitionAt(9, 0)]);
      expect(glue.callsTo(GlueOperation.GetTable).length - before).toBe(1);
      expect(await cold.listPartitions(ref)).toHaveLength(7);
    });

    it('says the table does not exist, and how to create it, when Glue has no such table', async () => {
      const attempt = catalog.registerPartitions({ database: 'iot', name: 'missing' }, hours(1));
      await expect(attempt).rejects.toBeInstanceOf(CatalogError);
      await expect(attempt).rejects.toThrow(/iot\.missing does not exist.*deploy the job's stack.*ensureTable/);
    });

    it('notices a table deleted under a warm instance, and registers again once it is recreated', async () => {
      await catalog.registerPartitions(ref, hours(1));
      await client.send(new DeleteTableCommand({ DatabaseName: ref.database, Name: ref.name }));
      await expect(catalog.registerPartitions(ref, hours(2))).rejects.toThrow(/does not exist/);
      await catalog.ensureTable(table);
      await catalog.registerPartitions(ref, hours(2));
      expect(await catalog.listPartitions(ref)).toHaveLength(2);
    });

    it('refuses a partition with the wrong number of values before calling Glue', async () => {
      const attempt = catalog.registerPartitions(ref, [{ values: ['2026', '01'], location: `${table.location}/x` }]);
      await expect(attempt).rejects.toThrow(/4 partition keys \(year, month, day, hour\) but the partition has 2 values/);
      expect(glue.callsTo(GlueOperation.BatchCreatePartition)).toHaveLength(0);
    });
  });

  describe('setPartitionLocations', () => {
    beforeEach(async () => {
      await catalog.ensureTable(table);
    });
    const compacted = (p: PartitionDescriptor): PartitionDescriptor => ({ values: p.values, location: `${p.location.replace('/readings/', '/_compacted/readings/')}/g-000001` });

    it('sends 250 partitions as 3 BatchUpdatePartition calls of at most 100, each with the table storage and its new location', async () => {
      await catalog.registerPartitions(ref, hours(250));
      await catalog.setPartitionLocations(ref, hours(250).map(compacted));
      const calls = glue.callsTo(GlueOperation.BatchUpdatePartition);
      expect(calls.map((c) => (c.input.Entries as unknown[]).length)).toEqual([100, 100, 50]);
      const [first] = calls[0]?.input.Entries as Array<{ PartitionValueList: string[]; PartitionInput: { Values: string[]; StorageDescriptor: unknown } }>;
      expect(first?.PartitionValueList).toEqual(hours(1)[0]?.values);
      expect(first?.PartitionInput.StorageDescriptor).toEqual({ ...glueTableInput(table).StorageDescriptor, Location: compacted(hours(1)[0]!).location });
      expect(sortByValues(await newCatalog().listPartitions(ref))).toEqual(hours(250).map(compacted));
      expect(glue.callsTo(GlueOperation.BatchCreatePartition)).toHaveLength(3);
    });

    it('creates the partitions Glue does not have, then sets their location', async () => {
      await catalog.registerPartitions(ref, hours(2));
      await catalog.setPartitionLocations(ref, hours(4).map(compacted));
      const created = glue.callsTo(GlueOperation.BatchCreatePartition).slice(1);
      expect(created.map((c) => (c.input.PartitionInputList as Array<{ Values: string[] }>).map((p) => p.Values[3]))).toEqual([['02', '03']]);
      expect(sortByValues(await catalog.listPartitions(ref))).toEqual(hours(4).map(compacted));
    });

    it('retries throttled update entries, and only those', async () => {
      await catalog.registerPartitions(ref, hours(6));
      glue.failPartitionEntries('ThrottlingException', { operation: GlueOperation.BatchUpdatePartition, count: 1, where: (values) => values[3] === '04' });
      await catalog.setPartitionLocations(ref, hours(6).map(compacted));
      const sent = glue.callsTo(GlueOperation.BatchUpdatePartition).map((c) => (c.input.Entries as Array<{ PartitionValueList: string[] }>).map((e) => e.PartitionValueList[3]));
      expect(sent).toEqual([['00', '01', '02', '03', '04', '05'], ['04']]);
      expect(sortByValues(await catalog.listPartitions(ref))).toEqual(hours(6).map(compacted));
    });

    it('fails a refused entry with CatalogError naming its values, after setting the others', async () => {
      await catalog.registerPartitions(ref, hours(3));
      glue.failPartitionEntries('AccessDeniedException', { operation: GlueOperation.BatchUpdatePartition, where: (values) => values[3] === '01' });
      const attempt = catalog.setPartitionLocations(ref, hours(3).map(compacted));
      await expect(attempt).rejects.toBeInstanceOf(CatalogError);
      await expect(attempt).rejects.toThrow(/\(2026, 01, 01, 01\): AccessDeniedException.*retry the call/);
      const locations = sortByValues(await catalog.listPartitions(ref)).map((p) => p.location);
      expect(locations).toEqual([compacted(hours(3)[0]!).location, hours(3)[1]!.location, compacted(hours(3)[2]!).location]);
    });
  });

  describe('the Glue API double, through the real SDK client', () => {
    it('raises the SDK’s own exception classes', async () => {
      await expect(client.send(new GetTableCommand({ DatabaseName: 'nope', Name: 'nope' }))).rejects.toBeInstanceOf(
        EntityNotFoundException,
      );
      await catalog.ensureTable(table);
      const tooMany = hours(101).map((p) => ({ Values: [...p.values], StorageDescriptor: { Location: p.location } }));
      await expect(
        client.send(new BatchCreatePartitionCommand({ DatabaseName: 'iot', TableName: 'readings', PartitionInputList: tooMany })),
      ).rejects.toBeInstanceOf(ValidationException);
    });

    it('lets the SDK’s standard retries absorb a transient InternalServiceException', async () => {
      await catalog.ensureTable(table);
      glue.failNext(GlueOperation.GetTable, 'InternalServiceException');
      expect(await catalog.getTable(ref)).toEqual(table);
      expect(glue.callsTo(GlueOperation.GetTable)).toHaveLength(3); // ensureTable's, the failed one, the retry
    });
  });
});
