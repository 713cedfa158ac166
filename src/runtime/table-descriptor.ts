import type { TableDescriptor } from '../catalog/catalog.ts';
import type { Job } from '../job/define-job.ts';
import { tableRootKey } from '../partition/object-keys.ts';
import type { ObjectStore } from '../store/object-store.ts';

/**
 * The catalog entry of a job's output table, located in the given store (or anything
 * that maps keys to locations, such as `s3://bucket/<key>`).
 *
 * @example
 * ```ts
 * await catalog.ensureTable(tableDescriptor(job, store));
 * tableDescriptor(job, { locationOf: (key) => `s3://my-bucket/${key}` }).location; // 's3://my-bucket/iot/sensor_readings'
 * ```
 */
export function tableDescriptor(job: Job, store: Pick<ObjectStore, 'locationOf'>): TableDescriptor {
  const { output } = job;
  return {
    database: output.database,
    name: output.name,
    location: store.locationOf(tableRootKey({ prefix: output.prefix, table: output.name })),
    columns: output.dataColumns,
    partitionKeys: output.allPartitionKeys,
    ...(output.projection ? { projected: true } : {}),
  };
}
