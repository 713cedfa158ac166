import type { TableDescriptor } from '../catalog/catalog.ts';
import type { Job } from '../job/define-job.ts';
import { tableRootKey } from '../partition/object-keys.ts';
import type { ObjectStore } from '../store/object-store.ts';

/**
 * The catalog entry of a job's output table, located in the given store.
 *
 * @example
 * ```ts
 * await catalog.ensureTable(tableDescriptor(job, store));
 * ```
 */
export function tableDescriptor(job: Job, store: ObjectStore): TableDescriptor {
  const { output } = job;
  return {
    database: output.database,
    name: output.name,
    location: store.locationOf(tableRootKey({ prefix: output.prefix, table: output.name })),
    columns: output.dataColumns,
    partitionKeys: output.allPartitionKeys,
  };
}
