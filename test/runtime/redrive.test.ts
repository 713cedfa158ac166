/**
 * `sluice redrive` through the real handler: batches the local event source mapping gave up
 * on (a store that refused one hour's files until it was fixed) are reprocessed from their
 * first sequence number, and the table ends with every record exactly once, although the
 * failed attempts had already written some of their files. A redrive that stops before it
 * removes a batch finds it already present; a range the stream no longer holds is expired.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sensorReadings from '../../jobs/sensor-readings.ts';
import { openQueryEngine } from '../../src/catalog/query-engine.ts';
import { ObjectStoreError } from '../../src/errors.ts';
import type { Job } from '../../src/job/define-job.ts';
import { openLocalEnvironment, type LocalEnvironment } from '../../src/runtime/local-environment.ts';
import { LocalFailureDestination } from '../../src/runtime/local-failure-destination.ts';
import { runJob } from '../../src/runtime/local-runner.ts';
import { redrive, RedriveStatus } from '../../src/runtime/redrive.ts';
import type { FailureSource } from '../../src/runtime/failure-source.ts';
import type { ObjectStore } from '../../src/store/object-store.ts';
import { putRecords } from '../../src/kinesis/producer.ts';
import { ensureStream } from '../../src/kinesis/stream-admin.ts';
import { senseHatMessages } from '../../src/cli/simulate/sense-hat.ts';
import { compactTable } from '../../src/compaction/compact-table.ts';

const RECORDS = 1200;
// Two attempts, no bisection: a batch that cannot write gives up quickly and goes to the destination.
const job: Job = { ...sensorReadings, retry: { ...sensorReadings.retry, maxAttempts: 1, bisectOnError: false } };

let dir: string;
let env: LocalEnvironment;
let destination: LocalFailureDestination;

/** The store with one hour's files refused while `broken` is set: the batches touching it fail, the others commit. */
function storeRefusing(inner: ObjectStore, state: { broken: boolean }): ObjectStore {
  return {
    put: async (key: string, body: Uint8Array) => {
      if (state.broken && key.includes('/hour=01/') && key.endsWith('.parquet')) throw new ObjectStoreError(`refused ${key}`);
      return inner.put(key, body);
    },
    get: (key) => inner.get(key),
    list: (prefix) => inner.list(prefix),
    delete: (keys) => inner.delete(keys),
    locationOf: (key) => inner.locationOf(key),
  };
}

async function tableCounts(): Promise<{ rows: number; distinct: number; rejects: number }> {
  const engine = await openQueryEngine({ catalog: env.catalog });
  try {
    const [rows] = (await engine.query('SELECT count(*) AS n, count(DISTINCT (device_id, reading_seq)) AS d FROM iot.sensor_readings')).rows;
    const [rejects] = (await engine.query('SELECT count(*) AS n FROM iot.sensor_readings_rejects')).rows;
    return { rows: Number(rows!['n']), distinct: Number(rows!['d']), rejects: Number(rejects!['n']) };
  } finally {
    engine.close();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-redrive-'));
  env = await openLocalEnvironment({ dir });
  await ensureStream(env.kinesis, { stream: 'iot-sensor', shards: 2 });
  const messages = [...senseHatMessages({ devices: 4, records: RECORDS, hours: 3, start: new Date('2026-11-20T00:00:00Z'), seed: 3 })];
  await putRecords(env.kinesis, { stream: 'iot-sensor', records: messages.map((m) => ({ data: new TextEncoder().encode(JSON.stringify(m)), partitionKey: m.client_id })) });
  destination = new LocalFailureDestination({
    dir: join(env.paths.failures, job.name),
    streamArn: 'arn:aws:kinesis:local:000000000000:stream/iot-sensor',
    functionArn: `arn:aws:lambda:local:000000000000:function:${job.name}`,
  });
});
afterAll(async () => {
  await env?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('redrive', () => {
  it('reprocesses every range the mapping gave up on, exactly once, through the real handler', async () => {
    const state = { broken: true };
    const summary = await runJob({
      job,
      kinesis: env.kinesis,
      store: storeRefusing(env.store, state),
      catalog: env.catalog,
      checkpoints: env.checkpoints,
      failuresDir: join(env.paths.failures, job.name),
      untilCaughtUp: true,
      batchSize: 100,
      batchWindowSeconds: 0,
    });
    expect(summary.sentToDestination).toBeGreaterThan(0);
    const before = await tableCounts();
    expect(before.rows + before.rejects).toBeLessThan(RECORDS);
    const pending = await destination.pending();
    expect(pending.length).toBeGreaterThan(0);

    // Fixed: the same store, no longer refusing. One removal fails, as a redrive killed right after its commit would.
    let removals = 0;
    const flaky: FailureSource = {
      pending: () => destination.pending(),
      remove: async (batch) => {
        if (++removals === 1) throw new Error('killed before removing');
        return destination.remove(batch);
      },
    };
    await expect(redrive({ job, kinesis: env.kinesis, store: env.store, catalog: env.catalog, failures: flaky })).rejects.toThrow('killed before removing');
    const outcomes = await redrive({ job, kinesis: env.kinesis, store: env.store, catalog: env.catalog, failures: destination });
    expect(outcomes.map((o) => o.status)).toEqual([RedriveStatus.AlreadyPresent, ...pending.slice(1).map(() => RedriveStatus.Redriven)]);
    expect(outcomes.reduce((n, o) => n + (o.records ?? 0), 0)).toBeGreaterThan(0);

    const after = await tableCounts();
    expect(after.rows).toBe(after.distinct);
    expect(after.rows + after.rejects).toBe(RECORDS);
    expect(await readdir(join(env.paths.failures, job.name))).toEqual([]);

    // Nothing left: a second redrive does nothing and changes nothing.
    expect(await redrive({ job, kinesis: env.kinesis, store: env.store, catalog: env.catalog, failures: destination })).toEqual([]);
    expect(await tableCounts()).toEqual(after);
  });

  it('reports a range the stream no longer holds as expired and leaves it in the destination', async () => {
    const folder = join(env.paths.failures, job.name);
    const document = {
      requestContext: { condition: 'RecordAgeExceeded', approximateInvokeCount: 3, functionArn: 'arn:aws:lambda:local:000000000000:function:x' },
      responseContext: {},
      version: '1.0',
      timestamp: new Date().toISOString(),
      KinesisBatchInfo: {
        shardId: 'shardId-000000000000',
        // A sequence number the shard never held (the shard's records start later).
        startSequenceNumber: '49000000000000000000000000000000000000000000000000000000',
        endSequenceNumber: '49000000000000000000000000000000000000000000000000000001',
        approximateArrivalOfFirstRecord: new Date(0).toISOString(),
        approximateArrivalOfLastRecord: new Date(0).toISOString(),
        batchSize: 2,
        streamArn: 'arn:aws:kinesis:local:000000000000:stream/iot-sensor',
      },
    };
    await writeFile(join(folder, 'old.json'), JSON.stringify(document));
    const outcomes = await redrive({ job, kinesis: env.kinesis, store: env.store, catalog: env.catalog, failures: destination });
    expect(outcomes).toEqual([expect.objectContaining({ status: RedriveStatus.Expired, first: document.KinesisBatchInfo.startSequenceNumber })]);
    expect(await readdir(folder)).toEqual(['old.json']);
  });

  it('after compaction merged and deleted the files its failed attempts wrote: every record still once', async () => {
    const work = await mkdtemp(join(tmpdir(), 'sluice-redrive-compacted-'));
    const local = await openLocalEnvironment({ dir: work });
    try {
      await ensureStream(local.kinesis, { stream: 'iot-sensor', shards: 2 });
      const messages = [...senseHatMessages({ devices: 4, records: RECORDS, hours: 3, start: new Date('2026-11-20T00:00:00Z'), seed: 5 })];
      await putRecords(local.kinesis, { stream: 'iot-sensor', records: messages.map((m) => ({ data: new TextEncoder().encode(JSON.stringify(m)), partitionKey: m.client_id })) });
      const failuresDir = join(local.paths.failures, job.name);
      await runJob({ job, kinesis: local.kinesis, store: storeRefusing(local.store, { broken: true }), catalog: local.catalog, checkpoints: local.checkpoints, failuresDir, untilCaughtUp: true, batchSize: 70, batchWindowSeconds: 0 });
      const failures = new LocalFailureDestination({ dir: failuresDir, streamArn: 'arn:aws:kinesis:local:000000000000:stream/iot-sensor', functionArn: 'f' });
      expect((await failures.pending()).length).toBeGreaterThan(0);

      // Batches of 70 span hour boundaries: a failed batch first wrote its file of the neighbouring hour.
      // Compaction merges those files, and (no grace) deletes them on its next run.
      const later = (days: number) => new Date(Date.now() + days * 86_400_000);
      const compact = (days: number) => compactTable({ job, store: local.store, catalog: local.catalog, now: later(days), graceMs: 0 });
      expect((await compact(1)).partitions.compacted).toBeGreaterThan(0);
      await compact(2);

      const outcomes = await redrive({ job, kinesis: local.kinesis, store: local.store, catalog: local.catalog, failures });
      expect(outcomes.every((o) => o.status === RedriveStatus.Redriven)).toBe(true);
      // The redriven files land in base folders; the next compaction merges what is new and drops what it merged before.
      await compact(3);
      const engine = await openQueryEngine({ catalog: local.catalog });
      try {
        const [rows] = (await engine.query('SELECT count(*) AS n, count(DISTINCT (device_id, reading_seq)) AS d FROM iot.sensor_readings')).rows;
        const [rejects] = (await engine.query('SELECT count(*) AS n FROM iot.sensor_readings_rejects')).rows;
        expect(Number(rows!['n'])).toBe(Number(rows!['d']));
        expect(Number(rows!['n']) + Number(rejects!['n'])).toBe(RECORDS);
      } finally {
        engine.close();
      }
    } finally {
      await local.close();
      await rm(work, { recursive: true, force: true });
    }
  });
});
