import { z } from 'zod';
import { messageOf } from '../error-message.ts';
import { CompactionError } from '../errors.ts';

/**
 * Files a compaction replaced, kept until the grace period after `retiredAt` has passed, so
 * a query that listed the old folder before the swap can still read them.
 *
 * @example
 * ```ts
 * const entry: RetiredEntry = { keys: ['iot/t/year=2026/month=11/day=23/hour=08/shardId-000000000000-4959.parquet'],
 *                               retiredAt: new Date('2026-11-23T16:00:00Z') };
 * ```
 */
export interface RetiredEntry {
  readonly keys: readonly string[];
  readonly retiredAt: Date;
}

/**
 * One partition's compaction state, `<prefix>/_compacted/<table>/<partition path>/_state.json`.
 * Writing it is the commit point of a compaction: before, the new generation does not exist
 * for anyone; after, the next run points the catalog at `location` even if this one crashed.
 *
 * @example
 * ```ts
 * const state: CompactionState = { generation: 1, location: 's3://b/iot/_compacted/t/year=2026/month=11/day=23/hour=08/g-000001',
 *                                  retired: [{ keys: [...baseKeys], retiredAt: now }] };
 * ```
 */
export interface CompactionState {
  /** The current generation; 0 = never compacted. */
  readonly generation: number;
  /** The location the catalog should have for the partition. */
  readonly location: string;
  readonly retired: readonly RetiredEntry[];
  /**
   * Every base key ever merged into a generation, kept after the file is deleted. A base file
   * written again under one of these keys (a redrive of a range whose failed attempts wrote
   * it before compaction merged it) holds rows the generation already has: it is deleted,
   * never merged again. Absent: none.
   */
  readonly merged?: readonly string[];
}

const StateFile = z.object({
  generation: z.number().int().nonnegative(),
  location: z.string().min(1),
  retired: z.array(z.object({ keys: z.array(z.string().min(1)), retiredAt: z.iso.datetime() })),
  merged: z.array(z.string().min(1)).optional(),
});

/**
 * The state of a partition never compacted: generation 0, read where batches write.
 *
 * @example
 * ```ts
 * initialState(store.locationOf(layout.baseFolder(path))); // { generation: 0, location, retired: [] }
 * ```
 */
export function initialState(baseLocation: string): CompactionState {
  return { generation: 0, location: baseLocation, retired: [] };
}

/**
 * The state file's bytes -> state; `undefined` bytes (no file) -> `undefined`. A file that is
 * not a state is a `CompactionError` naming it: guessing would risk deleting live files.
 *
 * @example
 * ```ts
 * const state = parseState(await store.get(key), key) ?? initialState(baseLocation);
 * ```
 */
export function parseState(bytes: Uint8Array | undefined, key: string): CompactionState | undefined {
  if (bytes === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new CompactionError(`compaction state ${key} is not JSON (${messageOf(error)}); restore it from a backup: without it the next run would rebuild the partition from its base folder alone and lose the rows of files already merged and deleted`, error);
  }
  const parsed = StateFile.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
    throw new CompactionError(`compaction state ${key} is not a sluice compaction state (${issues}); restore it from a backup`);
  }
  return {
    generation: parsed.data.generation,
    location: parsed.data.location,
    retired: parsed.data.retired.map((entry) => ({ keys: entry.keys, retiredAt: new Date(entry.retiredAt) })),
    ...(parsed.data.merged === undefined || parsed.data.merged.length === 0 ? {} : { merged: parsed.data.merged }),
  };
}

/**
 * State -> the bytes of its file (pretty JSON, times in ISO-8601 UTC).
 *
 * @example
 * ```ts
 * await store.put(layout.stateKey(path), serializeState(next), { contentType: 'application/json' });
 * ```
 */
export function serializeState(state: CompactionState): Uint8Array {
  const file = {
    generation: state.generation,
    location: state.location,
    retired: state.retired.map((entry) => ({ keys: entry.keys, retiredAt: entry.retiredAt.toISOString() })),
    ...(state.merged === undefined || state.merged.length === 0 ? {} : { merged: state.merged }),
  };
  return new TextEncoder().encode(`${JSON.stringify(file, null, 2)}\n`);
}
