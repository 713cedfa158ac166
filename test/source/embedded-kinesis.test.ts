import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, SourceError } from '../../src/errors.ts';
import { startEmbeddedKinesis } from '../../src/runtime/embedded-kinesis.ts';
import { createKinesisClient } from '../../src/kinesis/kinesis-client.ts';
import { putRecords } from '../../src/kinesis/producer.ts';
import { ensureStream } from '../../src/kinesis/stream-admin.ts';
import { numberedRecords, readWholeStream } from './kinesis-test-env.ts';

describe('startEmbeddedKinesis', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-kinesis-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('serves on 127.0.0.1 and keeps streams and records across close and restart with the same path', async () => {
    const path = join(dir, 'kinesis');
    const first = await startEmbeddedKinesis({ path });
    expect(first.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    let client = createKinesisClient({ endpoint: first.endpoint, env: {} });
    await ensureStream(client, { stream: 'kept', shards: 2 });
    await putRecords(client, { stream: 'kept', records: numberedRecords(50, { keys: 7 }) });
    const before = await readWholeStream(client, 'kept');
    client.destroy();
    await first.close();
    await first.close();

    const second = await startEmbeddedKinesis({ path });
    client = createKinesisClient({ endpoint: second.endpoint, env: {} });
    try {
      expect((await client.send(new ListStreamsCommand({}))).StreamNames).toEqual(['kept']);
      const after = await readWholeStream(client, 'kept');
      expect(after).toHaveLength(50);
      expect(after).toEqual(before);
    } finally {
      client.destroy();
      await second.close();
    }
  });

  it('keeps nothing without a path', async () => {
    const first = await startEmbeddedKinesis();
    let client = createKinesisClient({ endpoint: first.endpoint, env: {} });
    await ensureStream(client, { stream: 'gone', shards: 1 });
    client.destroy();
    await first.close();
    const second = await startEmbeddedKinesis();
    client = createKinesisClient({ endpoint: second.endpoint, env: {} });
    try {
      expect((await client.send(new ListStreamsCommand({}))).StreamNames).toEqual([]);
    } finally {
      client.destroy();
      await second.close();
    }
  });

  it('refuses a folder another process holds, saying to stop it or pass --endpoint', async () => {
    const path = join(dir, 'kinesis');
    const fixture = fileURLToPath(new URL('./fixtures/hold-embedded-kinesis.ts', import.meta.url));
    const holder = spawn(process.execPath, ['--import', 'tsx', fixture, path], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      const [firstLine] = (await once(holder.stdout, 'data')) as [Buffer];
      expect(firstLine.toString()).toContain('ready');
      const error = await startEmbeddedKinesis({ path }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SourceError);
      expect((error as SourceError).code).toBe(ErrorCode.Source);
      expect((error as Error).message).toMatch(/in use by another sluice process.*stop that process, or pass --endpoint/);
    } finally {
      holder.stdin.end();
      await once(holder, 'exit');
    }
    // Once the other process is gone the folder is free again.
    const kinesis = await startEmbeddedKinesis({ path });
    await kinesis.close();
  });

  it('refuses a folder this process already serves', async () => {
    const path = join(dir, 'kinesis');
    const kinesis = await startEmbeddedKinesis({ path });
    try {
      await expect(startEmbeddedKinesis({ path })).rejects.toThrow(SourceError);
    } finally {
      await kinesis.close();
    }
  });
});
