/**
 * What the compaction tests share: a job whose rows hold every column kind, batches written
 * through the real batch processor (so base files have the keys and the registration a
 * deployed handler gives them), and ports that fail on the k-th call.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { Catalog } from '../../src/catalog/catalog.ts';
import { LocalCatalog } from '../../src/catalog/local-catalog.ts';
import { ObjectStoreError } from '../../src/errors.ts';
import { defineJob, hourOf, kinesisStream, lowCardinality, table, type RetryOptions } from '../../src/index.ts';
import { createBatchProcessor } from '../../src/runtime/batch-processor.ts';
import { tableDescriptor } from '../../src/runtime/table-descriptor.ts';
import type { StreamRecord } from '../../src/decode/stream-record.ts';
import { LocalFolderStore } from '../../src/store/local-folder-store.ts';
import type { ObjectInfo, ObjectStore, StreamingObjectStore } from '../../src/store/object-store.ts';

const Reading = z.object({
  device_id: z.string(),
  seq: z.number().int(),
  event_time: z.string(),
  temperature: z.number().nullable(),
  ok: z.boolean(),
  position: z.object({ lat: z.number(), lon: z.number(), at: z.string() }).nullable(),
  tags: z.array(z.string()),
  level: z.int32(),
});

const ReadingRow = z.object({
  device_id: lowCardinality(z.string()),
  seq: z.number().int(),
  event_time: z.date(),
  temperature: z.number().nullable(),
  ok: z.boolean(),
  position: z.object({ lat: z.number(), lon: z.number(), at: z.date() }).nullable(),
  tags: z.array(z.string()),
  level: z.int32(),
});

/** A job writing `lab.readings`, whose rows hold every column kind, nullable ones included. */
export function defineReadingsJob(options: { retry: RetryOptions }) {
  return defineJob({
    name: 'compaction-readings',
    source: kinesisStream({ stream: 'readings', records: Reading }),
    steps: (s) =>
      s.map((m) => ({
        ...m,
        event_time: new Date(m.event_time),
        position: m.position === null ? null : { ...m.position, at: new Date(m.position.at) },
      })),
    output: table({ database: 'lab', name: 'readings', rows: ReadingRow, partitionBy: hourOf('event_time') }),
    retry: options.retry,
  });
}

/** The readings job with a retry horizon of 60 s + 15 min. */
export const readingsJob = defineReadingsJob({ retry: { maxRecordAgeSeconds: 60 } });

/** The same table with partition projection, which cannot be compacted. */
export const projectedJob = defineJob({
  name: 'compaction-projected',
  source: kinesisStream({ stream: 'readings', records: ReadingRow }),
  steps: (s) => s,
  output: table({ database: 'lab', name: 'projected', rows: ReadingRow, partitionBy: hourOf('event_time'), projection: { years: { from: 2024, to: 2030 } } }),
});

const encoder = new TextEncoder();

/**
 * `count` readings with event times spread over the given hours (ISO `YYYY-MM-DDTHH`), as
 * consecutive records of one shard from sequence number `first`.
 */
export function readingRecords(options: { hours: readonly string[]; count: number; first: number; shardId?: string }): StreamRecord[] {
  return Array.from({ length: options.count }, (_, i) => {
    const seq = options.first + i;
    const hour = options.hours[i % options.hours.length]!;
    const at = `${hour}:${String(seq % 60).padStart(2, '0')}:${String((seq * 7) % 60).padStart(2, '0')}.${String(seq % 1000).padStart(3, '0')}Z`;
    const document = {
      device_id: `dev-${seq % 5}`,
      seq,
      event_time: at,
      temperature: seq % 7 === 0 ? null : Math.round(seq * 0.37 * 1000) / 1000 - 20,
      ok: seq % 3 !== 0,
      position: seq % 4 === 0 ? null : { lat: 52 + seq / 10_000, lon: 4 - seq / 10_000, at },
      tags: Array.from({ length: seq % 3 }, (_, t) => `t${(seq + t) % 4}`),
      level: (seq % 11) - 5,
    };
    return {
      data: encoder.encode(JSON.stringify(document)),
      shardId: options.shardId ?? 'shardId-000000000000',
      sequenceNumber: String(seq),
      partitionKey: document.device_id,
      arrivalTime: new Date(at),
    };
  });
}

/**
 * Creates the table and writes `batches` batches of `perBatch` records each over `hours`
 * through the batch processor: each batch writes one base file per hour it touches.
 */
export async function seedReadings(
  ports: { store: ObjectStore; catalog: Catalog },
  options: { hours: readonly string[]; batches: number; perBatch: number; first?: number },
): Promise<void> {
  await ports.catalog.ensureTable(tableDescriptor(readingsJob, ports.store));
  const process = createBatchProcessor({ job: readingsJob, store: ports.store, catalog: ports.catalog });
  const first = options.first ?? 1_000;
  for (let b = 0; b < options.batches; b++) {
    await process(readingRecords({ hours: options.hours, count: options.perBatch, first: first + b * options.perBatch }));
  }
}

/** How a faulty call fails: before it takes effect, or after (the caller sees a failure that did happen). */
export const FaultTiming = { Before: 'before', After: 'after' } as const;
export type FaultTiming = (typeof FaultTiming)[keyof typeof FaultTiming];

/** Ports whose k-th call (counting every store and catalog call) fails once. */
export interface FaultyPorts {
  readonly store: StreamingObjectStore;
  readonly catalog: Catalog;
  /** Calls made so far. */
  calls(): number;
  /** Whether the fault has fired. */
  fired(): boolean;
  /** The operations called so far, in order (`put`, `putStream`, `get`, `getRange`, `list`, `delete`, `setPartitionLocations`, ...). */
  operations(): readonly string[];
}

/** The injected failure: an ObjectStoreError, as a real store or catalog outage would surface. */
export class InjectedFault extends ObjectStoreError {
  constructor(call: number) {
    super(`injected failure at call ${call}`);
  }
}

/** Calls that change the store or the catalog: where a reader could see a difference. */
const CHANGES: ReadonlySet<string> = new Set(['put', 'putStream', 'delete', 'ensureTable', 'registerPartitions', 'setPartitionLocations']);

/**
 * Wraps the ports so that call number `failAt` (1-based) fails, before or after it takes
 * effect; `failAt` 0 never fails (for counting calls). `afterChange` runs after every call
 * that changed something took effect (failing or not), to look at the state in between.
 */
export function faultyPorts(
  store: StreamingObjectStore,
  catalog: Catalog,
  options: { failAt: number; timing: FaultTiming; afterChange?: (operation: string, call: number) => Promise<void> },
): FaultyPorts {
  let calls = 0;
  let fired = false;
  const operations: string[] = [];
  const around = async <T>(operation: string, action: () => Promise<T>): Promise<T> => {
    operations.push(operation);
    const call = ++calls;
    const failing = call === options.failAt;
    if (failing && options.timing === FaultTiming.Before) {
      fired = true;
      throw new InjectedFault(call);
    }
    const result = await action();
    if (CHANGES.has(operation)) await options.afterChange?.(operation, call);
    if (failing) {
      fired = true;
      throw new InjectedFault(call);
    }
    return result;
  };
  const listed = (prefix: string): AsyncIterable<ObjectInfo> => ({
    [Symbol.asyncIterator]: async function* () {
      const all = await around('list', async () => {
        const out: ObjectInfo[] = [];
        for await (const info of store.list(prefix)) out.push(info);
        return out;
      });
      yield* all;
    },
  });
  return {
    store: {
      put: (key, body, putOptions) => around('put', () => store.put(key, body, putOptions)),
      putStream: (key, chunks, putOptions) => around('putStream', () => store.putStream(key, chunks, putOptions)),
      get: (key) => around('get', () => store.get(key)),
      getRange: (key, range) => around('getRange', () => store.getRange(key, range)),
      list: listed,
      delete: (keys) => around('delete', () => store.delete(keys)),
      locationOf: (key) => store.locationOf(key),
    },
    catalog: {
      ensureTable: (t) => around('ensureTable', () => catalog.ensureTable(t)),
      registerPartitions: (ref, partitions) => around('registerPartitions', () => catalog.registerPartitions(ref, partitions)),
      setPartitionLocations: (ref, partitions) => around('setPartitionLocations', () => catalog.setPartitionLocations(ref, partitions)),
      getTable: (ref) => around('getTable', () => catalog.getTable(ref)),
      listTables: () => around('listTables', () => catalog.listTables()),
      listPartitions: (ref) => around('listPartitions', () => catalog.listPartitions(ref)),
    },
    calls: () => calls,
    fired: () => fired,
    operations: () => operations,
  };
}

/** A clock far enough ahead that every file written by the test, and every seeded hour, is past the readings job's horizon. */
export const settledClock = (): Date => new Date(Date.now() + 2 * 3_600_000);

/** A local folder store and a local catalog in a temporary folder of their own. */
export interface LocalPorts {
  readonly store: LocalFolderStore;
  readonly catalog: LocalCatalog;
  /** Removes the folder. */
  cleanup(): Promise<void>;
}

/** {@link LocalPorts} in a fresh temporary folder. */
export async function localPorts(): Promise<LocalPorts> {
  const root = await mkdtemp(join(tmpdir(), 'sluice-compaction-'));
  return {
    store: new LocalFolderStore({ root: join(root, 'warehouse') }),
    catalog: new LocalCatalog({ dir: join(root, 'catalog') }),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

/** Every key under a prefix. */
export async function keysUnder(store: ObjectStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of store.list(prefix)) keys.push(info.key);
  return keys;
}
