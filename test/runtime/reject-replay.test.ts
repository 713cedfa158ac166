/**
 * Rejects replayed after a fix: the job as it is now writes their rows exactly once, however
 * often the replay runs, whatever filters it is given, and when a replay dies midway.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LocalCatalog } from '../../src/catalog/local-catalog.ts';
import { openQueryEngine } from '../../src/catalog/query-engine.ts';
import { defineJob, hourOf, kinesisStream, table } from '../../src/index.ts';
import { createBatchProcessor } from '../../src/runtime/batch-processor.ts';
import { replayRejects } from '../../src/runtime/reject-replay.ts';
import { ensureJobTables } from '../../src/runtime/table-descriptor.ts';
import { LocalFolderStore } from '../../src/store/local-folder-store.ts';
import type { ObjectStore } from '../../src/store/object-store.ts';
import { streamRecords } from '../helpers/records.ts';

const Event = z.object({ id: z.string(), at: z.string(), kind: z.string() });
const Row = z.object({ id: z.string(), at: z.date(), kind: z.string() });

/** v1 knows two kinds and throws on any other; v2 (the fix) knows them all. */
const job = (known: readonly string[] | 'all') =>
  defineJob({
    name: 'events',
    source: kinesisStream({ stream: 's', records: Event }),
    steps: (s) =>
      s.map(
        (m) => {
          if (known !== 'all' && !known.includes(m.kind)) throw new Error(`unknown kind '${m.kind}'`);
          return { id: m.id, at: new Date(m.at), kind: m.kind };
        },
        { name: 'to-row' },
      ),
    output: table({ database: 'db', name: 'events', rows: Row, partitionBy: hourOf('at') }),
  });

const documents = Array.from({ length: 30 }, (_, i) => ({ id: `e-${i}`, at: `2026-11-23T${String(10 + (i % 3)).padStart(2, '0')}:00:00Z`, kind: ['a', 'b', 'c', 'd'][i % 4]! }));
// Five records whose time no job can read: those stay rejects after the fix.
const broken = Array.from({ length: 5 }, (_, i) => ({ id: `bad-${i}`, at: 'not a time', kind: 'c' }));

let work: string;
let store: LocalFolderStore;
let catalog: LocalCatalog;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'sluice-replay-'));
  store = new LocalFolderStore({ root: join(work, 'warehouse') });
  catalog = new LocalCatalog({ dir: join(work, 'catalog') });
  const v1 = job(['a', 'b']);
  await ensureJobTables(catalog, v1, store);
  const process = createBatchProcessor({ job: v1, store, catalog });
  const records = streamRecords([...documents, ...broken]);
  await process(records.slice(0, 20));
  await process(records.slice(20));
});
afterEach(() => rm(work, { recursive: true, force: true }));

async function counts(): Promise<{ rows: number; distinct: number; rejects: number }> {
  const engine = await openQueryEngine({ catalog });
  try {
    const [table] = (await engine.query('SELECT count(*) AS n, count(DISTINCT id) AS d FROM db.events')).rows;
    const [rejects] = (await engine.query('SELECT count(*) AS n FROM db.events_rejects')).rows;
    return { rows: Number(table!['n']), distinct: Number(table!['d']), rejects: Number(rejects!['n']) };
  } finally {
    engine.close();
  }
}

describe('rejects replay', () => {
  it('writes the rows of fixed rejects once, keeps the others, and remembers what it replayed', async () => {
    // Kinds a and b are rows; c and d, and the five broken records, are rejected by the step.
    expect(await counts()).toEqual({ rows: 16, distinct: 16, rejects: 19 });
    const fixed = job('all');

    const first = await replayRejects({ job: fixed, store, catalog, filter: { stage: 'step' } });
    expect(first).toMatchObject({ matched: 19, replayed: 14, rows: 14, rejectedAgain: 5, alreadyReplayed: 0 });
    expect(first.reasons).toEqual([{ stage: 'row', reason: expect.stringContaining('at'), count: 5 }]);
    // Every event once; the reject lines stay as they were written (the rejects table is history).
    expect(await counts()).toEqual({ rows: 30, distinct: 30, rejects: 19 });

    const again = await replayRejects({ job: fixed, store, catalog });
    expect(again).toMatchObject({ matched: 19, replayed: 0, alreadyReplayed: 14, rejectedAgain: 5 });
    expect(await counts()).toEqual({ rows: 30, distinct: 30, rejects: 19 });
  });

  it('a replay that dies midway and runs again, with another filter, writes every row once', async () => {
    const fixed = job('all');
    let ledgerWrites = 0;
    const dying: ObjectStore = {
      ...store,
      put: async (key: string, body: Uint8Array) => {
        // Dies after the fourth reject's rows are written, before it is remembered.
        if (key.includes('/_replayed/') && ++ledgerWrites === 4) throw new Error('killed');
        return store.put(key, body);
      },
      get: (key) => store.get(key),
      list: (prefix) => store.list(prefix),
      delete: (keys) => store.delete(keys),
      locationOf: (key) => store.locationOf(key),
    };
    await expect(replayRejects({ job: fixed, store: dying, catalog, filter: { since: new Date(0) } })).rejects.toThrow('killed');
    const rest = await replayRejects({ job: fixed, store, catalog });
    expect(rest).toMatchObject({ alreadyReplayed: 3, replayed: 11, rejectedAgain: 5 });
    expect(await counts()).toEqual({ rows: 30, distinct: 30, rejects: 19 });
  });
});
