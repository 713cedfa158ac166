import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { beforeAll } from 'vitest';
import type { Catalog, TableRef } from '../../src/catalog/catalog.ts';
import { GlueCatalog } from '../../src/catalog/glue-catalog.ts';
import { createGlueClient } from '../../src/catalog/glue-client.ts';
import { Jitter } from '../../src/kinesis/backoff.ts';
import type { ObjectStore } from '../../src/store/object-store.ts';
import { S3ObjectStore } from '../../src/store/s3-object-store.ts';
import { startGlueApiDouble } from '../doubles/glue-api-double.ts';
import { connectS3TestServer, S3_SERVER_WAIT_MS, type S3TestServer } from '../helpers/s3-test-server.ts';
import { canonicalRows } from './canonical-rows.ts';
import { readingsJob } from './compaction-fixtures.ts';
import { describeCompactionSuite, relativeKey } from './compaction-suite.ts';

let s3: S3TestServer;
let bucket: string;
let fixtures = 0;

beforeAll(async () => {
  s3 = await connectS3TestServer();
  bucket = await s3.createBucket('compaction');
}, S3_SERVER_WAIT_MS);

/** Rows of each file read so far, by the SHA-256 of its bytes: the crash tests look at the same files hundreds of times. */
const rowsByContent = new Map<string, Record<string, unknown>[]>();

async function rowsOfFile(bytes: Uint8Array): Promise<Record<string, unknown>[]> {
  const digest = createHash('sha256').update(bytes).digest('hex');
  const known = rowsByContent.get(digest);
  if (known !== undefined) return known;
  const dir = await mkdtemp(join(tmpdir(), 'sluice-compaction-read-'));
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const file = join(dir, 'file.parquet');
    await writeFile(file, bytes);
    const rows = (await connection.runAndReadAll(`SELECT * FROM read_parquet('${file}')`)).getRowObjectsJson();
    rowsByContent.set(digest, rows);
    return rows;
  } finally {
    connection.closeSync();
    instance.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * What Athena would read: each registered partition's location, every Parquet file directly
 * in it (fetched from S3), read by DuckDB, with the partition's values as its key columns.
 */
async function rowsThroughCatalog(store: ObjectStore, catalog: Catalog, table: TableRef): Promise<string[]> {
  const rows: Record<string, unknown>[] = [];
  for (const partition of await catalog.listPartitions(table)) {
    const folder = `${relativeKey(store, partition.location)}/`;
    const keys = Object.fromEntries(readingsJob.output.allPartitionKeys.map((key, i) => [key, partition.values[i]]));
    for await (const object of store.list(folder)) {
      if (!object.key.endsWith('.parquet') || object.key.slice(folder.length).includes('/')) continue;
      for (const row of await rowsOfFile((await store.get(object.key))!)) rows.push({ ...row, ...keys });
    }
  }
  return canonicalRows(rows);
}

// Each fixture gets a key prefix of its own in the suite's bucket and a Glue (double) of its own.
describeCompactionSuite('S3 on Ceph radosgw + Glue (API double), read by DuckDB', async () => {
  const glue = await startGlueApiDouble();
  const store = new S3ObjectStore({ client: s3.client, bucket, prefix: `fixture-${++fixtures}` });
  const client = createGlueClient({ endpoint: glue.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const catalog = new GlueCatalog({ client, partitionRetry: { attempts: 3, backoff: { baseMs: 0, maxMs: 0, jitter: Jitter.None } } });
  const table = { database: readingsJob.output.database, name: readingsJob.output.name };
  return {
    store,
    catalog,
    visibleRows: () => rowsThroughCatalog(store, catalog, table),
    cleanup: async () => {
      client.destroy();
      await glue.close();
    },
  };
});
