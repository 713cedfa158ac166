import { mapBounded } from './bounded-concurrency.ts';
import { commitPartitionCompaction } from './commit-partition.ts';
import type { PartitionOutcome } from './compaction-report.ts';
import type { PartitionContext, PartitionToCompact, PlannedPartition } from './partition-context.ts';
import { planPartitionCompaction } from './plan-partition.ts';
import { runUnit, type UnitRef } from './write-unit.ts';

export type { PartitionContext, PartitionToCompact } from './partition-context.ts';

/**
 * The units of a planned partition, as the unit step takes them.
 *
 * @example
 * ```ts
 * await Promise.all(unitsOf(planned).map((unit) => runUnit(context, unit)));
 * ```
 */
export function unitsOf(planned: PlannedPartition): UnitRef[] {
  return Array.from({ length: planned.units }, (_, index) => ({ path: planned.path, generation: planned.generation, index, planId: planned.planId }));
}

/**
 * Compacts one partition in this process, with the same steps a deployed run fans out: the
 * plan ({@link planPartitionCompaction}), every unit ({@link runUnit}, at most `concurrency`
 * at once), then the commit ({@link commitPartitionCompaction}).
 *
 * Readers see the old set of files or the new one, never both or neither, and a crash
 * anywhere leaves the partition readable as before (or as after, past the commit point);
 * the next run finishes or redoes the work, and nothing is merged twice. Not for concurrent
 * runs on one table: one compactor at a time. Rejects with the port's error
 * (`ObjectStoreError`, `CatalogError`) or `CompactionError`.
 *
 * @example
 * ```ts
 * const outcome = await compactPartition(context, { ...partition, path, hourEnd }, { concurrency: 4 });
 * outcome.status; // 'compacted' | 'skipped'
 * ```
 */
export async function compactPartition(context: PartitionContext, partition: PartitionToCompact, options: { readonly concurrency?: number } = {}): Promise<PartitionOutcome> {
  const planned = await planPartitionCompaction(context, partition);
  if (planned.kind === 'done') return planned.outcome;
  await mapBounded(unitsOf(planned.partition), options.concurrency ?? 1, (unit) => runUnit(context, unit));
  return commitPartitionCompaction(context, planned.partition);
}
