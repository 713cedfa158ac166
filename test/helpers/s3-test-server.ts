import { randomBytes } from 'node:crypto';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { inject } from 'vitest';
import { waitForStatusFile } from './status-file.ts';
import { createS3Client } from '../../src/store/s3-client.ts';
import type { S3ServerStatus } from '../setup/s3-server.ts';

/**
 * How long a test waits for the run's S3 server: covers a first apt install on a fresh CI
 * machine (apt update + ~30 s) plus the ~15 s Ceph start.
 *
 * @example
 * ```ts
 * beforeAll(async () => { s3 = await connectS3TestServer(); }, S3_SERVER_WAIT_MS);
 * ```
 */
export const S3_SERVER_WAIT_MS = 300_000;

/**
 * The run's S3 server, ready to use.
 *
 * @example
 * ```ts
 * const s3 = await connectS3TestServer();
 * const bucket = await s3.createBucket('object-store');
 * ```
 */
export interface S3TestServer {
  readonly endpoint: string;
  readonly client: S3Client;
  /** A new client of its own (for tests that add middleware to it). */
  openClient(): S3Client;
  /** Creates a bucket with a name no other test uses and returns that name. */
  createBucket(label: string): Promise<string>;
}

/**
 * Waits for the server the global setup (test/setup/s3-server.ts) is starting, then returns
 * a client for it. Rejects, so the calling test fails, when the server could not start:
 * S3 code paths are never skipped silently.
 *
 * @example
 * ```ts
 * let s3: S3TestServer;
 * beforeAll(async () => { s3 = await connectS3TestServer(); }, S3_SERVER_WAIT_MS);
 * ```
 */
export async function connectS3TestServer(): Promise<S3TestServer> {
  const status = await waitForStatusFile<S3ServerStatus>(inject('s3TestServer').statusFile, { what: 'the S3 test server', timeoutMs: S3_SERVER_WAIT_MS });
  if (!status.ok) throw new Error(`the S3 test server (scripts/s3-test-server.sh) did not start, so this S3 test cannot run:\n${status.message}`);
  const openClient = () =>
    createS3Client({
      endpoint: status.endpoint,
      credentials: { accessKeyId: status.accessKeyId, secretAccessKey: status.secretAccessKey },
    });
  const client = openClient();
  return {
    endpoint: status.endpoint,
    client,
    openClient,
    async createBucket(label) {
      const bucket = `sluice-${label}-${randomBytes(5).toString('hex')}`.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 63);
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
      return bucket;
    },
  };
}
