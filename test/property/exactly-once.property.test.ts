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
import type { Catalog, PartitionDescriptor, TableDescriptor } from '../../src/catalog/catalog.ts';
import { decodeRejects } from '../../src/format/rejects-ndjson.ts';
import { Chaos, ChaosStep, chaoticCatalog, chaoticStore, isWorkerCrash } from '../../src/runtime/chaos.ts';
import { deliverBatch } from '../../src/runtime/event-source-mapping.ts';
import { eventOfRecords } from '../../src/runtime/lambda/kinesis-event.ts';
import { createKinesisHandler } from '../../src/runtime/lambda/kinesis-handler.ts';
import { MemoryObjectStore } from '../../src/store/memory-object-store.ts';
import type { StreamRecord } from '../../src/source/stream-record.ts';
import { SeededRandom } from '../../src/cli/simulate/seeded-random.ts';

const SOURCE = { streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/iot-sensor', region: 'us-east-1', functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:sensor-readings' };
const encoder = new TextEncoder();

/** A catalog double that only remembers partitions (registration is part of the protocol, not of the check). */
class MemoryCatalog implements Catalog {
  readonly partitions = new Set<string>();
  async ensureTable(): Promise<void> {}
  async registerPartitions(_ref: unknown, partitions: readonly PartitionDescriptor[]): Promise<void> {
    for (const p of partitions) this.partitions.add(p.values.join('/'));
  }
  async getTable(): Promise<TableDescriptor | undefined> {
    return undefined;
  }
  async listTables(): Promise<TableDescriptor[]> {
    return [];
  }
  async listPartitions(): Promise<PartitionDescriptor[]> {
    return [];
  }
}

/** Writes that take effect after a random number of event-loop turns, as over a network: a slow write may land late. */
function withLatency(store: MemoryObjectStore, random: SeededRandom): MemoryObjectStore {
  return Object.assign(Object.create(store) as MemoryObjectStore, {
    put: async (key: string, body: Uint8Array) => {
      for (let turns = Math.floor(random.next() * 4); turns > 0; turns--) await new Promise<void>((resolve) => setImmediate(resolve));
      await store.put(key, body);
    },
  });
}

/** The store as seen through a different key naming, to show the property catches a broken rule. */
function renaming(store: MemoryObjectStore, renameKey?: (key: string) => string): MemoryObjectStore {
  if (!renameKey) return store;
  return Object.assign(Object.create(store) as MemoryObjectStore, { put: (key: string, body: Uint8Array) => store.put(renameKey(key), body) });
}

interface Scenario {
  readonly seed: number;
  readonly records: number;
  readonly devices: number;
  readonly parallelization: number;
  readonly maxBatch: number;
  readonly failure: number;
  readonly bisect: boolean;
  readonly badEvery: number;
}

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

/** Stable hash of a partition key to one of the shard's concurrent lanes (as the mapping keeps per-key order). */
const laneOf = (partitionKey: string, lanes: number): number => {
  let h = 0;
  for (const ch of partitionKey) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h % lanes;
};

async function simulate(s: Scenario, mutation: { renameKey?: (key: string) => string } = {}): Promise<void> {
  const random = new SeededRandom(s.seed);
  const chaos = new Chaos({ probability: s.failure, random: () => random.next() });
  const { records, valid, bad } = makeRecords(s);
  const store = new MemoryObjectStore();
  const catalog = new MemoryCatalog();
  const lanes = Array.from({ length: s.parallelization }, (_, lane) => records.filter((r) => laneOf(r.partitionKey, s.parallelization) === lane));
  /** Durable checkpoint per lane: index of the next record to deliver. */
  const next = lanes.map(() => 0);
  let arrived = Math.max(1, Math.floor(records.length / 4));
  const arrive = () => (arrived = Math.min(records.length, arrived + 1 + Math.floor(random.next() * 8)));
  const isArrived = (r: StreamRecord) => records.indexOf(r) < arrived;
  let handler = coldStart();

  function coldStart() {
    return createKinesisHandler(job, {
      adapters: () => ({ store: chaoticStore(renaming(withLatency(store, random), mutation.renameKey), chaos), catalog: chaoticCatalog(catalog, chaos) }),
      onError: () => undefined,
    });
  }

  const deliverLane = async (lane: number): Promise<void> => {
    const pending = lanes[lane]!.slice(next[lane]).filter(isArrived);
    if (pending.length === 0) return;
    const batch = pending.slice(0, 1 + Math.floor(random.next() * s.maxBatch));
    try {
      await deliverBatch(batch, { maxAttempts: -1, maxRecordAgeSeconds: -1, bisectOnError: s.bisect }, {
        invoke: async (rs) => {
          const answer = await handler(eventOfRecords(rs, SOURCE));
          chaos.strike(ChaosStep.HandlerReturn);
          return answer;
        },
        checkpoint: (through) =>
          chaos.around(ChaosStep.CheckpointCommit, async () => {
            next[lane] = Math.max(next[lane]!, lanes[lane]!.indexOf(through) + 1);
          }),
        sendToDestination: async () => {
          throw new Error('nothing may reach the on-failure destination with unlimited retries');
        },
        backoff: async () => void arrive(),
        now: () => Date.parse('2026-11-23T06:00:00Z'),
      });
    } catch (error) {
      // A failed checkpoint commit or a crash: the worker restarts from the durable checkpoint.
      if (!isWorkerCrash(error) && !(error instanceof Error && error.message.startsWith('chaos:'))) throw error;
      handler = coldStart();
    }
  };

  for (let round = 0; round < 100_000; round++) {
    arrive();
    const busy = lanes.map((_, lane) => lane).filter((lane) => next[lane]! < lanes[lane]!.length);
    if (busy.length === 0 && arrived === records.length) break;
    // Several lanes of the shard in flight at once, interleaving at every await.
    await Promise.all(busy.filter(() => random.next() < 0.8).map(deliverLane));
  }
  expect(next.every((n, lane) => n === lanes[lane]!.length), 'every lane was read to its end').toBe(true);

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
        fc.record({
          seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
          records: fc.integer({ min: 1, max: 90 }),
          devices: fc.integer({ min: 1, max: 6 }),
          parallelization: fc.integer({ min: 1, max: 4 }),
          maxBatch: fc.integer({ min: 1, max: 40 }),
          failure: fc.double({ min: 0, max: 0.45, noNaN: true }),
          bisect: fc.boolean(),
          badEvery: fc.integer({ min: 0, max: 9 }),
        }),
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
