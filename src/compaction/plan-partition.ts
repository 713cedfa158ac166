import { CompactionError } from '../errors.ts';
import type { ObjectInfo, ObjectStore } from '../store/object-store.ts';
import { parsePlan, planIdOf, serializePlan, serializeUnit, type PlanDocument, type UnitDocument } from './compaction-documents.ts';
import { planPartition, type CompactAction } from './compaction-plan.ts';
import { PartitionStatus, UNCHANGED, type PartitionOutcome } from './compaction-report.ts';
import { parseState, serializeState } from './compaction-state.ts';
import type { PartitionContext, PartitionToCompact, PlannedPartition } from './partition-context.ts';
import { splitByBytes, unitsFor } from './unit-split.ts';

const JSON_TYPE = 'application/json';

/**
 * What planning a partition came to: done already (skipped, nothing to write), or a planned
 * generation whose units are to run.
 *
 * @example
 * ```ts
 * const planned = await planPartitionCompaction(context, partition);
 * if (planned.kind === 'units') await Promise.all(unitsOf(planned.partition).map((unit) => runUnit(context, unit)));
 * ```
 */
export type PartitionPlanResult =
  | { readonly kind: 'done'; readonly outcome: PartitionOutcome }
  | { readonly kind: 'units'; readonly partition: PlannedPartition };

/**
 * The plan step of one partition (see {@link planPartition} for what is merged and what waits):
 *
 * 1. reads the state; if the catalog points elsewhere than the state says, points it there
 *    (a run that crashed after its commit point);
 * 2. deletes the files of retired entries whose grace period is over;
 * 3. skips the partition when nothing is to merge (writing the state when step 2 deleted
 *    something), or cuts the inputs into units: runs of about `targetBytes` input bytes
 *    each (an aggregate table's units merge the partials of their run: `CompactionMerge`);
 * 4. writes each unit's file, then the plan, into the next generation's folder, after
 *    deleting what another plan left there (nothing reads that folder before the commit). A
 *    plan already there with the same id (a run that failed before its commit, same inputs
 *    and settings) is kept, with the units it finished.
 *
 * Nothing a reader sees changes here but the roll-forward. Rejects with the port's error
 * (`ObjectStoreError`, `CatalogError`) or `CompactionError`.
 *
 * @example
 * ```ts
 * const result = await planPartitionCompaction(context, { ...partition, path, hourEnd });
 * ```
 */
export async function planPartitionCompaction(context: PartitionContext, partition: PartitionToCompact): Promise<PartitionPlanResult> {
  const { store, layout, now } = context;
  const stateKey = layout.stateKey(partition.path);
  const state = parseState(await store.get(stateKey), stateKey);
  const baseFolder = `${layout.baseFolder(partition.path)}/`;
  const baseFiles = (await listAll(store, baseFolder)).filter((f) => f.key.endsWith('.parquet') && !f.key.slice(baseFolder.length).includes('/'));
  const compactedFiles = (await listAll(store, `${layout.partitionFolder(partition.path)}/`)).filter((f) => f.key !== stateKey);
  const plan = planPartition({
    snapshot: { path: partition.path, hourEnd: partition.hourEnd, catalogLocation: partition.location, state, baseFiles, compactedFiles },
    layout,
    settings: context.settings,
    now,
  });

  if (plan.rollForward !== undefined) await context.catalog.setPartitionLocations(context.table, [{ values: partition.values, location: plan.rollForward }]);
  if (plan.expired.length > 0) await store.delete(plan.expired);
  // Counted as the files readers had: the data files, not the plans and receipts beside them.
  const facts = { filesDeleted: plan.expired.filter((key) => key.endsWith('.parquet')).length, waiting: plan.action.waiting, rolledForward: plan.rollForward !== undefined };
  if (plan.action.kind === 'skip') {
    // Forget the deleted files; a crash before this only means deleting them again next time.
    if (state !== undefined && plan.expired.length > 0) await store.put(stateKey, serializeState({ ...state, retired: plan.retired }), { contentType: JSON_TYPE });
    return {
      kind: 'done',
      outcome: { partition: partition.path, status: PartitionStatus.Skipped, reason: plan.action.reason, generation: state?.generation ?? 0, ...UNCHANGED, ...facts },
    };
  }
  const document = planDocument(context, partition, plan.action, state?.generation ?? 0);
  await writePlan(context, partition, plan.action, document);
  return {
    kind: 'units',
    partition: {
      path: partition.path,
      values: partition.values,
      hourEnd: partition.hourEnd.toISOString(),
      generation: document.plan.generation,
      planId: document.plan.planId,
      units: document.plan.units,
      ...facts,
    },
  };
}

interface PlannedDocuments {
  readonly plan: PlanDocument;
  readonly units: readonly UnitDocument[];
}

/** The plan and its units: runs of about `targetBytes` of the inputs laid end to end. */
function planDocument(context: PartitionContext, partition: PartitionToCompact, action: CompactAction, baseGeneration: number): PlannedDocuments {
  const { layout, merge, settings, limits } = context;
  const inputs = action.inputs.map((file) => ({ key: file.key, size: file.size }));
  const units = unitsFor(inputs.reduce((total, input) => total + input.size, 0), settings.targetBytes);
  const body = { generation: action.generation, baseGeneration, inputs, retire: action.retire, units, merged: merge !== undefined };
  const outputShape = JSON.stringify({ columns: context.columns, compression: context.compression, rowGroupRows: limits.rowGroupRows, mergeRows: limits.mergeRows });
  const plan: PlanDocument = { planId: planIdOf(body, outputShape), ...body };
  return {
    plan,
    units: splitByBytes(inputs, units).map((slices, index) => ({
      planId: plan.planId,
      index,
      output: layout.partKey(partition.path, action.generation, index),
      slices,
      merge: merge !== undefined,
    })),
  };
}

/**
 * Writes the plan into the new generation's folder, keeping one with the same id that is
 * already there: its finished units stay finished.
 */
async function writePlan(context: PartitionContext, partition: PartitionToCompact, action: CompactAction, documents: PlannedDocuments): Promise<void> {
  const { store, layout } = context;
  const planKey = layout.planKey(partition.path, action.generation);
  if (action.stale.includes(planKey)) {
    const existing = await existingPlan(store, planKey);
    if (existing?.planId === documents.plan.planId) return;
  }
  // Nothing reads the new generation's folder before the commit point: another plan's files are safe to drop.
  if (action.stale.length > 0) await store.delete(action.stale);
  for (const unit of documents.units) await store.put(layout.unitKey(partition.path, action.generation, unit.index), serializeUnit(unit), { contentType: JSON_TYPE });
  // Last: a plan that exists has all its units.
  await store.put(planKey, serializePlan(documents.plan), { contentType: JSON_TYPE });
}

/** A plan in the folder, or `undefined` when the file is not one: it is dropped and planned anew. */
async function existingPlan(store: ObjectStore, key: string): Promise<PlanDocument | undefined> {
  try {
    return parsePlan(await store.get(key), key);
  } catch (error) {
    if (error instanceof CompactionError) return undefined;
    throw error;
  }
}

async function listAll(store: ObjectStore, prefix: string): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const info of store.list(prefix)) out.push(info);
  return out;
}
