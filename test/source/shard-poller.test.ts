import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListShardsCommand, SplitShardCommand } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckpointScope, CheckpointStore, CommitOptions, ShardCheckpoint } from '../../src/checkpoint/checkpoint-store.ts';
import { LocalFileCheckpointStore } from '../../src/checkpoint/local-file-checkpoint-store.ts';
import { BatchError, ErrorCode } from '../../src/errors.ts';
import { createKinesisClient } from '../../src/kinesis/kinesis-client.ts';
import { putRecords } from '../../src/kinesis/producer.ts';
import { PollerEventType, pollShards, type PollerEvent, type PollShardsOptions, type ShardBatch } from '../../src/kinesis/shard-poller.ts';
import { ensureStream, waitForStreamActive } from '../../src/kinesis/stream-admin.ts';
import { compareSequenceNumbers } from '../../src/decode/stream-record.ts';
import { startKinesisFaultProxy } from './kinesis-fault-proxy.ts';
import { numberedRecords, startKinesisForTest, uniqueStream, type KinesisTestEnv } from './kinesis-test-env.ts';

const decoder = new TextDecoder();
const numberOf = (data: Uint8Array) => (JSON.parse(decoder.decode(data)) as { n: number }).n;

/** What a test sees happen, in order: deliveries and commits. */
type Happening =
  | { readonly kind: 'batch'; readonly shardId: string; readonly numbers: number[]; readonly sequenceNumbers: string[] }
  | { readonly kind: 'commit'; readonly shardId: string; readonly checkpoint: ShardCheckpoint };

/** A real store that also tells the test about every commit. */
function observedStore(inner: CheckpointStore, happenings: Happening[]): CheckpointStore {
  return {
    load: (scope) => inner.load(scope),
    commit: async (scope: CheckpointScope, shardId: string, checkpoint: ShardCheckpoint, options?: CommitOptions) => {
      await inner.commit(scope, shardId, checkpoint, options);
      happenings.push({ kind: 'commit', shardId, checkpoint });
    },
    acquireLease: (scope, shardId, request) => inner.acquireLease(scope, shardId, request),
    renewLease: (lease) => inner.renewLease(lease),
    releaseLease: (lease) => inner.releaseLease(lease),
  };
}

const delivered = (happenings: Happening[]) => happenings.flatMap((h) => (h.kind === 'batch' ? h.numbers : []));
const sorted = (numbers: number[]) => [...numbers].sort((a, b) => a - b);
const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

describe('pollShards', () => {
  let env: KinesisTestEnv;
  let dir: string;
  beforeAll(async () => {
    env = await startKinesisForTest();
    dir = await mkdtemp(join(tmpdir(), 'sluice-poller-'));
  });
  afterAll(async () => {
    await env.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A stream with records, a checkpoint store in its own folder, and options to poll it. */
  const setUp = async (label: string, shape: { readonly shards: number; readonly records: number; readonly keys?: number }) => {
    const stream = uniqueStream(label);
    await ensureStream(env.client, { stream, shards: shape.shards });
    await putRecords(env.client, { stream, records: numberedRecords(shape.records, { keys: shape.keys ?? 16 }) });
    const happenings: Happening[] = [];
    const store = new LocalFileCheckpointStore({ dir: join(dir, stream) });
    const scope = { job: 'test-job', stream };
    const onBatch = async (batch: ShardBatch) => {
      happenings.push({
        kind: 'batch',
        shardId: batch.shardId,
        numbers: batch.records.map((r) => numberOf(r.data)),
        sequenceNumbers: batch.records.map((r) => r.sequenceNumber),
      });
    };
    const options: PollShardsOptions = {
      client: env.client,
      stream,
      scope,
      checkpoints: observedStore(store, happenings),
      batchSize: 100,
      batchWindowMs: 1_000,
      untilCaughtUp: true,
      onBatch,
    };
    return { stream, scope, store, happenings, options };
  };

  it('delivers every record exactly once, in sequence order per shard, and commits after each batch', async () => {
    const { scope, store, happenings, options } = await setUp('exactly-once', { shards: 2, records: 700 });
    const summary = await pollShards(options);

    expect(sorted(delivered(happenings))).toEqual(range(700));
    expect(summary).toEqual({ batches: happenings.filter((h) => h.kind === 'batch').length, records: 700, shards: 2 });
    const batches = happenings.filter((h): h is Extract<Happening, { kind: 'batch' }> => h.kind === 'batch');
    expect(Math.max(...batches.map((b) => b.numbers.length))).toBeLessThanOrEqual(100);
    for (const shardId of new Set(batches.map((b) => b.shardId))) {
      const sequence = batches.filter((b) => b.shardId === shardId).flatMap((b) => b.sequenceNumbers);
      for (let i = 1; i < sequence.length; i++) expect(compareSequenceNumbers(sequence[i - 1] as string, sequence[i] as string)).toBeLessThan(0);
      expect((await store.load(scope)).get(shardId)).toEqual({ sequenceNumber: sequence.at(-1), ended: false });
    }
    // Each batch is committed right after it was delivered (shards interleave), at its last record.
    for (const shardId of ['shardId-000000000000', 'shardId-000000000001']) {
      const ofShard = happenings.filter((h) => h.shardId === shardId);
      expect(ofShard.length).toBeGreaterThan(0);
      ofShard.forEach((h, i) => {
        if (h.kind !== 'batch') return;
        expect(ofShard[i + 1]).toEqual({ kind: 'commit', shardId, checkpoint: { sequenceNumber: h.sequenceNumbers.at(-1), ended: false } });
      });
    }
    // Records of one partition key keep the order they were produced in.
    const byKey = new Map<number, number[]>();
    for (const n of delivered(happenings)) byKey.set(n % 16, [...(byKey.get(n % 16) ?? []), n]);
    for (const numbers of byKey.values()) expect(numbers).toEqual(sorted(numbers));

    // Nothing new: a second run delivers nothing.
    const again = await pollShards({ ...options, onBatch: async () => expect.fail('no records should be left') });
    expect(again.records).toBe(0);
  });

  it('stops on abort after the batch in flight commits, and a second run resumes with no loss and no duplicate', async () => {
    const { stream, happenings, options } = await setUp('resume', { shards: 2, records: 600 });
    const controller = new AbortController();
    let calls = 0;
    const first = await pollShards({
      ...options,
      untilCaughtUp: false,
      batchSize: 40,
      signal: controller.signal,
      onBatch: async (batch) => {
        await options.onBatch(batch);
        if (++calls === 3) controller.abort();
      },
    });
    const firstRun = delivered(happenings);
    expect(first.records).toBe(firstRun.length);
    expect(firstRun.length).toBeGreaterThanOrEqual(120);
    expect(firstRun.length).toBeLessThan(600);
    // Every delivered batch was committed, the one in flight at the abort included.
    expect(happenings.filter((h) => h.kind === 'commit')).toHaveLength(happenings.filter((h) => h.kind === 'batch').length);

    const second = await pollShards({ ...options, batchSize: 40 });
    const all = delivered(happenings);
    expect(second.records).toBe(600 - firstRun.length);
    expect(all).toHaveLength(600);
    expect(sorted(all)).toEqual(range(600));
    expect(stream).toContain('resume');
  });

  it('retries a failed batch from the same first record and commits it once', async () => {
    const { scope, store, happenings, options } = await setUp('retry', { shards: 1, records: 30, keys: 3 });
    const attempts: Array<{ first: string; size: number }> = [];
    const events: PollerEvent[] = [];
    let failuresLeft = 2;
    const summary = await pollShards({
      ...options,
      batchSize: 10,
      log: (event) => events.push(event),
      onBatch: async (batch) => {
        attempts.push({ first: batch.records[0]?.sequenceNumber ?? '', size: batch.records.length });
        if (failuresLeft-- > 0) throw new Error('disk full (injected)');
        await options.onBatch(batch);
      },
    });

    expect(attempts.slice(0, 3).map((a) => a.first)).toEqual(Array(3).fill(attempts[0]?.first));
    expect(sorted(delivered(happenings))).toEqual(range(30));
    expect(summary.records).toBe(30);
    const firstBatch = happenings.find((h) => h.kind === 'batch');
    const commitsOfFirst = happenings.filter(
      (h) => h.kind === 'commit' && firstBatch?.kind === 'batch' && h.checkpoint.sequenceNumber === firstBatch.sequenceNumbers.at(-1),
    );
    expect(commitsOfFirst).toHaveLength(1);
    expect(happenings.filter((h) => h.kind === 'commit')).toHaveLength(3);
    const failed = events.filter((e) => e.type === PollerEventType.BatchFailed);
    expect(failed.map((e) => e.type === PollerEventType.BatchFailed && [e.attempt, e.firstSequenceNumber])).toEqual([
      [1, attempts[0]?.first],
      [2, attempts[0]?.first],
    ]);
    expect((await store.load(scope)).size).toBe(1);
  });

  it('gives up after maxBatchAttempts with a BatchError naming stream, shard and range, committing nothing', async () => {
    const { stream, scope, store, options } = await setUp('always-fails', { shards: 1, records: 12, keys: 2 });
    const cause = new Error('warehouse unreachable (injected)');
    let calls = 0;
    const error = await pollShards({
      ...options,
      maxBatchAttempts: 2,
      onBatch: async () => {
        calls++;
        throw cause;
      },
    }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(BatchError);
    expect((error as BatchError).code).toBe(ErrorCode.Batch);
    expect((error as Error).cause).toBe(cause);
    expect((error as Error).message).toMatch(
      new RegExp(`stream '${stream}', shard 'shardId-000000000000': the batch of 12 records \\(sequence numbers \\d+ to \\d+\\) failed 2 times.*warehouse unreachable.*checkpoint stays at the starting position`),
    );
    expect(calls).toBe(2);
    expect((await store.load(scope)).size).toBe(0);
  });

  it('drains and ends a parent shard before any record of its children after a split', async () => {
    const { stream, scope, store, happenings, options } = await setUp('split', { shards: 1, records: 120, keys: 12 });
    await env.client.send(new SplitShardCommand({ StreamName: stream, ShardToSplit: 'shardId-000000000000', NewStartingHashKey: (2n ** 127n).toString() }));
    await waitForStreamActive(env.client, { stream });
    await putRecords(env.client, { stream, records: numberedRecords(80, { keys: 12, from: 120 }) });
    const shards = (await env.client.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? [];
    expect(shards.map((s) => [s.ShardId, s.ParentShardId])).toEqual([
      ['shardId-000000000000', undefined],
      ['shardId-000000000001', 'shardId-000000000000'],
      ['shardId-000000000002', 'shardId-000000000000'],
    ]);

    const summary = await pollShards({ ...options, batchSize: 50 });

    expect(sorted(delivered(happenings))).toEqual(range(200));
    expect(summary.shards).toBe(3);
    const parent = 'shardId-000000000000';
    const endedAt = happenings.findIndex((h) => h.kind === 'commit' && h.shardId === parent && h.checkpoint.ended);
    const firstChildBatch = happenings.findIndex((h) => h.kind === 'batch' && h.shardId !== parent);
    expect(endedAt).toBeGreaterThanOrEqual(0);
    expect(firstChildBatch).toBeGreaterThan(endedAt);
    const parentNumbers = happenings.flatMap((h) => (h.kind === 'batch' && h.shardId === parent ? h.numbers : []));
    expect(parentNumbers).toEqual(range(120));
    const checkpoints = await store.load(scope);
    expect(checkpoints.get(parent)).toEqual({
      sequenceNumber: happenings.flatMap((h) => (h.kind === 'batch' && h.shardId === parent ? h.sequenceNumbers : [])).at(-1),
      ended: true,
    });
    expect(checkpoints.get('shardId-000000000001')?.ended).toBe(false);
  });

  /** Splits shard 0 of `stream` in two and waits until the stream is ACTIVE again. */
  const splitFirstShard = async (stream: string) => {
    await env.client.send(new SplitShardCommand({ StreamName: stream, ShardToSplit: 'shardId-000000000000', NewStartingHashKey: (2n ** 127n).toString() }));
    await waitForStreamActive(env.client, { stream });
  };

  /** Parent records all delivered, and the parent committed as ended, before any child record. */
  const expectParentFirst = (happenings: Happening[], parentRecords: number) => {
    const parent = 'shardId-000000000000';
    const endedAt = happenings.findIndex((h) => h.kind === 'commit' && h.shardId === parent && h.checkpoint.ended);
    const firstChildBatch = happenings.findIndex((h) => h.kind === 'batch' && h.shardId !== parent);
    expect(endedAt).toBeGreaterThanOrEqual(0);
    expect(firstChildBatch).toBeGreaterThan(endedAt);
    expect(sorted(happenings.flatMap((h) => (h.kind === 'batch' && h.shardId === parent ? h.numbers : [])))).toEqual(range(parentRecords));
  };

  it('follows a split that happens while it polls (untilCaughtUp: the parent was caught up, then closed)', async () => {
    const { stream, happenings, options } = await setUp('split-while-polling', { shards: 1, records: 120, keys: 12 });
    let split = false;
    const summary = await pollShards({
      ...options,
      batchSize: 500,
      onBatch: async (batch) => {
        await options.onBatch(batch);
        // The last batch of the parent: reshard and produce before the poller sees it caught up.
        if (!split && delivered(happenings).length === 120) {
          split = true;
          await splitFirstShard(stream);
          await putRecords(env.client, { stream, records: numberedRecords(80, { keys: 12, from: 120 }) });
        }
      },
    });
    expect(split).toBe(true);
    expect(sorted(delivered(happenings))).toEqual(range(200));
    expect(summary.shards).toBe(3);
    expectParentFirst(happenings, 120);
  });

  it('follows a split while polling without untilCaughtUp, until stopped', async () => {
    const { stream, happenings, options } = await setUp('split-following', { shards: 1, records: 60, keys: 12 });
    const controller = new AbortController();
    let split = false;
    const polling = pollShards({
      ...options,
      untilCaughtUp: false,
      batchWindowMs: 50,
      signal: controller.signal,
      onBatch: async (batch) => {
        await options.onBatch(batch);
        const count = delivered(happenings).length;
        if (!split && count === 60) {
          split = true;
          await splitFirstShard(stream);
          await putRecords(env.client, { stream, records: numberedRecords(90, { keys: 12, from: 60 }) });
        }
        if (count === 150) controller.abort();
      },
    });
    const summary = await polling;
    expect(sorted(delivered(happenings))).toEqual(range(150));
    expect(summary.records).toBe(150);
    expectParentFirst(happenings, 60);
  });

  it('rides out throttled GetRecords calls without losing or repeating a record', async () => {
    const { stream, happenings, options } = await setUp('throttled', { shards: 1, records: 50, keys: 5 });
    let getRecordsCalls = 0;
    // Four throttled answers in a row outlast the SDK's own three attempts, so the poller's retry runs.
    const proxy = await startKinesisFaultProxy(env.kinesis.endpoint, ({ operation }) =>
      operation === 'GetRecords' && ++getRecordsCalls <= 4 ? { kind: 'throttle' } : { kind: 'forward' },
    );
    const client = createKinesisClient({ endpoint: proxy.endpoint, env: {} });
    const events: PollerEvent[] = [];
    try {
      await pollShards({ ...options, client, log: (e) => events.push(e) });
    } finally {
      client.destroy();
      await proxy.close();
    }
    expect(sorted(delivered(happenings))).toEqual(range(50));
    expect(delivered(happenings)).toHaveLength(50);
    expect(events.some((e) => e.type === PollerEventType.KinesisRetry && e.operation === 'GetRecords')).toBe(true);
    expect(stream).toContain('throttled');
  });
});
