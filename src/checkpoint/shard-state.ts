import { CheckpointError, LeaseLostError } from '../errors.ts';
import { mergeCheckpoint } from './checkpoint-merge.ts';
import type { CheckpointScope, LeaseRequest, ShardCheckpoint, ShardLease } from './checkpoint-store.ts';

/**
 * Everything a CheckpointStore keeps about one shard: its checkpoint and its lease, in one
 * record, so that a fenced commit is a single compare-and-swap of that record. Pure values;
 * each store decides how to persist them.
 *
 * @example
 * ```ts
 * const state: ShardState = { checkpoint: { sequenceNumber: '42', ended: false }, leaseCounter: 3, holder: { owner: 'w1', durationMs: 30_000 } };
 * ```
 */
export interface ShardState {
  readonly checkpoint?: ShardCheckpoint;
  /**
   * Bumped by every acquire and renew and never reset (release keeps it), so a fencing token
   * is never handed out twice for the shard.
   */
  readonly leaseCounter: number;
  /** The current holder; absent when the shard was never leased or was released. */
  readonly holder?: LeaseHolder;
}

/**
 * Who holds a shard's lease and for how long they promised to renew it.
 *
 * @example
 * ```ts
 * const holder: LeaseHolder = { owner: 'worker-1', durationMs: 30_000 };
 * ```
 */
export interface LeaseHolder {
  readonly owner: string;
  readonly durationMs: number;
}

/**
 * A shard state with a holder, as {@link withLeaseTaken} returns it.
 *
 * @example
 * ```ts
 * const held: HeldShardState = withLeaseTaken(EMPTY_SHARD_STATE, { owner: 'worker-1', durationMs: 30_000 });
 * ```
 */
export type HeldShardState = ShardState & { readonly holder: LeaseHolder };

/**
 * The state of a shard nothing was ever stored for.
 *
 * @example
 * ```ts
 * const state = stored ?? EMPTY_SHARD_STATE;
 * ```
 */
export const EMPTY_SHARD_STATE: ShardState = Object.freeze({ leaseCounter: 0 });

/**
 * Whether `lease` is still the shard's current lease: same holder and same counter.
 *
 * @example
 * ```ts
 * if (!holdsLease(state, lease)) throw new LeaseLostError({ ...lease.scope, shardId, owner: lease.owner, holder: state.holder?.owner });
 * ```
 */
export function holdsLease(state: ShardState, lease: Pick<ShardLease, 'owner' | 'counter'>): boolean {
  return state.holder?.owner === lease.owner && state.leaseCounter === lease.counter;
}

/**
 * The state after `request.owner` takes (or renews) the lease: the counter moves on.
 *
 * @example
 * ```ts
 * const next = withLeaseTaken(state, { owner: 'worker-1', durationMs: 30_000 });
 * next.leaseCounter === state.leaseCounter + 1; // true
 * ```
 */
export function withLeaseTaken(state: ShardState, request: LeaseRequest): HeldShardState {
  return { ...state, leaseCounter: state.leaseCounter + 1, holder: { owner: request.owner, durationMs: request.durationMs } };
}

/**
 * The state after the holder lets go: no holder, same counter, same checkpoint.
 *
 * @example
 * ```ts
 * const next = withLeaseReleased(state); // next.holder === undefined
 * ```
 */
export function withLeaseReleased(state: ShardState): ShardState {
  const { holder: _released, ...rest } = state;
  return rest;
}

/**
 * The state after a commit, by the never-backwards rule of {@link mergeCheckpoint}; `state`
 * itself when the commit changes nothing (so the store can skip the write).
 *
 * @example
 * ```ts
 * const next = withCheckpoint(state, { sequenceNumber: '43', ended: false });
 * if (next !== state) await write(next);
 * ```
 */
export function withCheckpoint(state: ShardState, checkpoint: ShardCheckpoint): ShardState {
  const merged = mergeCheckpoint(state.checkpoint, checkpoint);
  return merged === state.checkpoint ? state : { ...state, checkpoint: merged };
}

/**
 * Builds the lease handle a store returns after writing `state` (which `owner` now holds).
 *
 * @example
 * ```ts
 * const renewedAt = performance.now();
 * await write(next);
 * return leaseOf(scope, shardId, next, renewedAt);
 * ```
 */
export function leaseOf(scope: ShardLease['scope'], shardId: string, state: HeldShardState, renewedAt: number): ShardLease {
  return { scope, shardId, owner: state.holder.owner, durationMs: state.holder.durationMs, counter: state.leaseCounter, renewedAt };
}

/**
 * The error for a lease that is no longer current, naming who holds the shard now.
 *
 * @example
 * ```ts
 * if (!holdsLease(state, lease)) throw leaseLost(lease, state);
 * ```
 */
export function leaseLost(lease: ShardLease, state: ShardState): LeaseLostError {
  return new LeaseLostError({ ...lease.scope, shardId: lease.shardId, owner: lease.owner, holder: state.holder?.owner });
}

/**
 * Refuses a fence made of another shard's lease: a programming error, not a lost lease.
 *
 * @example
 * ```ts
 * if (options.lease) assertLeaseFor(options.lease, scope, shardId);
 * ```
 */
export function assertLeaseFor(lease: ShardLease, scope: CheckpointScope, shardId: string): void {
  if (lease.shardId !== shardId || lease.scope.job !== scope.job || lease.scope.stream !== scope.stream) {
    throw new CheckpointError(
      `commit of shard '${shardId}' (job '${scope.job}', stream '${scope.stream}') was fenced by the lease of shard ` +
        `'${lease.shardId}' (job '${lease.scope.job}', stream '${lease.scope.stream}'): pass the shard's own lease`,
    );
  }
}
