import type { Catalog, PartitionDescriptor, TableDescriptor, TableRef } from '../src/catalog/catalog.ts';

/**
 * A catalog that accepts everything and remembers nothing. The bench measures sluice's own
 * work (decode, steps, Arrow, Parquet, writes); a real catalog's round trip to Glue is a
 * network cost that a laptop cannot measure honestly, and it happens once per new hour, not
 * per batch, because the batch processor remembers what it registered.
 */
export const noopCatalog: Catalog = {
  ensureTable: async (_table: TableDescriptor): Promise<void> => undefined,
  registerPartitions: async (_ref: TableRef, _partitions: readonly PartitionDescriptor[]): Promise<void> => undefined,
  setPartitionLocations: async (_ref: TableRef, _partitions: readonly PartitionDescriptor[]): Promise<void> => undefined,
  getTable: async (_ref: TableRef): Promise<TableDescriptor | undefined> => undefined,
  listTables: async (): Promise<TableDescriptor[]> => [],
  listPartitions: async (_ref: TableRef): Promise<PartitionDescriptor[]> => [],
};
