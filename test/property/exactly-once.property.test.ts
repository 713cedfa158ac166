/**
 * The exactly-once rule (DESIGN.md §4) under a simulated Lambda event source mapping:
 * records keep arriving, batches have random boundaries, every step of the commit protocol
 * fails at random (before or after taking effect), workers die and restart from the
 * durable checkpoint with batches larger or smaller than before, bisection splits failing
 * batches, and several batches of one shard run at once (parallelization factor, records
 * of one partition key in order). Whatever happens, the table ends up holding every valid
 * input record exactly once, and rejects every bad one exactly once.
 *
 * Replay a failure with FC_SEED=<seed> (fast-check prints the seed and path).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import job from '../../jobs/sensor-readings.ts';
import { decodeRejects } from '../../src/format/rejects-ndjson.ts';
import type { StreamRecord } from '../../src/decode/stream-record.ts';
import { scenarios, simulateDeliveries, type Scenario } from '../helpers/event-source-simulation.ts';

const encoder = new TextEncoder();

function makeRecords(s: Scenario): { records: StreamRecord[]; valid: Set<string>; bad: Set<string> } {
  const records: StreamRecord[] = [];
  const valid = new Set<string>();
  const bad = new Set<string>();
  const counts = new Map<string, number>();
  for (let i = 0; i < s.records; i++) {
    const device = `dev-${i % s.devices}`;
    const count = (counts.get(device) ?? 0) + 1;
    counts.set(device, count);
    const hour = String(i % 5).padStart(2, '0');
    const sequenceNumber = String(100_000 + i * 7);
    const isBad = s.badEvery > 0 && i % s.badEvery === s.badEvery - 1;
    const message = { client_id: device, timestamp: `2026-11-23 ${hour}:00:00`, humidity: null, temperature: 20, pressure: 1000, pitch: 0, roll: 0, yaw: 0, count };
    records.push({
      data: isBad ? encoder.encode(`{"broken": ${i}`) : encoder.encode(JSON.stringify(message)),
      shardId: 'shardId-000000000000',
      sequenceNumber,
      partitionKey: device,
      arrivalTime: new Date('2026-11-23T06:00:00Z'),
    });
    (isBad ? bad : valid).add(isBad ? sequenceNumber : `${device}#${count}`);
  }
  return { records, valid, bad };
}

async function simulate(s: Scenario, mutation: { renameKey?: (key: string) => string } = {}): Promise<void> {
  const { records, valid, bad } = makeRecords(s);
  const store = await simulateDeliveries({ ...s, job, records, ...mutation });

  const rows: string[] = [];
  const rejected: string[] = [];
  for await (const o of store.list('')) {
    const bytes = (await store.get(o.key))!;
    if (o.key.endsWith('.parquet')) {
      const objects = (await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, compressors, columns: ['device_id', 'reading_seq'] })) as Array<Record<string, unknown>>;
      for (const row of objects) rows.push(`${row['device_id']}#${Number(row['reading_seq'])}`);
    } else {
      for (const line of decodeRejects(bytes)) rejected.push(line.sequenceNumber);
    }
  }
  expect(rows.length, 'no duplicate rows').toBe(new Set(rows).size);
  expect(new Set(rows), 'every valid record is a row').toEqual(valid);
  expect(rejected.length, 'no duplicate rejects').toBe(new Set(rejected).size);
  expect(new Set(rejected), 'every bad record is a reject').toEqual(bad);
}

describe('exactly-once under a simulated event source mapping', () => {
  it('holds for random batchings, failures, crashes, bisection, arrivals and parallelization', async () => {
    const seed = process.env['FC_SEED'] ? Number(process.env['FC_SEED']) : undefined;
    await fc.assert(
      fc.asyncProperty(
        scenarios({ records: 90, devices: 6, failure: 0.45 }),
        (scenario) => simulate(scenario),
      ),
      { numRuns: 120, ...(seed === undefined ? {} : { seed }), verbose: true },
    );
  }, 240_000);

  it('catches a broken rule: files named by anything but their first record duplicate rows', async () => {
    // Naming files by wall clock or a random id (here: a counter per write) must fail the property, or it proves nothing.
    let writes = 0;
    const scenario: Scenario = { seed: 7, records: 60, devices: 3, parallelization: 1, maxBatch: 20, failure: 0.3, bisect: true, badEvery: 0 };
    await expect(simulate(scenario, { renameKey: (key) => key.replace('.parquet', `-${writes++}.parquet`) })).rejects.toThrow(/no duplicate rows|every valid record/);
    await expect(simulate(scenario)).resolves.toBeUndefined();
  });
});
