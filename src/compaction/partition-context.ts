import type { Catalog, PartitionDescriptor, TableRef } from '../catalog/catalog.ts';
import type { CompactionSettings } from './compaction-settings.ts';
import type { UnitContext } from './write-unit.ts';

/**
 * Everything a partition's compaction works with: a unit's context (store, table shape,
 * merge, memory limits, deadline), the catalog, the run's settings and clock.
 *
 * @example
 * ```ts
 * const context: PartitionContext = { store, catalog, table: { database: 'iot', name: 'sensor_readings' }, columns: job.output.dataColumns,
 *   compression: 'zstd', layout, settings, now, merge: compactionMergeFor(job), limits: UnitLimitDefaults };
 * ```
 */
export interface PartitionContext extends UnitContext {
  readonly catalog: Catalog;
  readonly table: TableRef;
  readonly settings: CompactionSettings;
  /** The run's clock: file ages, hour ends, grace periods and retirement times. */
  readonly now: Date;
}

/**
 * A registered partition and where it lives.
 *
 * @example
 * ```ts
 * const partition: PartitionToCompact = { values: ['2026', '11', '23', '08'], location, path: 'year=2026/month=11/day=23/hour=08',
 *                                          hourEnd: new Date('2026-11-23T09:00:00Z') };
 * ```
 */
export interface PartitionToCompact extends PartitionDescriptor {
  /** Escaped `key=value/...` path. */
  readonly path: string;
  /** When the partition's hour ends. */
  readonly hourEnd: Date;
}

/**
 * A partition whose next generation is planned and waits for its units, then its commit.
 * Plain JSON: the orchestrator passes it from the plan step to the units and the commit.
 *
 * @example
 * ```ts
 * const planned: PlannedPartition = { path, values, hourEnd: '2026-11-23T09:00:00.000Z', generation: 2, planId, units: 3,
 *                                     filesDeleted: 0, waiting: 0, rolledForward: false };
 * ```
 */
export interface PlannedPartition {
  /** Escaped `key=value/...` path. */
  readonly path: string;
  /** The partition's values, in the table's partition key order. */
  readonly values: readonly string[];
  /** When the partition's hour ends (ISO-8601). */
  readonly hourEnd: string;
  /** The generation the units write. */
  readonly generation: number;
  readonly planId: string;
  readonly units: number;
  /** Replaced files the plan step deleted (their grace period was over). */
  readonly filesDeleted: number;
  /** Base files younger than the horizon, left for a later run. */
  readonly waiting: number;
  /** The plan step pointed the catalog at a location a crashed run had committed. */
  readonly rolledForward: boolean;
}
