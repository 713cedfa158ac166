import { createHash } from 'node:crypto';
import { HeadObjectCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, ObjectStoreError } from '../../src/errors.ts';
import { S3ObjectStore } from '../../src/store/s3-object-store.ts';
import { describeObjectStoreContract } from '../contracts/object-store-contract.ts';
import { connectS3TestServer, S3_SERVER_WAIT_MS, type S3TestServer } from '../helpers/s3-test-server.ts';

const MIB = 1024 * 1024;

let s3: S3TestServer;
// Runs before every suite's own hooks, so the contract's fixture finds the server connected.
beforeAll(async () => {
  s3 = await connectS3TestServer();
}, S3_SERVER_WAIT_MS);

// No cleanup: every suite has its own bucket and the whole server is discarded after the run.
describeObjectStoreContract('S3 on Ceph radosgw', async () => {
  const bucket = await s3.createBucket('object-store');
  return { store: new S3ObjectStore({ client: s3.client, bucket, prefix: 'warehouse' }), cleanup: async () => undefined };
});

/** Bytes that differ along their whole length, so a misplaced part changes the digest. */
function patterned(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + (i >>> 13)) & 0xff;
  return bytes;
}
const digest = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : createHash('sha256').update(bytes).digest('hex'));

/** A client on the same server whose commands can be made to fail before they are sent. */
function clientFailing(fail: (command: string, input: Record<string, unknown>) => unknown): S3Client {
  const client = s3.openClient();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const failure = fail(context.commandName ?? '', args.input as Record<string, unknown>);
      if (failure instanceof Error) throw failure;
      if (failure !== undefined) return { output: failure, response: {} } as never;
      return next(args);
    },
    { step: 'initialize', name: 'testFault' },
  );
  return client;
}

describe('S3ObjectStore', () => {
  it('uploads a body above the threshold in parts and reads back the same bytes; a small body is one PutObject', async () => {
    const bucket = await s3.createBucket('multipart');
    const store = new S3ObjectStore({ client: s3.client, bucket, multipartThresholdBytes: 6 * MIB, partSizeBytes: 5 * MIB });
    const big = patterned(11 * MIB + 123);
    await store.put('t/big.parquet', big);
    expect(digest(await store.get('t/big.parquet'))).toBe(digest(big));
    // A multipart object's ETag ends in -<number of parts>: 5 + 5 + 1.000.123 bytes.
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: 't/big.parquet' }));
    expect(head.ETag).toMatch(/-3"?$/);
    expect(head.ContentLength).toBe(big.byteLength);

    await store.put('t/small.parquet', patterned(6 * MIB));
    const small = await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: 't/small.parquet' }));
    expect(small.ETag).not.toContain('-');
  });

  it('aborts the multipart upload when a part fails and reports bucket and key', async () => {
    const bucket = await s3.createBucket('multipart-abort');
    const client = clientFailing((command, input) =>
      command === 'UploadPartCommand' && input['PartNumber'] === 2 ? new Error('injected part failure') : undefined,
    );
    const store = new S3ObjectStore({ client, bucket, multipartThresholdBytes: 5 * MIB, partSizeBytes: 5 * MIB });
    const error = await store.put('t/broken.parquet', patterned(12 * MIB)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ObjectStoreError);
    expect((error as ObjectStoreError).code).toBe(ErrorCode.ObjectStore);
    expect((error as Error).message).toContain(`s3://${bucket}/t/broken.parquet`);
    expect((error as Error).message).toContain('injected part failure');
    expect((error as Error).cause).toBeInstanceOf(Error);
    const uploads = await s3.client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(uploads.Uploads ?? []).toEqual([]);
    expect(await store.get('t/broken.parquet')).toBeUndefined();
  });

  it('streams a body of unknown length up in parts as they fill', async () => {
    const bucket = await s3.createBucket('stream-multipart');
    const store = new S3ObjectStore({ client: s3.client, bucket, partSizeBytes: 5 * MIB });
    const big = patterned(11 * MIB + 321);
    // Uneven chunks, so parts are cut across them.
    async function* chunks(): AsyncIterable<Uint8Array> {
      for (let at = 0; at < big.byteLength; at += 700_001) yield big.subarray(at, Math.min(at + 700_001, big.byteLength));
    }
    expect(await store.putStream('t/streamed.parquet', chunks())).toEqual({ bytes: big.byteLength });
    expect(digest(await store.get('t/streamed.parquet'))).toBe(digest(big));
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: 't/streamed.parquet' }));
    expect(head.ETag).toMatch(/-3"?$/);
    expect(digest(await store.getRange('t/streamed.parquet', { start: 5 * MIB - 10, end: 5 * MIB + 10 }))).toBe(digest(big.subarray(5 * MIB - 10, 5 * MIB + 10)));
    // Within the first part: one PutObject.
    await store.putStream('t/one-put.parquet', (async function* () {
      yield patterned(1000);
    })());
    expect((await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: 't/one-put.parquet' }))).ETag).not.toContain('-');
  });

  it('aborts a streamed upload when a part fails, or the stream fails after parts went up, leaving no upload and no object', async () => {
    const bucket = await s3.createBucket('stream-abort');
    const client = clientFailing((command, input) =>
      command === 'UploadPartCommand' && input['Key'] === 't/part-fails.parquet' && input['PartNumber'] === 2 ? new Error('injected part failure') : undefined,
    );
    const store = new S3ObjectStore({ client, bucket, partSizeBytes: 5 * MIB });
    async function* chunks(total: number, failAt?: number): AsyncIterable<Uint8Array> {
      for (let at = 0; at < total; at += MIB) {
        if (failAt !== undefined && at >= failAt) throw new Error('the writer failed');
        yield patterned(MIB);
      }
    }
    const partError = await store.putStream('t/part-fails.parquet', chunks(16 * MIB)).catch((e: unknown) => e);
    expect(partError).toBeInstanceOf(ObjectStoreError);
    expect((partError as Error).message).toContain(`s3://${bucket}/t/part-fails.parquet`);
    expect((partError as Error).message).toContain('injected part failure');
    const sourceError = await store.putStream('t/source-fails.parquet', chunks(16 * MIB, 11 * MIB)).catch((e: unknown) => e);
    expect((sourceError as Error).message).toBe('the writer failed');
    const uploads = await s3.client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(uploads.Uploads ?? []).toEqual([]);
    expect(await store.get('t/part-fails.parquet')).toBeUndefined();
    expect(await store.get('t/source-fails.parquet')).toBeUndefined();
  });

  it('deletes more than 1000 keys (several DeleteObjects requests), absent ones included', async () => {
    const bucket = await s3.createBucket('delete-many');
    const store = new S3ObjectStore({ client: s3.client, bucket, prefix: 'p' });
    const keys = Array.from({ length: 1100 }, (_, i) => `d/k-${String(i).padStart(5, '0')}`);
    for (let i = 0; i < keys.length; i += 150) await Promise.all(keys.slice(i, i + 150).map((k) => store.put(k, new Uint8Array([1]))));
    await store.put('keep/me', new Uint8Array([2]));
    await store.delete([...keys, 'd/never-existed']);
    const left: string[] = [];
    for await (const object of store.list('')) left.push(object.key);
    expect(left).toEqual(['keep/me']);
  });

  it('fails a delete when S3 reports per-key errors inside a 200 answer', async () => {
    const bucket = await s3.createBucket('delete-errors');
    const client = clientFailing((command) =>
      command === 'DeleteObjectsCommand' ? { Errors: [{ Key: 'p/x/1', Code: 'AccessDenied', Message: 'Access Denied' }], $metadata: {} } : undefined,
    );
    const store = new S3ObjectStore({ client, bucket, prefix: 'p' });
    const error = await store.delete(['x/1', 'x/2']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ObjectStoreError);
    expect((error as Error).message).toMatch(new RegExp(`1 of 2 objects.*s3://${bucket}/p/x/1: AccessDenied`));
  });

  it('treats a missing key as undefined but a missing bucket as an error naming it', async () => {
    const bucket = await s3.createBucket('missing');
    expect(await new S3ObjectStore({ client: s3.client, bucket }).get('nope')).toBeUndefined();
    const store = new S3ObjectStore({ client: s3.client, bucket: `${bucket}-absent` });
    const error = await store.get('nope').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ObjectStoreError);
    expect((error as Error).message).toMatch(new RegExp(`s3://${bucket}-absent/nope: NoSuchBucket \\(HTTP 404\\)`));
  });

  it('gives s3:// locations under its prefix and refuses a part size below 5 MiB', () => {
    const store = new S3ObjectStore({ client: s3.client, bucket: 'acme', prefix: '/sluice/' });
    expect(store.locationOf('iot/sensor_readings')).toBe('s3://acme/sluice/iot/sensor_readings');
    expect(store.locationOf('')).toBe('s3://acme/sluice');
    expect(new S3ObjectStore({ client: s3.client, bucket: 'acme' }).locationOf('a/b/')).toBe('s3://acme/a/b/');
    expect(() => new S3ObjectStore({ client: s3.client, bucket: 'acme', partSizeBytes: 4 * MIB })).toThrow(ObjectStoreError);
  });
});
