import { compactionMergeFor } from '../aggregate/compaction-merge.ts';
import type { Catalog, PartitionDescriptor } from '../catalog/catalog.ts';
import { CompactionError } from '../errors.ts';
import type { Job } from '../job/define-job.ts';
import { partitionPath } from '../partition/hive-escape.ts';
import type { StreamingObjectStore } from '../store/object-store.ts';
import { compactionLayout } from './compaction-layout.ts';
import { compactionSettings, type CompactionSettings } from './compaction-settings.ts';
import type { PartitionContext, PartitionToCompact } from './partition-context.ts';
import { UnitLimitDefaults, type UnitLimits } from './unit-limits.ts';

const HOUR_MS = 3_600_000;

/**
 * What a run of compaction on one job's table is given.
 *
 * @example
 * ```ts
 * const options: TableContextOptions = { job, store, catalog, now: new Date(), targetBytes: 64 * 1024 * 1024 };
 * ```
 */
export interface TableContextOptions extends Partial<CompactionSettings> {
  readonly job: Job;
  readonly store: StreamingObjectStore;
  readonly catalog: Catalog;
  /** The run's clock: file ages, hour ends and grace periods are measured against it. */
  readonly now: Date;
  /** Memory limits of each unit; the defaults unless given. */
  readonly limits?: Partial<UnitLimits>;
  /** Once aborted, units complete no more writes and commits stop (a run past its deadline). */
  readonly deadline?: AbortSignal;
}

/**
 * The context every step of a run on the job's table works with. Throws `CompactionError`
 * for a table that cannot be compacted (partition projection) or settings out of range.
 *
 * @example
 * ```ts
 * const context = tableContext({ job, store, catalog, now: new Date() });
 * ```
 */
export function tableContext(options: TableContextOptions): PartitionContext {
  const { job } = options;
  if (job.output.projection !== undefined) {
    throw new CompactionError(
      `cannot compact ${job.output.database}.${job.output.name} (job '${job.name}'): it uses partition projection, so Athena computes every partition's ` +
        `location from a template (the folders batches write to) and there is no per-partition location to swap to compacted ` +
        `files; remove \`projection\` from the table (partitions are then registered as they appear) to compact it`,
    );
  }
  return {
    store: options.store,
    catalog: options.catalog,
    table: { database: job.output.database, name: job.output.name },
    columns: job.output.dataColumns,
    compression: job.output.compression,
    layout: compactionLayout({ prefix: job.output.prefix, table: job.output.name }),
    settings: compactionSettings(job, options),
    now: options.now,
    merge: compactionMergeFor(job),
    limits: { ...UnitLimitDefaults, ...options.limits },
    signal: options.deadline,
  };
}

/**
 * The table's registered partitions in a stable order, each with its path and the end of
 * its hour. Rejects with the catalog's error when they cannot be listed, and with
 * `CompactionError` for a partition whose values are not an hour sluice registered.
 *
 * @example
 * ```ts
 * for (const partition of await partitionsToCompact(job, catalog)) await compactPartition(context, partition);
 * ```
 */
export async function partitionsToCompact(job: Job, catalog: Catalog): Promise<PartitionToCompact[]> {
  const table = { database: job.output.database, name: job.output.name };
  const keys = job.output.allPartitionKeys;
  const partitions = [...(await catalog.listPartitions(table))].sort((a, b) => compareValues(a.values, b.values));
  return partitions.map((partition) => ({
    ...partition,
    path: partitionPath(keys.map((key, i) => [key, partition.values[i] ?? null] as const)),
    hourEnd: hourEndOf(keys, partition),
  }));
}

/** The end of the partition's UTC hour, from its year, month, day and hour values; an invalid date when they are not numbers. */
function hourEndOf(keys: readonly string[], partition: PartitionDescriptor): Date {
  const value = (key: string) => Number(partition.values[keys.indexOf(key)]);
  const start = Date.UTC(value('year'), value('month') - 1, value('day'), value('hour'));
  return new Date(Number.isFinite(start) ? start + HOUR_MS : Number.NaN);
}

/**
 * Throws the `CompactionError` of a partition whose hour cannot be read (not registered by
 * sluice); a run reports it as failed and goes on with the others.
 *
 * @example
 * ```ts
 * assertHour(table, partition);
 * ```
 */
export function assertHour(table: string, partition: PartitionToCompact): void {
  if (!Number.isFinite(partition.hourEnd.getTime())) {
    throw new CompactionError(
      `partition (${partition.values.join(', ')}) of ${table} has no hour sluice can read from its year, month, day and hour values; ` +
        `it was not registered by sluice: leave it out of the table, or fix its values`,
    );
  }
}

function compareValues(a: readonly string[], b: readonly string[]): number {
  const left = JSON.stringify(a);
  const right = JSON.stringify(b);
  return left < right ? -1 : left > right ? 1 : 0;
}
