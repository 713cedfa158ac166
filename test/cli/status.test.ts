/**
 * `sluice status` as a user runs it, in a process of its own beside the state a run left:
 * after a demo (every shard caught up, rows and rejects equal to the table and the rejects
 * files), after a run stopped midway (each shard behind by exactly the records after its
 * checkpoint, counted here from the stream itself), and with a shard whose batch keeps
 * failing (stuck, exit 1), which a run after the fix clears.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GetRecordsCommand, GetShardIteratorCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import job from '../../jobs/sensor-readings.ts';
import type { PipelineStatus } from '../../src/observability/pipeline-status.ts';
import { openLocalEnvironment, type LocalEnvironment } from '../../src/runtime/local-environment.ts';
import { runJob, type RunJobOptions } from '../../src/runtime/local-runner.ts';
import { putRecords } from '../../src/kinesis/producer.ts';
import { ensureStream } from '../../src/kinesis/stream-admin.ts';
import { withMalformed } from '../../src/cli/simulate/malformed.ts';
import { senseHatMessages } from '../../src/cli/simulate/sense-hat.ts';
import { compareSequenceNumbers } from '../../src/decode/stream-record.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin', 'sluice.js');

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'sluice-status-'));
});
afterAll(() => rm(work, { recursive: true, force: true }));

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `sluice ...args`; `interruptWhen` sends one SIGINT (Ctrl-C) once stderr matches it. */
function sluice(dir: string, args: string[], options: { interruptWhen?: RegExp } = {}): Promise<Finished> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, '--dir', dir, '--jobs', join(ROOT, 'jobs'), ...args], { cwd: work, env: { ...process.env, CI: '1' } });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
      if (!interrupted && options.interruptWhen?.test(stderr)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const json = <T>(f: Finished, code = 0): T => {
  expect(f.code, f.stderr).toBe(code);
  return JSON.parse(f.stdout) as T;
};

const readingsOf = (status: PipelineStatus) => status.jobs.find((j) => j.job === 'sensor-readings')!;

/** Every sequence number on each shard of the stream, read from its start. */
async function sequenceNumbersByShard(client: KinesisClient, stream: string, shardIds: readonly string[]): Promise<Map<string, string[]>> {
  const byShard = new Map<string, string[]>();
  for (const shardId of shardIds) {
    const seqs: string[] = [];
    let iterator = (await client.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    for (;;) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      if ((page.Records ?? []).length === 0) break;
      seqs.push(...page.Records!.map((r) => r.SequenceNumber!));
      iterator = page.NextShardIterator;
    }
    byShard.set(shardId, seqs);
  }
  return byShard;
}

async function produceReadings(env: LocalEnvironment, records: number): Promise<void> {
  await ensureStream(env.kinesis, { stream: 'iot-sensor', shards: 2 });
  const messages = [...(senseHatMessages({ devices: 4, records, hours: 2, start: new Date('2026-11-20T06:00:00Z'), seed: 7 }) as Iterable<Record<string, unknown> & { client_id: string }>)];
  const encoded = withMalformed(messages, { rate: 0.02 });
  await putRecords(env.kinesis, { stream: 'iot-sensor', records: encoded.map((e, i) => ({ data: e.data, partitionKey: messages[i]!.client_id })) });
}

const runOptions = (env: LocalEnvironment): RunJobOptions => ({
  job,
  kinesis: env.kinesis,
  store: env.store,
  catalog: env.catalog,
  checkpoints: env.checkpoints,
  metricsLog: env.metricsLog,
  failuresDir: join(env.paths.failures, job.name),
  batchSize: 100,
  batchWindowSeconds: 0,
});

describe('sluice status', () => {
  it('after a demo: every shard caught up, rows and rejects equal to the table and the rejects files', async () => {
    const dir = join(work, 'demo');
    const demo = json<{ records: number; rows: number; rejects: number }>(await sluice(dir, ['demo', '--records', '3000', '--json']));
    const status = json<PipelineStatus>(await sluice(dir, ['status', '--json']));
    const [counted] = json<Array<{ n: number }>>(await sluice(dir, ['query', '--json', 'SELECT count(*) AS n FROM iot.sensor_readings']));

    const readings = readingsOf(status);
    expect(readings.rows).toBe(Number(counted!.n));
    expect(readings.rows).toBe(demo.rows);
    expect(readings.rejects).toBe(demo.rejects);
    expect(readings.rows + readings.rejects).toBe(demo.records);
    expect(Object.values(readings.rejectsByStage).reduce((a, b) => a + b, 0)).toBe(readings.rejects);
    expect(readings.topReasons.length).toBeGreaterThan(0);
    expect(readings.shards).toHaveLength(2);
    for (const shard of readings.shards) {
      expect(shard).toMatchObject({ state: 'ok', behindRecords: 0, behindMs: 0, behindAtLeast: false });
      expect(shard.batches).toBeGreaterThan(0);
      expect(shard.lastCommitAt).not.toBeNull();
    }
    // Both sample jobs read the stream with checkpoints of their own: the aggregate job is caught up too.
    const hourly = status.jobs.find((j) => j.job === 'sensor-hourly')!;
    expect(hourly.shards.every((s) => s.behindRecords === 0)).toBe(true);
    expect(hourly.rejects).toBe(demo.rejects);

    const text = await sluice(dir, ['status', 'sensor-readings']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`rows ${demo.rows}, rejects ${demo.rejects}`);
    expect(text.stdout).toContain('shardId-000000000001');
  });

  it('after a run stopped midway: each shard is behind by exactly the records after its checkpoint', async () => {
    const dir = join(work, 'midway');
    const env = await openLocalEnvironment({ dir });
    try {
      await produceReadings(env, 2000);
      const stop = new AbortController();
      let batches = 0;
      const summary = await runJob({
        ...runOptions(env),
        signal: stop.signal,
        onBatch: () => {
          if (++batches === 4) stop.abort();
        },
      });
      expect(summary.stopped).toBe(true);

      // The status process uses this process's embedded Kinesis server, found through the state folder.
      const status = json<PipelineStatus>(await sluice(dir, ['status', 'sensor-readings', '--json']));
      const readings = readingsOf(status);
      const checkpoints = await env.checkpoints.load({ job: job.name, stream: 'iot-sensor' });
      const onStream = await sequenceNumbersByShard(env.kinesis, 'iot-sensor', readings.shards.map((s) => s.shardId));
      let behind = 0;
      for (const shard of readings.shards) {
        const checkpoint = checkpoints.get(shard.shardId)?.sequenceNumber;
        const expected = onStream.get(shard.shardId)!.filter((seq) => checkpoint === undefined || compareSequenceNumbers(seq, checkpoint) > 0).length;
        expect(shard.behindRecords, shard.shardId).toBe(expected);
        expect(shard.checkpoint).toBe(checkpoint ?? null);
        if (expected > 0) expect(shard.behindMs).toBeGreaterThan(0);
        behind += expected;
      }
      expect(behind).toBeGreaterThan(0);
      expect(behind).toBeLessThan(2000);
      // The run's summary and the table agree: each committed record is a row or a reject, once.
      expect(readings.rows + readings.rejects).toBe(summary.userRecords);
      expect(2000 - behind).toBe(summary.records);
    } finally {
      await env.close();
    }
  });

  it('a shard whose batch keeps failing is stuck (exit 1) until a run after the fix commits it', async () => {
    const dir = join(work, 'stuck');
    const env = await openLocalEnvironment({ dir });
    try {
      await produceReadings(env, 300);
      // A file where the table's folder goes: every write fails with ENOTDIR, whoever runs the test (root too).
      await mkdir(join(env.paths.warehouse, 'iot'), { recursive: true });
      const blocker = join(env.paths.warehouse, 'iot', 'sensor_readings');
      await writeFile(blocker, 'not a folder');
      const stop = new AbortController();
      const failures: number[] = [];
      await runJob({
        ...runOptions(env),
        onEvent: (event) => {
          if (event.type !== 'handler-error' || event.failing === undefined) return;
          failures.push(event.failing.attempts);
          if (event.failing.attempts >= 4) stop.abort();
        },
        signal: stop.signal,
      });
      expect(Math.max(...failures)).toBeGreaterThanOrEqual(4);

      const stuck = await sluice(dir, ['status', '--json']);
      const status = json<PipelineStatus>(stuck, 1);
      expect(stuck.stderr).toContain('stuck: sensor-readings shardId-');
      const readings = readingsOf(status);
      expect(readings.stuck).toBe(true);
      const shard = readings.shards.find((s) => s.state === 'stuck')!;
      expect(shard.error!.attempts).toBeGreaterThanOrEqual(3);
      expect(shard.error!.message).toMatch(/not a directory|ENOTDIR/);
      expect(shard.behindRecords).toBeGreaterThan(0);

      await rm(blocker);
      await runJob({ ...runOptions(env), untilCaughtUp: true });
      const fixed = json<PipelineStatus>(await sluice(dir, ['status', '--json']));
      const after = readingsOf(fixed);
      expect(after.stuck).toBe(false);
      expect(after.shards.every((s) => s.state === 'ok' && s.behindRecords === 0 && s.error === undefined)).toBe(true);
      expect(after.rows + after.rejects).toBe(300);
    } finally {
      await env.close();
    }
  });

  it('run says it stopped after Ctrl-C, and failed after an error: never done or success', async () => {
    const dir = join(work, 'interrupted');
    const produced = await sluice(dir, ['produce', '--job', 'sensor-readings', '--simulate', 'sense-hat', '--records', '3000', '--shards', '2', '--create']);
    expect(produced.code, produced.stderr).toBe(0);
    const stopped = await sluice(dir, ['run', 'sensor-readings', '--batch-size', '100', '--batch-window', '0'], { interruptWhen: /shardId-\d+: \d+ records/ });
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stderr).toMatch(/sensor-readings: stopped \(\d+ records\)/);
    expect(stopped.stderr).toMatch(/stopped: \d+ records -> \d+ rows/);
    expect(stopped.stderr).not.toMatch(/\[success\]|: done \(/);

    // A stream that does not exist: the run fails, and its last progress line says so before the error.
    const failed = await sluice(dir, ['run', 'device-activity', '--until-caught-up']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/device-activity: failed \(0 records\)[^]*sluice: /);
    expect(failed.stderr).not.toMatch(/\[success\]|: done \(/);
  });
});
