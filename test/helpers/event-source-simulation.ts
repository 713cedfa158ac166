/**
 * A simulated Kinesis event source mapping driving the real Lambda handler: records keep
 * arriving, batches have random boundaries, every step of the commit protocol fails at
 * random (before or after taking effect), workers die and restart from the durable
 * checkpoint, bisection splits failing batches, and several batches of one shard run at
 * once (parallelization factor; records of one partition key stay in order). Shared by
 * the exactly-once property tests of plain and aggregate jobs.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import type { Catalog, PartitionDescriptor, TableDescriptor } from '../../src/catalog/catalog.ts';
import type { Job } from '../../src/job/define-job.ts';
import { Chaos, ChaosStep, chaoticCatalog, chaoticStore, isWorkerCrash } from '../../src/runtime/chaos.ts';
import { deliverBatch } from '../../src/runtime/event-source-mapping.ts';
import { eventOfRecords } from '../../src/runtime/lambda/kinesis-event.ts';
import { createKinesisHandler } from '../../src/runtime/lambda/kinesis-handler.ts';
import { MemoryObjectStore } from '../../src/store/memory-object-store.ts';
import type { StreamRecord } from '../../src/decode/stream-record.ts';
import { SeededRandom } from '../../src/cli/simulate/seeded-random.ts';

const SOURCE = { streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/iot-sensor', region: 'us-east-1', functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:sensor-readings' };

/** A catalog double that only remembers partitions (registration is part of the protocol, not of the check). */
class MemoryCatalog implements Catalog {
  readonly partitions = new Set<string>();
  async ensureTable(): Promise<void> {}
  async registerPartitions(_ref: unknown, partitions: readonly PartitionDescriptor[]): Promise<void> {
    for (const p of partitions) this.partitions.add(p.values.join('/'));
  }
  async setPartitionLocations(_ref: unknown, partitions: readonly PartitionDescriptor[]): Promise<void> {
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

/** The store as seen through a different key naming, to show a property catches a broken rule. */
function renaming(store: MemoryObjectStore, renameKey?: (key: string) => string): MemoryObjectStore {
  if (!renameKey) return store;
  return Object.assign(Object.create(store) as MemoryObjectStore, { put: (key: string, body: Uint8Array) => store.put(renameKey(key), body) });
}

/** Stable hash of a partition key to one of the shard's concurrent lanes (as the mapping keeps per-key order). */
const laneOf = (partitionKey: string, lanes: number): number => {
  let h = 0;
  for (const ch of partitionKey) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h % lanes;
};

/** One random run of a property test: the input's shape and how its delivery goes wrong. */
export interface Scenario {
  readonly seed: number;
  /** How many records the shard holds. */
  readonly records: number;
  readonly devices: number;
  readonly parallelization: number;
  readonly maxBatch: number;
  readonly failure: number;
  readonly bisect: boolean;
  /** Every n-th record is not JSON (0: none). */
  readonly badEvery: number;
}

/** Random scenarios: at most `records` records from `devices` devices, each commit step failing with probability up to `failure`. */
export const scenarios = (limits: { readonly records: number; readonly devices: number; readonly failure: number }): fc.Arbitrary<Scenario> =>
  fc.record({
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    records: fc.integer({ min: 1, max: limits.records }),
    devices: fc.integer({ min: 1, max: limits.devices }),
    parallelization: fc.integer({ min: 1, max: 4 }),
    maxBatch: fc.integer({ min: 1, max: 40 }),
    failure: fc.double({ min: 0, max: limits.failure, noNaN: true }),
    bisect: fc.boolean(),
    badEvery: fc.integer({ min: 0, max: 9 }),
  });

export interface SimulationOptions {
  readonly job: Job;
  /** One shard's records, in sequence order. */
  readonly records: readonly StreamRecord[];
  readonly seed: number;
  readonly parallelization: number;
  readonly maxBatch: number;
  /** Probability that each commit step fails or the worker dies. */
  readonly failure: number;
  readonly bisect: boolean;
  /** A deliberately broken key rule, to show the property fails. */
  readonly renameKey?: (key: string) => string;
}

/** Delivers every record through the real handler until each lane's checkpoint is at its end; returns what was written. */
export async function simulateDeliveries(options: SimulationOptions): Promise<MemoryObjectStore> {
  const { records } = options;
  const random = new SeededRandom(options.seed);
  const chaos = new Chaos({ probability: options.failure, random: () => random.next() });
  const store = new MemoryObjectStore();
  const catalog = new MemoryCatalog();
  const lanes = Array.from({ length: options.parallelization }, (_, lane) => records.filter((r) => laneOf(r.partitionKey, options.parallelization) === lane));
  /** Durable checkpoint per lane: index of the next record to deliver. */
  const next = lanes.map(() => 0);
  let arrived = Math.max(1, Math.floor(records.length / 4));
  const arrive = () => (arrived = Math.min(records.length, arrived + 1 + Math.floor(random.next() * 8)));
  const isArrived = (r: StreamRecord) => records.indexOf(r) < arrived;
  let handler = coldStart();

  function coldStart() {
    return createKinesisHandler(options.job, {
      adapters: () => ({ store: chaoticStore(renaming(withLatency(store, random), options.renameKey), chaos), catalog: chaoticCatalog(catalog, chaos) }),
      onError: () => undefined,
    });
  }

  const deliverLane = async (lane: number): Promise<void> => {
    const pending = lanes[lane]!.slice(next[lane]).filter(isArrived);
    if (pending.length === 0) return;
    const batch = pending.slice(0, 1 + Math.floor(random.next() * options.maxBatch));
    try {
      await deliverBatch(batch, { maxAttempts: -1, maxRecordAgeSeconds: -1, bisectOnError: options.bisect }, {
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
  return store;
}
