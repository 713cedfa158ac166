import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ShardLease } from '../../src/checkpoint/checkpoint-store.ts';
import { S3CheckpointStore } from '../../src/checkpoint/s3-checkpoint-store.ts';
import { CheckpointError } from '../../src/errors.ts';
import { describeCheckpointStoreContract } from '../contracts/checkpoint-contract.ts';
import { connectS3TestServer, S3_SERVER_WAIT_MS, type S3TestServer } from '../helpers/s3-test-server.ts';

let s3: S3TestServer;
// Runs before every suite's own hooks, so the contract's fixture finds the server connected.
beforeAll(async () => {
  s3 = await connectS3TestServer();
}, S3_SERVER_WAIT_MS);

// No cleanup: every suite has its own bucket and the whole server is discarded after the run.
describeCheckpointStoreContract('S3 on Ceph radosgw', async () => {
  const bucket = await s3.createBucket('checkpoints');
  const open = () => new S3CheckpointStore({ client: s3.client, bucket, prefix: 'sluice' });
  return { store: open(), openAnother: open, cleanup: async () => undefined };
});

describe('S3CheckpointStore', () => {
  let bucket: string;
  beforeAll(async () => {
    bucket = await s3.createBucket('checkpoint-layout');
  });
  const open = () => new S3CheckpointStore({ client: s3.client, bucket, prefix: 'sluice' });

  it('keeps checkpoint and lease of a shard in one JSON object under <prefix>/checkpoints/<job>/<stream>/', async () => {
    const store = open();
    const scope = { job: 'sensor-readings', stream: 'iot-sensor' };
    const lease = (await store.acquireLease(scope, 'shardId-000000000000', { owner: 'worker-a', durationMs: 30_000 })) as ShardLease;
    await store.commit(scope, 'shardId-000000000000', { sequenceNumber: '42', ended: false }, { lease });
    await store.commit(scope, 'shardId-000000000001', { sequenceNumber: '7', ended: true });
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'sluice/checkpoints/sensor-readings/iot-sensor/' }));
    expect((listed.Contents ?? []).map((o) => o.Key)).toEqual([
      'sluice/checkpoints/sensor-readings/iot-sensor/shardId-000000000000.json',
      'sluice/checkpoints/sensor-readings/iot-sensor/shardId-000000000001.json',
    ]);
    const object = await s3.client.send(
      new GetObjectCommand({ Bucket: bucket, Key: 'sluice/checkpoints/sensor-readings/iot-sensor/shardId-000000000000.json' }),
    );
    expect(JSON.parse(await (object.Body as { transformToString(): Promise<string> }).transformToString())).toMatchObject({
      version: 1,
      shardId: 'shardId-000000000000',
      checkpoint: { sequenceNumber: '42', ended: false },
      leaseCounter: lease.counter,
      holder: { owner: 'worker-a', durationMs: 30_000 },
    });
  });

  it('never loses a commit between workers whose memory of the shard is stale', async () => {
    const scope = { job: 'stale', stream: 'iot-sensor' };
    const [a, b] = [open(), open()];
    for (let n = 1; n <= 6; n++) await (n % 2 ? a : b).commit(scope, 'shardId-000000000000', { sequenceNumber: String(n * 10), ended: false });
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).commit(scope, 'shardId-000000000000', { sequenceNumber: String(100 + i), ended: false })),
    );
    expect((await open().load(scope)).get('shardId-000000000000')).toEqual({ sequenceNumber: '109', ended: false });
  });

  it('refuses a damaged object with a CheckpointError naming its s3:// key and the fix', async () => {
    const key = 'sluice/checkpoints/broken/iot-sensor/shardId-000000000000.json';
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: '{"version": 1, "shardId": ' }));
    const error = await open()
      .load({ job: 'broken', stream: 'iot-sensor' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toContain(`s3://${bucket}/${key}`);
    expect((error as Error).message).toMatch(/damaged.*delete/);
  });
});
