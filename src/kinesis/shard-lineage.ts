import type { Shard } from '@aws-sdk/client-kinesis';

/**
 * A shard as the poller needs it: its id, the shards it was split or merged from, and whether
 * it is closed (has an ending sequence number, so reading it eventually reaches its end).
 *
 * @example
 * ```ts
 * const child: ShardInfo = { shardId: 'shardId-000000000002', parents: ['shardId-000000000000'], closed: false };
 * ```
 */
export interface ShardInfo {
  readonly shardId: string;
  readonly parents: readonly string[];
  readonly closed: boolean;
}

/**
 * Converts a ListShards entry, keeping ParentShardId and AdjacentParentShardId (a merge has
 * both) as the shard's parents.
 *
 * @example
 * ```ts
 * const shards = (output.Shards ?? []).map(toShardInfo);
 * ```
 */
export function toShardInfo(shard: Shard): ShardInfo {
  const parents = [shard.ParentShardId, shard.AdjacentParentShardId].filter((id): id is string => id !== undefined && id !== '');
  return {
    shardId: shard.ShardId ?? '',
    parents,
    closed: shard.SequenceNumberRange?.EndingSequenceNumber !== undefined,
  };
}

/**
 * What the scheduler already knows about shards.
 *
 * @example
 * ```ts
 * const state: LineageState = { ended: new Set(['shardId-000000000000']), started: new Set() };
 * ```
 */
export interface LineageState {
  /** Shards read to their end and checkpointed as such. */
  readonly ended: ReadonlySet<string>;
  /** Shards this process is reading or has read. */
  readonly started: ReadonlySet<string>;
}

/**
 * Shards that may be read now: not ended, not started, and every parent that is still listed
 * has ended. Reading a child before its parent is drained would reorder the records of a
 * partition key; a parent no longer listed has aged out of the stream and cannot be waited for.
 *
 * @example
 * ```ts
 * for (const shard of readyShards(listed, { ended, started })) start(shard);
 * ```
 */
export function readyShards(listed: readonly ShardInfo[], state: LineageState): ShardInfo[] {
  const listedIds = new Set(listed.map((shard) => shard.shardId));
  return listed.filter(
    (shard) =>
      !state.ended.has(shard.shardId) &&
      !state.started.has(shard.shardId) &&
      shard.parents.every((parent) => !listedIds.has(parent) || state.ended.has(parent)),
  );
}
