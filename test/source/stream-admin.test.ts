import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKinesisClient } from '../../src/kinesis/kinesis-client.ts';
import { deleteStream, ensureStream } from '../../src/kinesis/stream-admin.ts';
import { startKinesisForTest, uniqueStream, type KinesisTestEnv } from './kinesis-test-env.ts';

describe('stream admin', () => {
  let env: KinesisTestEnv;
  beforeAll(async () => {
    env = await startKinesisForTest();
  });
  afterAll(async () => {
    await env.close();
  });

  it('creates a missing stream, accepts an existing one as it is, and deletes it', async () => {
    const stream = uniqueStream('admin');
    expect(await ensureStream(env.client, { stream, shards: 3 })).toBe(3);
    const summary = await env.client.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
    expect(summary.StreamDescriptionSummary?.StreamStatus).toBe('ACTIVE');
    expect(await ensureStream(env.client, { stream, shards: 1 })).toBe(3);
    await deleteStream(env.client, { stream });
    await expect(env.client.send(new DescribeStreamSummaryCommand({ StreamName: stream }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await deleteStream(env.client, { stream });
    expect(await ensureStream(env.client, { stream, shards: 1 })).toBe(1);
  });
});

describe('createKinesisClient', () => {
  it('signs with dummy credentials in us-east-1 for a local endpoint when the environment has none', async () => {
    const client = createKinesisClient({ endpoint: 'http://127.0.0.1:1', env: {} });
    try {
      expect(await client.config.region()).toBe('us-east-1');
      expect(await client.config.credentials()).toMatchObject({ accessKeyId: 'sluice-local' });
    } finally {
      client.destroy();
    }
  });

  it('leaves credentials to the SDK when the environment has some', async () => {
    const env = { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' };
    const client = createKinesisClient({ endpoint: 'http://127.0.0.1:1', region: 'eu-west-1', env });
    try {
      expect(await client.config.region()).toBe('eu-west-1');
      // The SDK's own chain reads the real process environment, which may hold nothing here.
      const credentials = await client.config.credentials().catch(() => undefined);
      expect(credentials?.accessKeyId).not.toBe('sluice-local');
    } finally {
      client.destroy();
    }
  });
});
