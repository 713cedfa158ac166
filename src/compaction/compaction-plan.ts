import type { ObjectInfo } from '../store/object-store.ts';
import { isDataFileOf, type CompactionLayout } from './compaction-layout.ts';
import type { CompactionSettings } from './compaction-settings.ts';
import type { CompactionState, RetiredEntry } from './compaction-state.ts';

/**
 * Why a partition was left as it is.
 *
 * @example
 * ```ts
 * if (plan.action.kind === 'skip' && plan.action.reason === SkipReason.HourWithinHorizon) ...
 * ```
 */
export const SkipReason = {
  /** The hour ended less than the horizon ago: retries may still add or rewrite files. */
  HourWithinHorizon: 'hour-within-horizon',
  /** Every base file not merged yet is younger than the horizon (late data): it waits for a later run. */
  FilesWithinHorizon: 'files-within-horizon',
  /** No base file that is not merged already: the partition is compacted. */
  NothingNew: 'nothing-new',
} as const;
export type SkipReason = (typeof SkipReason)[keyof typeof SkipReason];

/**
 * What a run knows about one partition before it changes anything: all of it read from the
 * store and the catalog, with the run's clock.
 *
 * @example
 * ```ts
 * const snapshot: PartitionSnapshot = { path, hourEnd, catalogLocation, state, baseFiles, compactedFiles };
 * ```
 */
export interface PartitionSnapshot {
  /** Escaped `key=value/...` path. */
  readonly path: string;
  /** When the partition's hour ends (UTC). */
  readonly hourEnd: Date;
  /** Where the catalog points the partition now. */
  readonly catalogLocation: string;
  /** The state file's content; `undefined` when there is none (never compacted). */
  readonly state: CompactionState | undefined;
  /** Parquet files directly in the base folder. */
  readonly baseFiles: readonly ObjectInfo[];
  /** Files under the partition's compaction folder, the state file excepted. */
  readonly compactedFiles: readonly ObjectInfo[];
}

/**
 * Compact: merge `inputs` into generation `generation`.
 *
 * @example
 * ```ts
 * const action: CompactAction = { kind: 'compact', generation: 2, inputs, consumed, retire, stale: [], waiting: 0 };
 * ```
 */
export interface CompactAction {
  readonly kind: 'compact';
  /** The generation to write. */
  readonly generation: number;
  /** The current generation's data files, then the base files consumed, each in key order. */
  readonly inputs: readonly ObjectInfo[];
  /** The base files among `inputs`. */
  readonly consumed: readonly ObjectInfo[];
  /** What the commit retires: the inputs, and the current generation's plan and units. */
  readonly retire: readonly string[];
  /** Keys already in the new generation's folder: left by an earlier attempt, unread by anyone. */
  readonly stale: readonly string[];
  /** Base files left for a later run (younger than the horizon). */
  readonly waiting: number;
}

/**
 * Leave the partition as it is.
 *
 * @example
 * ```ts
 * const action: SkipAction = { kind: 'skip', reason: SkipReason.NothingNew, waiting: 0 };
 * ```
 */
export interface SkipAction {
  readonly kind: 'skip';
  readonly reason: SkipReason;
  readonly waiting: number;
}

/**
 * What a run does to one partition, in this order: roll the catalog forward, delete expired
 * retired files, then compact or skip.
 *
 * @example
 * ```ts
 * const plan = planPartition({ snapshot, layout, settings, now });
 * if (plan.rollForward !== undefined) await catalog.setPartitionLocations(ref, [{ values, location: plan.rollForward }]);
 * ```
 */
export interface PartitionPlan {
  /** The location the catalog must get first: a previous run committed it but crashed before the swap. */
  readonly rollForward: string | undefined;
  /** Keys to delete: retired entries whose grace period is over, and base files written again under a key merged before. */
  readonly expired: readonly string[];
  /** The retired entries still within their grace period. */
  readonly retired: readonly RetiredEntry[];
  readonly action: CompactAction | SkipAction;
}

/**
 * Options of {@link planPartition}.
 *
 * @example
 * ```ts
 * const options: PlanOptions = { snapshot, layout, settings, now: new Date() };
 * ```
 */
export interface PlanOptions {
  readonly snapshot: PartitionSnapshot;
  readonly layout: CompactionLayout;
  readonly settings: CompactionSettings;
  /** The run's clock. */
  readonly now: Date;
}

const byKey = (a: ObjectInfo, b: ObjectInfo) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/**
 * Decides what to do with one partition. Pure: the same snapshot and clock give the same plan.
 *
 * - The catalog is rolled forward when a state exists and names another location.
 * - A retired entry expires once `retiredAt + grace <= now`.
 * - Base files named by any retired entry are merged already (or being deleted), never inputs.
 * - A base file under a key merged before and deleted since (`state.merged`) was written again
 *   (a redrive rewrites the keys its failed attempts wrote): its rows are in the generation
 *   already, so it is deleted with the expired files, never merged twice.
 * - An hour ending less than the horizon ago is skipped; otherwise base files last written
 *   at least the horizon ago are consumed, together with the current generation's files.
 *   Younger ones wait: a retry may still overwrite them, and merging a file that is later
 *   rewritten would count its rows twice.
 *
 * @example
 * ```ts
 * const plan = planPartition({ snapshot, layout, settings: compactionSettings(job), now });
 * plan.action.kind; // 'compact' or 'skip'
 * ```
 */
export function planPartition(options: PlanOptions): PartitionPlan {
  const { snapshot, layout, settings, now } = options;
  const state = snapshot.state;
  const rollForward = state !== undefined && state.location !== snapshot.catalogLocation ? state.location : undefined;
  const retiredEntries = state?.retired ?? [];
  const isExpired = (entry: RetiredEntry) => entry.retiredAt.getTime() + settings.graceMs <= now.getTime();
  const retired = retiredEntries.filter((entry) => !isExpired(entry));
  const retiredKeys = new Set(retiredEntries.flatMap((entry) => entry.keys));
  // A base key merged before, deleted since and written again: its rows are in the generation already.
  const everMerged = new Set(state?.merged ?? []);
  const rewritten = snapshot.baseFiles.filter((file) => everMerged.has(file.key) && !retiredKeys.has(file.key)).map((file) => file.key);
  const expired = [...retiredEntries.filter(isExpired).flatMap((entry) => entry.keys), ...rewritten];

  const unmerged = snapshot.baseFiles.filter((file) => !retiredKeys.has(file.key) && !everMerged.has(file.key));
  const settled = (file: ObjectInfo) => file.lastModified.getTime() + settings.horizonMs <= now.getTime();
  const consumed = unmerged.filter(settled).sort(byKey);
  const waiting = unmerged.length - consumed.length;
  const base = { rollForward, expired, retired };

  if (snapshot.hourEnd.getTime() + settings.horizonMs > now.getTime()) {
    return { ...base, action: { kind: 'skip', reason: SkipReason.HourWithinHorizon, waiting: unmerged.length } };
  }
  if (consumed.length === 0) {
    return { ...base, action: { kind: 'skip', reason: waiting > 0 ? SkipReason.FilesWithinHorizon : SkipReason.NothingNew, waiting } };
  }
  const generation = state?.generation ?? 0;
  const inFolder = (n: number) => {
    const folder = `${layout.generationFolder(snapshot.path, n)}/`;
    return snapshot.compactedFiles.filter((file) => file.key.startsWith(folder));
  };
  const currentFolder = generation === 0 ? [] : inFolder(generation).sort(byKey);
  const current = currentFolder.filter((file) => isDataFileOf(`${layout.generationFolder(snapshot.path, generation)}/`, file.key));
  const inputs = [...current, ...consumed];
  const bookkeeping = currentFolder.filter((file) => !current.includes(file)).map((file) => file.key);
  return {
    ...base,
    action: {
      kind: 'compact',
      generation: generation + 1,
      inputs,
      consumed,
      retire: [...inputs.map((file) => file.key), ...bookkeeping],
      stale: inFolder(generation + 1).map((file) => file.key),
      waiting,
    },
  };
}
