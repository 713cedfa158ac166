/**
 * `sluice produce --file`: a zero-byte record from an empty `--base64` line (Kinesis takes
 * data of 0 to 1 MiB bytes; it becomes a reject with its reason, never a lost record),
 * records keyed by a JSON field, lines that cannot be records reported with why, and a
 * stream that does not exist refused unless `--create` says to make it.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileRecords } from '../../src/cli/file-records.ts';
import { openLocalEnvironment } from '../../src/runtime/local-environment.ts';
import { streamNames } from '../../src/kinesis/stream-admin.ts';
import { SAMPLE_JOBS, tempProject, type TempProject } from './temp-project.ts';

interface StoredRecord {
  readonly partitionKey: string;
  readonly data: Uint8Array;
}

/** Every record of the stream, shard by shard. */
async function readStream(client: KinesisClient, stream: string): Promise<StoredRecord[]> {
  const out: StoredRecord[] = [];
  for (const shard of (await client.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? []) {
    let iterator = (await client.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    for (;;) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      if ((page.Records ?? []).length === 0) break;
      out.push(...page.Records!.map((r) => ({ partitionKey: r.PartitionKey!, data: r.Data ?? new Uint8Array() })));
      iterator = page.NextShardIterator;
    }
  }
  return out;
}

const reading = (device: string, n: number) =>
  JSON.stringify({ client_id: device, timestamp: `2026-11-21 0${n}:00:00`, humidity: null, temperature: 20, pressure: 1000, pitch: 0, roll: 0, yaw: 0, count: n });
const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('fileRecords', () => {
  let project: TempProject;
  beforeAll(async () => {
    project = await tempProject('sluice-file-records-');
  });
  afterAll(() => project.remove());

  const file = async (name: string, text: string) => {
    const path = join(project.root, name);
    await writeFile(path, text);
    return path;
  };

  it('text lines: blank lines skipped with the reason; a final newline ends the last line', async () => {
    const { records, skipped } = await fileRecords({ path: await file('a.ndjson', 'one\n\n  \ntwo\n'), base64: false });
    expect(records.map((r) => [new TextDecoder().decode(r.data), r.partitionKey])).toEqual([['one', 'line-1'], ['two', 'line-4']]);
    expect(skipped).toEqual([
      { line: 2, reason: expect.stringMatching(/^blank line/) },
      { line: 3, reason: expect.stringMatching(/^blank line/) },
    ]);
  });

  it('base64 lines: an empty line is a zero-byte record, a line that is not base64 is skipped', async () => {
    const { records, skipped } = await fileRecords({ path: await file('a.b64', `${b64('x')}\n\n${b64('yz')}\nnot base64!\n`), base64: true });
    expect(records.map((r) => [Buffer.from(r.data).toString(), r.data.byteLength])).toEqual([['x', 1], ['', 0], ['yz', 2]]);
    expect(skipped).toEqual([{ line: 4, reason: 'not base64' }]);
  });

  it('--partition-key-field: keys by the field; lines without a usable key are skipped with why', async () => {
    const text = [
      reading('rpi-1', 1),
      'not json',
      JSON.stringify({ other: 1 }),
      JSON.stringify({ client_id: '' }),
      JSON.stringify({ client_id: 'x'.repeat(257) }),
      JSON.stringify({ client_id: 42 }),
    ].join('\n');
    const { records, skipped } = await fileRecords({ path: await file('k.ndjson', text), base64: false, partitionKeyField: 'client_id' });
    expect(records.map((r) => r.partitionKey)).toEqual(['rpi-1', '42']);
    expect(skipped).toEqual([
      { line: 2, reason: "not JSON, so no field 'client_id' to key it by" },
      { line: 3, reason: "no field 'client_id' holding a string, number or boolean to key it by" },
      { line: 4, reason: "field 'client_id' is 0 characters; a Kinesis partition key has 1 to 256" },
      { line: 5, reason: "field 'client_id' is 257 characters; a Kinesis partition key has 1 to 256" },
    ]);
  });

  it('a record over Kinesis\'s 1 MiB limit is skipped, not sent to fail the whole call', async () => {
    const { records, skipped } = await fileRecords({ path: await file('big.ndjson', `small\n${'x'.repeat(1_048_576)}\n`), base64: false });
    expect(records).toHaveLength(1);
    expect(skipped).toEqual([{ line: 2, reason: expect.stringMatching(/^1048582 bytes with its partition key, over Kinesis's 1048576-byte record limit/) }]);
  });
});

describe('sluice produce', () => {
  let project: TempProject;
  beforeAll(async () => {
    project = await tempProject('sluice-produce-');
  });
  afterAll(() => project.remove());

  it('refuses a stream that does not exist unless --create, and creates nothing', async () => {
    await writeFile(join(project.root, 'one.ndjson'), `${reading('rpi-1', 1)}\n`);
    const dir = join(project.root, 'refuse');
    const refused = await project.sluice(['--dir', dir, 'produce', '--stream', 'iot-sensr', '--file', join(project.root, 'one.ndjson')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/stream 'iot-sensr' does not exist .*\(streams there: none\); check the name, or pass --create/);
    const created = await project.sluice(['--dir', dir, 'produce', '--stream', 'iot-sensor', '--create', '--shards', '1', '--file', join(project.root, 'one.ndjson')]);
    expect(created.code, created.stderr).toBe(0);
    const again = await project.sluice(['--dir', dir, 'produce', '--stream', 'iot-sensr', '--file', join(project.root, 'one.ndjson')]);
    expect(again.stderr).toContain('(streams there: iot-sensor)');
    const env = await openLocalEnvironment({ dir });
    try {
      expect(await streamNames(env.kinesis)).toEqual(['iot-sensor']);
    } finally {
      await env.close();
    }
  });

  it('--base64 puts a zero-byte record for an empty line, keyed by a field, and the run rejects it with a reason', async () => {
    const dir = join(project.root, 'zero');
    // Line 2 is empty: zero bytes. Line 4 is not base64: skipped and reported.
    await writeFile(join(project.root, 'records.b64'), [b64(reading('rpi-1', 1)), '', b64(reading('rpi-2', 2)), '%%%'].join('\n'));
    const produced = await project.sluice(['--dir', dir, 'produce', '--stream', 'iot-sensor', '--create', '--base64', '--file', join(project.root, 'records.b64')]);
    expect(produced.code, produced.stderr).toBe(0);
    expect(produced.stderr).toContain('put 3 records on iot-sensor');
    expect(produced.stderr).toMatch(/skipped 1 line of .*records\.b64:\s+line 4: not base64/);

    await writeFile(join(project.root, 'keyed.ndjson'), [reading('rpi-7', 3), '', reading('rpi-8', 4)].join('\n'));
    const keyed = await project.sluice(['--dir', dir, 'produce', '--stream', 'iot-sensor', '--file', join(project.root, 'keyed.ndjson'), '--partition-key-field', 'client_id']);
    expect(keyed.code, keyed.stderr).toBe(0);
    expect(keyed.stderr).toMatch(/skipped 1 line of .*keyed\.ndjson:\s+line 2: blank line/);

    const env = await openLocalEnvironment({ dir });
    try {
      const stored = await readStream(env.kinesis, 'iot-sensor');
      expect(stored.map((r) => r.data.byteLength).filter((n) => n === 0)).toHaveLength(1);
      expect(stored.filter((r) => r.partitionKey.startsWith('rpi-')).map((r) => r.partitionKey).sort()).toEqual(['rpi-7', 'rpi-8']);
    } finally {
      await env.close();
    }

    const run = await project.sluice(['--dir', dir, 'run', 'sensor-readings', '--until-caught-up', '--json'], { jobsDir: SAMPLE_JOBS });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ records: 5, rows: 4, rejects: 1 });
    const rejects = await project.sluice(['--dir', dir, 'query', '--json', 'SELECT stage, reason, data FROM iot.sensor_readings_rejects'], { jobsDir: SAMPLE_JOBS });
    expect(rejects.code, rejects.stderr).toBe(0);
    expect(JSON.parse(rejects.stdout)).toEqual([{ stage: 'json', reason: expect.any(String), data: '' }]);
  }, 120_000);
});
