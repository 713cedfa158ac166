import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DuckDBInstance } from '@duckdb/node-api';
import { checkSchemaLock } from '../../src/catalog/schema-lock.ts';
import { CatalogSchemaMismatchError } from '../../src/errors.ts';
import { defineJob, hourOf, kinesisStream, table } from '../../src/index.ts';
import { createBatchProcessor } from '../../src/runtime/batch-processor.ts';
import { tableDescriptor } from '../../src/runtime/table-descriptor.ts';
import { LocalFolderStore } from '../../src/store/local-folder-store.ts';
import { LocalCatalog } from '../../src/catalog/local-catalog.ts';
import { openQueryEngine } from '../../src/catalog/query-engine.ts';
import { streamRecords } from '../helpers/records.ts';

const In = z.object({ id: z.string(), at: z.string(), v: z.number() });
const jobWith = <R extends z.ZodObject>(rows: R, map: (m: z.output<typeof In>) => z.input<R>) =>
  defineJob({
    name: 'evolving',
    source: kinesisStream({ stream: 's', records: In }),
    steps: (s) => s.map(map),
    output: table({ database: 'db', name: 'events', rows, partitionBy: hourOf('at' as never) }),
  });

const V1 = z.object({ id: z.string(), at: z.date(), v: z.number() });
const v1 = jobWith(V1, (m) => ({ id: m.id, at: new Date(m.at), v: m.v }));
const V2 = V1.extend({ note: z.string().nullable() });
const v2 = jobWith(V2, (m) => ({ id: m.id, at: new Date(m.at), v: m.v, note: `n${m.id}` }));

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-lock-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const s3 = { locationOf: (key: string) => `s3://bucket/${key}` };

describe('schema evolution', () => {
  it('locks a new table, accepts a new nullable column and records it', async () => {
    const lock = join(dir, 'lock');
    expect(await checkSchemaLock(tableDescriptor(v1, s3), { dir: lock })).toEqual({ kind: 'created' });
    expect(await checkSchemaLock(tableDescriptor(v1, s3), { dir: lock })).toEqual({ kind: 'none' });
    const change = await checkSchemaLock(tableDescriptor(v2, s3), { dir: lock });
    expect(change).toMatchObject({ kind: 'add-columns', added: [{ name: 'note', nullable: true }] });
    expect(JSON.parse(await readFile(join(lock, 'db.events.json'), 'utf8')).columns.map((c: { name: string }) => c.name)).toEqual(['id', 'at', 'v', 'note']);
  });

  it('refuses a type change, a removed column and a new required column, saying why', async () => {
    const lock = join(dir, 'lock');
    await checkSchemaLock(tableDescriptor(v1, s3), { dir: lock });
    const narrowed = jobWith(z.object({ id: z.string(), at: z.date(), v: z.number().int() }), (m) => ({ id: m.id, at: new Date(m.at), v: Math.round(m.v) }));
    await expect(checkSchemaLock(tableDescriptor(narrowed, s3), { dir: lock })).rejects.toThrow(CatalogSchemaMismatchError);
    await expect(checkSchemaLock(tableDescriptor(narrowed, s3), { dir: lock })).rejects.toThrow(/'v'.*double.*bigint|v.*type/);
    const removed = jobWith(z.object({ id: z.string(), at: z.date() }), (m) => ({ id: m.id, at: new Date(m.at) }));
    await expect(checkSchemaLock(tableDescriptor(removed, s3), { dir: lock })).rejects.toThrow(/'v'|v.*removed/);
    const required = jobWith(V1.extend({ must: z.string() }), (m) => ({ id: m.id, at: new Date(m.at), v: m.v, must: 'x' }));
    await expect(checkSchemaLock(tableDescriptor(required, s3), { dir: lock })).rejects.toThrow(/must.*required/);
  });

  it('old and new files read together: the new column is NULL in old rows (DuckDB, and sluice query)', async () => {
    const store = new LocalFolderStore({ root: join(dir, 'warehouse') });
    const catalog = new LocalCatalog({ dir: join(dir, 'catalog') });
    await catalog.ensureTable(tableDescriptor(v1, store));
    await createBatchProcessor({ job: v1, store, catalog })(streamRecords([{ id: '1', at: '2026-01-01T01:00:00Z', v: 1 }], { first: 1 }));
    await catalog.ensureTable(tableDescriptor(v2, store));
    await createBatchProcessor({ job: v2, store, catalog })(streamRecords([{ id: '2', at: '2026-01-01T01:30:00Z', v: 2 }], { first: 2 }));

    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    const rows = (await c.runAndReadAll(`SELECT id, v, note FROM read_parquet('${store.locationOf('db/events')}/**/*.parquet', union_by_name = true) ORDER BY id`)).getRowObjectsJS();
    c.closeSync();
    db.closeSync();
    expect(rows).toEqual([{ id: '1', v: 1, note: null }, { id: '2', v: 2, note: 'n2' }]);

    const engine = await openQueryEngine({ catalog });
    try {
      expect((await engine.query('SELECT id, note FROM db.events ORDER BY id')).rows).toEqual([{ id: '1', note: null }, { id: '2', note: 'n2' }]);
    } finally {
      engine.close();
    }
  });
});
