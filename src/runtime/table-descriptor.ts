import { TableFormat, type Catalog, type TableDescriptor } from '../catalog/catalog.ts';
import { REJECT_COLUMNS, rejectsTableName } from '../format/rejects-table.ts';
import { TIME_PARTITION_KEYS } from '../partition/time-partition.ts';
import type { Job } from '../job/define-job.ts';
import { rejectsRootKey, tableRootKey } from '../partition/object-keys.ts';
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

/**
 * The catalog entry of a job's rejects, `<table>_rejects`: JSON lines under
 * `<prefix>/_rejects/<table>/`, partitioned by arrival hour, so rejects are queried like any
 * table (`SELECT stage, count(*) FROM iot.sensor_readings_rejects GROUP BY 1`).
 *
 * @example
 * ```ts
 * await catalog.ensureTable(rejectsTableDescriptor(job, store));
 * rejectsTableDescriptor(job, store).name; // 'sensor_readings_rejects'
 * ```
 */
export function rejectsTableDescriptor(job: Job, store: Pick<ObjectStore, 'locationOf'>): TableDescriptor {
  const { output } = job;
  return {
    database: output.database,
    name: rejectsTableName(output.name),
    location: store.locationOf(rejectsRootKey({ prefix: output.prefix, table: output.name })),
    columns: REJECT_COLUMNS,
    partitionKeys: TIME_PARTITION_KEYS,
    format: TableFormat.JsonLines,
  };
}

/**
 * Makes sure the catalog has the job's table and its rejects table, as a run needs them
 * (a deployed job's stack declares both).
 *
 * @example
 * ```ts
 * await ensureJobTables(catalog, job, store);
 * ```
 */
export async function ensureJobTables(catalog: Pick<Catalog, 'ensureTable'>, job: Job, store: Pick<ObjectStore, 'locationOf'>): Promise<void> {
  await catalog.ensureTable(tableDescriptor(job, store));
  await catalog.ensureTable(rejectsTableDescriptor(job, store));
}
