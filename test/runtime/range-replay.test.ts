/**
 * `sluice replay --from --to` through the real handler: a time range replayed with the same
 * job changes nothing; replayed after the job's code changed (a record now kept that was
 * filtered, one now a row that was a reject, rows moved to another hour), the table holds
 * every record's rows once, as the job makes them now; a batch of a compacted partition is
 * left alone.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openQueryEngine } from '../../src/catalog/query-engine.ts';
import { compactionLayout } from '../../src/compaction/compaction-layout.ts';
import { defineJob, hourOf, kinesisStream, table } from '../../src/index.ts';
import { openLocalEnvironment, type LocalEnvironment } from '../../src/runtime/local-environment.ts';
import { runJob } from '../../src/runtime/local-runner.ts';
import { replayRange, ReplayStatus } from '../../src/runtime/range-replay.ts';
import { putRecords } from '../../src/kinesis/producer.ts';
import { ensureStream } from '../../src/kinesis/stream-admin.ts';

const Event = z.object({ id: z.string(), at: z.string(), kind: z.string() });
const Row = z.object({ id: z.string(), at: z.date(), kind: z.string() });
const HOUR = 3_600_000;

/** v1 drops kind c and rejects kind d; v2 keeps both and moves kind a one hour later. */
const eventsJob = (version: 1 | 2) =>
  defineJob({
    name: 'events',
    source: kinesisStream({ stream: 'events', records: Event }),
    steps: (s) =>
      s
        .filter((m) => version === 2 || m.kind !== 'c')
        .map(
          (m) => {
            if (version === 1 && m.kind === 'd') throw new Error('kind d is not known yet');
            const at = new Date(m.at);
            return { id: m.id, at: version === 2 && m.kind === 'a' ? new Date(at.getTime() + HOUR) : at, kind: m.kind };
          },
          { name: 'to-row' },
        ),
    output: table({ database: 'db', name: 'events', rows: Row, partitionBy: hourOf('at') }),
    batch: { size: 50, windowSeconds: 0 },
  });

const RECORDS = 400;
const documents = Array.from({ length: RECORDS }, (_, i) => ({ id: `e-${i}`, at: new Date(Date.UTC(2026, 10, 20, 10) + (i % 120) * 60_000).toISOString(), kind: 'abcd'[i % 4]! }));

let dir: string;
let env: LocalEnvironment;
const start = new Date();

async function query(sql: string) {
  const engine = await openQueryEngine({ catalog: env.catalog });
  try {
    return (await engine.query(sql)).rows;
  } finally {
    engine.close();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-replay-range-'));
  env = await openLocalEnvironment({ dir });
  await ensureStream(env.kinesis, { stream: 'events', shards: 2 });
  await putRecords(env.kinesis, { stream: 'events', records: documents.map((d) => ({ data: new TextEncoder().encode(JSON.stringify(d)), partitionKey: d.id })) });
  await runJob({
    job: eventsJob(1),
    kinesis: env.kinesis,
    store: env.store,
    catalog: env.catalog,
    checkpoints: env.checkpoints,
    metricsLog: env.metricsLog,
    failuresDir: join(env.paths.failures, 'events'),
    untilCaughtUp: true,
  });
});
afterAll(async () => {
  await env?.close();
  await rm(dir, { recursive: true, force: true });
});

const sources = () => ({ kinesis: env.kinesis, store: env.store, catalog: env.catalog, metricsLog: env.metricsLog });

describe('replay of a time range', () => {
  it('with the same job: rewrites the same keys, and the table is unchanged', async () => {
    const before = await query('SELECT count(*) AS n, count(DISTINCT id) AS d FROM db.events');
    expect(before).toEqual([{ n: 200, d: 200 }]);
    const outcomes = await replayRange({ job: eventsJob(1), ...sources(), from: start });
    expect(outcomes.length).toBeGreaterThanOrEqual(RECORDS / 50);
    expect(outcomes.every((o) => o.status === ReplayStatus.Replayed && o.filesRemoved === 0)).toBe(true);
    expect(await query('SELECT count(*) AS n, count(DISTINCT id) AS d FROM db.events')).toEqual(before);
    expect(await query('SELECT count(*) AS n FROM db.events_rejects')).toEqual([{ n: 100 }]);
  });

  it("after the job's code changed: every record's rows once, as the job makes them now", async () => {
    const outcomes = await replayRange({ job: eventsJob(2), ...sources(), from: start, to: new Date() });
    expect(outcomes.every((o) => o.status === ReplayStatus.Replayed)).toBe(true);
    expect(outcomes.reduce((n, o) => n + (o.filesRemoved ?? 0), 0)).toBeGreaterThan(0);
    expect(await query('SELECT count(*) AS n, count(DISTINCT id) AS d FROM db.events')).toEqual([{ n: RECORDS, d: RECORDS }]);
    // The rejects of kind d are gone with the batches that wrote them: those records are rows now.
    expect(await query('SELECT count(*) AS n FROM db.events_rejects')).toEqual([{ n: 0 }]);
    // Kind a moved one hour later, into the partitions of its new hour.
    const moved = await query(`SELECT count(*) AS n FROM db.events WHERE kind = 'a' AND hour <> lpad(CAST(extract(hour FROM "at") AS VARCHAR), 2, '0')`);
    expect(moved).toEqual([{ n: 0 }]);
    const [first] = await query(`SELECT min("at") AS first_at FROM db.events WHERE kind = 'a'`);
    expect(first!['first_at']).toBe(new Date(Date.UTC(2026, 10, 20, 11)).toISOString());
  });

  it('leaves a batch of a compacted partition alone: rewriting it would count its rows twice', async () => {
    const path = 'year=2026/month=11/day=20/hour=10';
    await env.store.put(compactionLayout({ prefix: 'db', table: 'events' }).stateKey(path), new TextEncoder().encode('{}'));
    const outcomes = await replayRange({ job: eventsJob(2), ...sources(), from: start });
    expect(outcomes.filter((o) => o.status === ReplayStatus.Compacted).length).toBeGreaterThan(0);
    expect(await query('SELECT count(*) AS n, count(DISTINCT id) AS d FROM db.events')).toEqual([{ n: RECORDS, d: RECORDS }]);
  });
});
