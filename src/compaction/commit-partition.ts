import { CompactionError } from '../errors.ts';
import type { ObjectInfo } from '../store/object-store.ts';
import { parsePlan, parseReceipt, type PlanDocument, type UnitReceipt } from './compaction-documents.ts';
import { PartitionStatus, type PartitionOutcome } from './compaction-report.ts';
import { parseState, serializeState, type CompactionState } from './compaction-state.ts';
import type { PartitionContext, PlannedPartition } from './partition-context.ts';

/**
 * The commit step of one planned partition, once all its units have run:
 *
 * 1. checks the plan in the generation's folder is the one planned, and that the state is
 *    still at the generation the plan replaces (or already at the plan's: a retried commit);
 * 2. checks every unit's receipt names the plan and its output is there, at the size written;
 * 3. commit point: writes the state with the new generation and location, the plan's inputs
 *    (and the replaced generation's plan and units) retired at the run's time;
 * 4. points the catalog at the new generation's folder.
 *
 * Readers see the old set of files or the new one, never both or neither: the catalog moves
 * from one folder to the other in one call, and replaced files stay until the grace period
 * is over. Idempotent: a commit repeated after step 3 only makes sure of step 4. Rejects with
 * `CompactionError` when a check fails (nothing changed: the next run redoes what is
 * missing), or with the port's error.
 *
 * @example
 * ```ts
 * const outcome = await commitPartitionCompaction(context, planned);
 * outcome.status; // 'compacted'
 * ```
 */
export async function commitPartitionCompaction(context: PartitionContext, planned: PlannedPartition): Promise<PartitionOutcome> {
  const { store, layout } = context;
  const stateKey = layout.stateKey(planned.path);
  const baseFolder = `${layout.baseFolder(planned.path)}/`;
  const planKey = layout.planKey(planned.path, planned.generation);
  const plan = parsePlan(await store.get(planKey), planKey);
  if (plan?.planId !== planned.planId) {
    throw new CompactionError(
      `generation ${planned.generation} of ${planned.path} was planned again by another run before this one committed it; ` +
        `nothing was changed: run one compactor at a time, and the next run compacts the partition`,
    );
  }
  const state = parseState(await store.get(stateKey), stateKey);
  const committed = state?.generation ?? 0;
  if (committed !== plan.baseGeneration && committed !== plan.generation) {
    throw new CompactionError(
      `${planned.path} is at generation ${committed}, not ${plan.baseGeneration} as when generation ${plan.generation} was planned: ` +
        `another run compacted it meanwhile; nothing was changed, the next run compacts what is new`,
    );
  }
  const receipts = await finishedUnits(context, planned, plan);
  const location = store.locationOf(layout.generationFolder(planned.path, plan.generation));
  if (committed === plan.baseGeneration) {
    context.signal?.throwIfAborted();
    const isExpired = (retiredAt: Date) => retiredAt.getTime() + context.settings.graceMs <= context.now.getTime();
    // The plan step deleted the expired entries' files: they are forgotten at this commit.
    const next: CompactionState = {
      generation: plan.generation,
      location,
      retired: [...(state?.retired ?? []).filter((entry) => !isExpired(entry.retiredAt)), { keys: plan.retire, retiredAt: context.now }],
      merged: [...(state?.merged ?? []), ...plan.inputs.map((input) => input.key).filter((key) => key.startsWith(baseFolder))],
    };
    await store.put(stateKey, serializeState(next), { contentType: 'application/json' });
  }
  await context.catalog.setPartitionLocations(context.table, [{ values: planned.values, location }]);
  const sum = (pick: (receipt: UnitReceipt) => number) => receipts.reduce((total, receipt) => total + pick(receipt), 0);
  return {
    partition: planned.path,
    status: PartitionStatus.Compacted,
    generation: plan.generation,
    filesBefore: plan.inputs.length,
    bytesBefore: plan.inputs.reduce((total, input) => total + input.size, 0),
    filesAfter: receipts.filter((receipt) => receipt.output !== null).length,
    bytesAfter: sum((receipt) => receipt.bytes),
    rowsBefore: sum((receipt) => receipt.rowsIn),
    rowsAfter: sum((receipt) => receipt.rowsOut),
    filesDeleted: planned.filesDeleted,
    waiting: planned.waiting,
    rolledForward: planned.rolledForward,
  };
}

/** Every unit's receipt, each checked against the plan and the outputs listed in the folder. */
async function finishedUnits(context: PartitionContext, planned: PlannedPartition, plan: PlanDocument): Promise<UnitReceipt[]> {
  const { store, layout } = context;
  const listed = new Map<string, ObjectInfo>();
  for await (const info of store.list(`${layout.generationFolder(planned.path, plan.generation)}/`)) listed.set(info.key, info);
  const receipts: UnitReceipt[] = [];
  for (let index = 0; index < plan.units; index++) {
    const key = layout.receiptKey(planned.path, plan.generation, index);
    const receipt = listed.has(key) ? parseReceipt(await store.get(key), key) : undefined;
    const output = receipt?.output === null || receipt === undefined ? undefined : listed.get(receipt.output);
    const written = receipt !== undefined && receipt.planId === plan.planId && (receipt.output === null || output?.size === receipt.bytes);
    if (!written) {
      throw new CompactionError(
        `unit ${index} of generation ${plan.generation} of ${planned.path} is not written (${receipt === undefined ? 'no receipt' : 'its output does not match its receipt'}): ` +
          `the partition was not committed and stays readable as before; the next run writes the missing units`,
      );
    }
    receipts.push(receipt);
  }
  return receipts;
}
