import path from 'node:path';
import type { Catalog } from '../../catalog/catalog.ts';
import { compactedRootKey } from '../../compaction/compaction-layout.ts';
import type { Job } from '../../job/define-job.ts';
import { partitionPath } from '../../partition/hive-escape.ts';
import { tableRootKey } from '../../partition/object-keys.ts';
import type { ObjectStore } from '../../store/object-store.ts';

/**
 * The Parquet files of one partition of a table: those in the folder readers read (the
 * registered location: the base folder, or a compacted generation), and base files written
 * since that partition was compacted, which wait for the next compaction.
 *
 * @example
 * ```ts
 * const p: PartitionFiles = { path: 'year=2026/month=11/day=23/hour=08', registered: true, compacted: false,
 *   files: 27, bytes: 312_000, smallFiles: 27, waitingFiles: 0 };
 * ```
 */
export interface PartitionFiles {
  /** The escaped `key=value/...` path. */
  readonly path: string;
  /** In the catalog: readers see it. A written partition is registered right after its first file. */
  readonly registered: boolean;
  /** The catalog points at a compacted generation, not at the base folder. */
  readonly compacted: boolean;
  readonly files: number;
  readonly bytes: number;
  /**
   * Files below the small-file threshold in a partition of more than one file: what compaction
   * would merge (counted as `sluice status` counts them).
   */
  readonly smallFiles: number;
  /** Base files not in the folder readers read (written after a compaction of this partition). */
  readonly waitingFiles: number;
}

/**
 * A table's partitions and their files.
 *
 * @example
 * ```ts
 * const t: TableFiles = { table: 'iot.sensor_readings', smallFileBytes: 134217728, partitions: [], files: 0, bytes: 0, smallFiles: 0 };
 * ```
 */
export interface TableFiles {
  readonly table: string;
  readonly smallFileBytes: number;
  /** By path. */
  readonly partitions: PartitionFiles[];
  readonly files: number;
  readonly bytes: number;
  readonly smallFiles: number;
}

interface Folder {
  files: number;
  bytes: number;
  smallFiles: number;
}

/**
 * Lists a job's table through the object store, grouped by partition, and counts the files
 * smaller than `smallFileBytes` (the compaction target: compaction would merge them).
 *
 * @example
 * ```ts
 * const files = await partitionFiles({ job, store: env.store, catalog: env.catalog, smallFileBytes: CompactionDefaults.targetBytes });
 * files.smallFiles; // 27
 * ```
 */
export async function partitionFiles(options: { job: Job; store: ObjectStore; catalog: Catalog; smallFileBytes: number }): Promise<TableFiles> {
  const { job, store, smallFileBytes } = options;
  const keys = { prefix: job.output.prefix, table: job.output.name };
  const baseRoot = tableRootKey(keys);
  const compactedRoot = compactedRootKey(keys);
  const folders = new Map<string, Folder>();
  for (const root of [baseRoot, compactedRoot]) {
    for await (const object of store.list(`${root}/`)) {
      if (!object.key.endsWith('.parquet')) continue;
      const folderKey = path.posix.dirname(object.key);
      let folder = folders.get(folderKey);
      if (!folder) folders.set(folderKey, (folder = { files: 0, bytes: 0, smallFiles: 0 }));
      folder.files += 1;
      folder.bytes += object.size;
      if (object.size < smallFileBytes) folder.smallFiles += 1;
    }
  }
  // The folder a registered partition is read from is the one whose location the catalog holds.
  const folderByLocation = new Map([...folders.keys()].map((key) => [path.resolve(store.locationOf(key)), key] as const));
  const ref = { database: job.output.database, name: job.output.name };
  const table = await options.catalog.getTable(ref);
  const registered = table && !table.projected ? await options.catalog.listPartitions(ref) : [];

  const partitions = new Map<string, PartitionFiles>();
  const empty = { files: 0, bytes: 0, smallFiles: 0 };
  for (const partition of registered) {
    const partPath = partitionPath(job.output.allPartitionKeys.map((key, i) => [key, partition.values[i] ?? null] as const));
    const baseKey = `${baseRoot}/${partPath}`;
    const readKey = isLocalPath(partition.location) ? folderByLocation.get(path.resolve(partition.location)) : undefined;
    const compacted = readKey !== undefined && readKey !== baseKey;
    const read = (readKey === undefined ? undefined : folders.get(readKey)) ?? empty;
    partitions.set(partPath, {
      path: partPath,
      registered: true,
      compacted,
      ...counted(read),
      waitingFiles: compacted ? (folders.get(baseKey)?.files ?? 0) : 0,
    });
  }
  // Base folders with no registered partition: just written (registration follows), or a projected table.
  for (const [key, folder] of folders) {
    if (!key.startsWith(`${baseRoot}/`)) continue;
    const partPath = key.slice(baseRoot.length + 1);
    if (!partitions.has(partPath)) partitions.set(partPath, { path: partPath, registered: Boolean(table?.projected), compacted: false, ...counted(folder), waitingFiles: 0 });
  }
  const sorted = [...partitions.values()].sort((a, b) => a.path.localeCompare(b.path));
  return {
    table: `${job.output.database}.${job.output.name}`,
    smallFileBytes,
    partitions: sorted,
    files: sorted.reduce((n, p) => n + p.files, 0),
    bytes: sorted.reduce((n, p) => n + p.bytes, 0),
    smallFiles: sorted.reduce((n, p) => n + p.smallFiles, 0),
  };
}

/** A lone file is as compacted as its partition gets, however small. */
function counted(folder: Folder): Folder {
  return { ...folder, smallFiles: folder.files > 1 ? folder.smallFiles : 0 };
}

/** A catalog location on this machine (the local catalog), not a URI such as `s3://...`. */
function isLocalPath(location: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:\/\//i.test(location);
}
