import type { Catalog, PartitionDescriptor, TableDescriptor, TableRef } from '../catalog/catalog.ts';
import { MemoryObjectStore } from '../store/memory-object-store.ts';

/**
 * What a handler test gives `createKinesisHandler(job, { adapters })` instead of S3 and Glue,
 * and reads back afterwards: objects and partitions held in memory, nothing on disk or the network.
 *
 * @example
 * ```ts
 * const adapters = memoryAdapters();
 * const handler = createKinesisHandler(job, { adapters: () => adapters });
 * await handler(kinesisEvent(streamRecords([reading]), { stream: job.source.stream }));
 * await adapters.objectKeys(); // ['telemetry/readings/year=2026/.../shardId-000000000000-4965....parquet']
 * adapters.partitions;         // ['telemetry.readings year=2026/month=11/day=23/hour=08']
 * ```
 */
export interface MemoryAdapters {
  /** The object store the handler writes Parquet and reject files to. */
  readonly store: MemoryObjectStore;
  /** A catalog that accepts every table and keeps the partitions registered with it. */
  readonly catalog: Catalog;
  /** Every partition registered, as `<database>.<table> <key=value/...>`, in the order registered (repeats kept). */
  readonly partitions: readonly string[];
  /** Every object key in the store, sorted. */
  objectKeys(): Promise<string[]>;
}

/**
 * An in-memory object store and catalog for handler tests.
 *
 * @example
 * ```ts
 * import { createKinesisHandler } from 'sluice/lambda';
 * import { kinesisEvent, memoryAdapters, streamRecords } from 'sluice/testing';
 *
 * const adapters = memoryAdapters();
 * const answer = await createKinesisHandler(job, { adapters: () => adapters })(kinesisEvent(streamRecords([reading])));
 * // answer: { batchItemFailures: [] }; adapters.objectKeys() lists the files it wrote
 * ```
 */
export function memoryAdapters(): MemoryAdapters {
  const store = new MemoryObjectStore();
  const tables = new Map<string, TableDescriptor>();
  const registered = new Map<string, PartitionDescriptor[]>();
  const partitions: string[] = [];
  const nameOf = (ref: TableRef): string => `${ref.database}.${ref.name}`;
  // The partition's Hive path is the end of its location: one `key=value` segment per value.
  const pathOf = (partition: PartitionDescriptor): string => partition.location.replace(/\/+$/, '').split('/').slice(-partition.values.length).join('/');
  const remember = (ref: TableRef, given: readonly PartitionDescriptor[], replace: boolean): void => {
    const known = registered.get(nameOf(ref)) ?? [];
    for (const partition of given) {
      const at = known.findIndex((p) => p.values.join('\u0000') === partition.values.join('\u0000'));
      if (at < 0) known.push(partition);
      else if (replace) known[at] = partition;
      partitions.push(`${nameOf(ref)} ${pathOf(partition)}`);
    }
    registered.set(nameOf(ref), known);
  };
  const catalog: Catalog = {
    ensureTable: async (table) => void tables.set(nameOf(table), table),
    registerPartitions: async (ref, given) => remember(ref, given, false),
    setPartitionLocations: async (ref, given) => remember(ref, given, true),
    getTable: async (ref) => tables.get(nameOf(ref)),
    listTables: async () => [...tables.values()],
    listPartitions: async (ref) => [...(registered.get(nameOf(ref)) ?? [])],
  };
  return {
    store,
    catalog,
    partitions,
    objectKeys: async () => {
      const keys: string[] = [];
      for await (const object of store.list('')) keys.push(object.key);
      return keys.sort();
    },
  };
}
