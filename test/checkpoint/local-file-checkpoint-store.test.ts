import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalFileCheckpointStore } from '../../src/checkpoint/local-file-checkpoint-store.ts';
import { CheckpointError, ErrorCode } from '../../src/errors.ts';
import { describeCheckpointStoreContract } from '../contracts/checkpoint-contract.ts';

describeCheckpointStoreContract('local file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-checkpoints-'));
  return {
    store: new LocalFileCheckpointStore({ dir }),
    openAnother: () => new LocalFileCheckpointStore({ dir }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

describe('LocalFileCheckpointStore', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-checkpoints-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes one JSON file per job and stream, and leaves no temporary files behind', async () => {
    const store = new LocalFileCheckpointStore({ dir });
    const scope = { job: 'sensor-readings', stream: 'iot-sensor' };
    await Promise.all([
      store.commit(scope, 'shardId-000000000000', { sequenceNumber: '11', ended: false }),
      store.commit(scope, 'shardId-000000000001', { sequenceNumber: '22', ended: true }),
    ]);
    const file = JSON.parse(await readFile(join(dir, 'sensor-readings', 'iot-sensor.json'), 'utf8'));
    expect(file.shards).toEqual({
      'shardId-000000000000': { sequenceNumber: '11', ended: false },
      'shardId-000000000001': { sequenceNumber: '22', ended: true },
    });
    expect(await readdir(join(dir, 'sensor-readings'))).toEqual(['iot-sensor.json']);
  });

  it('is read back by a new store on the same folder (a restarted process)', async () => {
    const scope = { job: 'restart', stream: 'iot-sensor' };
    await new LocalFileCheckpointStore({ dir }).commit(scope, 'shardId-000000000000', { sequenceNumber: '5', ended: false });
    expect(await new LocalFileCheckpointStore({ dir }).load(scope)).toEqual(new Map([['shardId-000000000000', { sequenceNumber: '5', ended: false }]]));
  });

  it('keeps names that look like paths inside its folder', async () => {
    const store = new LocalFileCheckpointStore({ dir: join(dir, 'inner') });
    const scope = { job: '..', stream: '../escape' };
    await store.commit(scope, 'shardId-000000000000', { sequenceNumber: '1', ended: false });
    expect(await readdir(join(dir, 'inner'))).toEqual(['%2E%2E']);
    expect(await readdir(join(dir, 'inner', '%2E%2E'))).toEqual(['..%2Fescape.json']);
    expect((await store.load(scope)).get('shardId-000000000000')).toEqual({ sequenceNumber: '1', ended: false });
  });

  it('rejects a damaged file with a CheckpointError that names the file and the fix', async () => {
    await mkdir(join(dir, 'broken'), { recursive: true });
    await writeFile(join(dir, 'broken', 'iot-sensor.json'), '{"version": 1, "shards": ');
    const store = new LocalFileCheckpointStore({ dir });
    const error = await store.load({ job: 'broken', stream: 'iot-sensor' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as CheckpointError).code).toBe(ErrorCode.Checkpoint);
    expect((error as Error).message).toMatch(/broken[/\\]iot-sensor\.json.*damaged.*delete/);
  });
});
