/**
 * Several workers on one stream: shard leases in the checkpoint store decide who reads
 * which shard, and a worker that lost its lease stops before it writes again.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalFileCheckpointStore } from '../../src/checkpoint/local-file-checkpoint-store.ts';
import { putRecords } from '../../src/kinesis/producer.ts';
import { PollerEventType, pollShards, type PollerEvent } from '../../src/kinesis/shard-poller.ts';
import { ensureStream } from '../../src/kinesis/stream-admin.ts';
import { numberedRecords, startKinesisForTest, uniqueStream, type KinesisTestEnv } from './kinesis-test-env.ts';

const decoder = new TextDecoder();
const numberOf = (data: Uint8Array) => (JSON.parse(decoder.decode(data)) as { n: number }).n;

let env: KinesisTestEnv;
let dir: string;
beforeAll(async () => {
  env = await startKinesisForTest();
  dir = await mkdtemp(join(tmpdir(), 'sluice-leases-'));
});
afterAll(async () => {
  await env.close();
  await rm(dir, { recursive: true, force: true });
});

describe('shard leases', () => {
  it('two workers share a stream: every record once, each shard read by one worker', async () => {
    const stream = uniqueStream('leases');
    await ensureStream(env.client, { stream, shards: 4 });
    await putRecords(env.client, { stream, records: numberedRecords(400, { keys: 40 }) });
    const checkpoints = new LocalFileCheckpointStore({ dir: join(dir, 'shared') });
    const seen = new Map<number, string>();
    const shardsOf = { a: new Set<string>(), b: new Set<string>() };
    const worker = (owner: 'a' | 'b') =>
      pollShards({
        client: env.client,
        stream,
        scope: { job: 'leases', stream },
        checkpoints,
        batchSize: 25,
        batchWindowMs: 0,
        untilCaughtUp: true,
        lease: { owner, durationMs: 30_000 },
        onBatch: async ({ shardId, records }) => {
          shardsOf[owner].add(shardId);
          for (const r of records) {
            expect(seen.has(numberOf(r.data)), `record ${numberOf(r.data)} delivered twice`).toBe(false);
            seen.set(numberOf(r.data), owner);
          }
        },
      });
    await Promise.all([worker('a'), worker('b')]);
    // A worker that found every lease taken reads nothing; run the leftovers as a third pass.
    await worker('a');
    expect(seen.size).toBe(400);
    expect([...shardsOf.a].filter((s) => shardsOf.b.has(s))).toEqual([]);
  });

  it('a worker whose lease was taken over stops before its next batch, and the new holder resumes', async () => {
    const stream = uniqueStream('takeover');
    await ensureStream(env.client, { stream, shards: 1 });
    await putRecords(env.client, { stream, records: numberedRecords(100, { keys: 5 }) });
    const checkpoints = new LocalFileCheckpointStore({ dir: join(dir, 'takeover') });
    const scope = { job: 'takeover', stream };
    const durationMs = 300;
    const delivered: Array<{ owner: string; numbers: number[] }> = [];
    const events: PollerEvent[] = [];
    let release!: () => void;
    const stalled = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inFirstBatch = new Promise<void>((resolve) => (entered = resolve));

    // Worker A stalls inside its first batch (a long GC pause, a frozen container) ...
    const a = pollShards({
      client: env.client,
      stream,
      scope,
      checkpoints,
      batchSize: 10,
      batchWindowMs: 0,
      untilCaughtUp: true,
      lease: { owner: 'a', durationMs },
      log: (e) => events.push(e),
      onBatch: async ({ records }) => {
        delivered.push({ owner: 'a', numbers: records.map((r) => numberOf(r.data)) });
        if (delivered.filter((d) => d.owner === 'a').length === 1) {
          entered();
          await stalled;
        }
      },
    });
    await inFirstBatch;
    // ... while worker B waits out the lease (by its own clock: this wait is the lease's semantics) and takes the shard over.
    const acquired = await (async () => {
      for (let i = 0; i < 50; i++) {
        const lease = await checkpoints.acquireLease(scope, 'shardId-000000000000', { owner: 'b', durationMs });
        if (lease) return lease;
        await new Promise((r) => setTimeout(r, durationMs / 2));
      }
      return undefined;
    })();
    expect(acquired?.owner).toBe('b');
    await checkpoints.releaseLease(acquired!);
    const b = pollShards({
      client: env.client,
      stream,
      scope,
      checkpoints,
      batchSize: 10,
      batchWindowMs: 0,
      untilCaughtUp: true,
      lease: { owner: 'b', durationMs: 30_000 },
      onBatch: async ({ records }) => void delivered.push({ owner: 'b', numbers: records.map((r) => numberOf(r.data)) }),
    });
    await b;
    release();
    await a.catch(() => undefined);

    const byA = delivered.filter((d) => d.owner === 'a');
    expect(byA).toHaveLength(1);
    expect(events.some((e) => e.type === PollerEventType.ShardLeaseLost)).toBe(true);
    const byB = delivered.filter((d) => d.owner === 'b').flatMap((d) => d.numbers);
    expect(byB).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
