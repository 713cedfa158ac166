import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, SourceError } from '../../src/errors.ts';
import { Jitter } from '../../src/kinesis/backoff.ts';
import { createKinesisClient } from '../../src/kinesis/kinesis-client.ts';
import { putRecords } from '../../src/kinesis/producer.ts';
import { ensureStream } from '../../src/kinesis/stream-admin.ts';
import { startKinesisFaultProxy, type ProxyAction } from './kinesis-fault-proxy.ts';
import { numberedRecords, readWholeStream, startKinesisForTest, uniqueStream, type KinesisTestEnv } from './kinesis-test-env.ts';

const FAST_BACKOFF = { baseMs: 5, maxMs: 20, jitter: Jitter.Equal } as const;

describe('putRecords', () => {
  let env: KinesisTestEnv;
  beforeAll(async () => {
    env = await startKinesisForTest();
  });
  afterAll(async () => {
    await env.close();
  });

  /** A client going through a fault proxy whose plan the test sets. */
  const viaProxy = async (plan: (call: { operation: string; index: number }) => ProxyAction) => {
    const proxy = await startKinesisFaultProxy(env.kinesis.endpoint, plan);
    const client = createKinesisClient({ endpoint: proxy.endpoint, env: {} });
    return { proxy, client, close: async () => (client.destroy(), await proxy.close()) };
  };

  it('writes every record once across the shards, in calls of at most 500, reporting progress', async () => {
    const stream = uniqueStream('produce');
    await ensureStream(env.client, { stream, shards: 2 });
    const records = numberedRecords(1_234, { keys: 40 });
    const { proxy, client, close } = await viaProxy(() => ({ kind: 'forward' }));
    const progress: number[] = [];
    try {
      const written = await putRecords(client, { stream, records }, { onProgress: ({ written, total }) => (expect(total).toBe(1_234), progress.push(written)) });
      expect(written).toBe(1_234);
    } finally {
      await close();
    }
    expect(proxy.calls.filter((c) => c.operation === 'PutRecords').map((c) => c.entries)).toEqual([500, 500, 234]);
    expect(progress).toEqual([500, 1_000, 1_234]);
    const stored = await readWholeStream(env.client, stream);
    expect(stored.map((r) => JSON.parse(r.text).n).sort((a, b) => a - b)).toEqual(records.map((_, i) => i));
    expect(new Set(stored.map((r) => r.shardId)).size).toBe(2);
  });

  it('keeps each call under 5 MiB of data and partition keys', async () => {
    const stream = uniqueStream('produce-big');
    await ensureStream(env.client, { stream, shards: 1 });
    const big = Array.from({ length: 12 }, (_, i) => ({ data: new Uint8Array(900 * 1024).fill(65 + i), partitionKey: `k${i}` }));
    const { proxy, client, close } = await viaProxy(() => ({ kind: 'forward' }));
    try {
      expect(await putRecords(client, { stream, records: big })).toBe(12);
    } finally {
      await close();
    }
    expect(proxy.calls.filter((c) => c.operation === 'PutRecords').map((c) => c.entries)).toEqual([5, 5, 2]);
    expect((await readWholeStream(env.client, stream)).map((r) => r.text.charCodeAt(0))).toEqual(big.map((_, i) => 65 + i));
  });

  it('re-sends only the entries a partly failed call reports, so nothing is lost or doubled', async () => {
    const stream = uniqueStream('produce-partial');
    await ensureStream(env.client, { stream, shards: 2 });
    const records = numberedRecords(20, { keys: 5 });
    const { proxy, client, close } = await viaProxy(({ operation, index }) =>
      operation === 'PutRecords' && index === 0 ? { kind: 'fail-entries', indices: [1, 3, 19] } : { kind: 'forward' },
    );
    try {
      expect(await putRecords(client, { stream, records }, { backoff: FAST_BACKOFF })).toBe(20);
    } finally {
      await close();
    }
    expect(proxy.calls.filter((c) => c.operation === 'PutRecords').map((c) => c.entries)).toEqual([20, 3]);
    const stored = await readWholeStream(env.client, stream);
    expect(stored.map((r) => JSON.parse(r.text).n).sort((a, b) => a - b)).toEqual(records.map((_, i) => i));
  });

  it('retries a throttled call and gives up with a SourceError after maxAttempts', async () => {
    const stream = uniqueStream('produce-throttled');
    await ensureStream(env.client, { stream, shards: 1 });
    const { client, close } = await viaProxy(({ operation }) => (operation === 'PutRecords' ? { kind: 'fail-entries', indices: [0] } : { kind: 'forward' }));
    try {
      const error = await putRecords(client, { stream, records: numberedRecords(2, { keys: 1 }) }, { maxAttempts: 3, backoff: FAST_BACKOFF }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SourceError);
      expect((error as SourceError).code).toBe(ErrorCode.Source);
      expect((error as Error).message).toMatch(new RegExp(`'${stream}'.*1 records still failed after 3 attempts.*ProvisionedThroughputExceededException`));
    } finally {
      await close();
    }
    // The entry that never failed was written once; the one that always failed never was.
    expect((await readWholeStream(env.client, stream)).map((r) => JSON.parse(r.text).n)).toEqual([1]);
  });

  it('fails at once with a SourceError naming the stream when it does not exist', async () => {
    const error = await putRecords(env.client, { stream: 'no-such-stream', records: numberedRecords(1, { keys: 1 }) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as Error).message).toContain("'no-such-stream'");
  });
});
