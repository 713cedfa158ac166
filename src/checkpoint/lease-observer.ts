import type { LeaseRequest } from './checkpoint-store.ts';
import type { ShardState } from './shard-state.ts';

/**
 * Options for {@link LeaseObserver}.
 *
 * @example
 * ```ts
 * const observer = new LeaseObserver({ now: () => performance.now() });
 * ```
 */
export interface LeaseObserverOptions {
  /** A monotonic clock in milliseconds; `performance.now` unless a test drives time. */
  readonly now?: () => number;
}

interface Sighting {
  readonly owner: string;
  readonly counter: number;
  readonly since: number;
}

/**
 * Decides whether a would-be taker may take a shard's lease, KCL-style: a lease held by
 * someone else is taken only after this observer has seen the same holder and counter for
 * the longer of the holder's and the taker's `durationMs`, by its own monotonic clock. Workers'
 * clocks are never compared, only the rate at which time passes, so a skewed wall clock
 * cannot make a live lease look expired.
 *
 * Call {@link mayTake} right after reading the shard's state: the first sighting of a counter
 * must not be dated before the read that saw it, or a renewal landing during the read would
 * be credited too early.
 *
 * @example
 * ```ts
 * const observer = new LeaseObserver();
 * const state = await readShard(key);
 * if (observer.mayTake(key, state, { owner: 'w2', durationMs: 30_000 })) await casTake(key, state);
 * ```
 */
export class LeaseObserver {
  readonly #now: () => number;
  readonly #sightings = new Map<string, Sighting>();

  constructor(options: LeaseObserverOptions = {}) {
    this.#now = options.now ?? (() => performance.now());
  }

  /**
   * True when `request.owner` may write itself in as the holder of the shard stored under
   * `key`: the lease is free, already the requester's, or unchanged for long enough.
   *
   * @example
   * ```ts
   * observer.mayTake('job/stream/shardId-0', { leaseCounter: 0 }, { owner: 'w1', durationMs: 300 }); // true: free
   * ```
   */
  mayTake(key: string, state: ShardState, request: LeaseRequest): boolean {
    const holder = state.holder;
    if (holder === undefined || holder.owner === request.owner) return true;
    const now = this.#now();
    const seen = this.#sightings.get(key);
    if (seen === undefined || seen.owner !== holder.owner || seen.counter !== state.leaseCounter) {
      this.#sightings.set(key, { owner: holder.owner, counter: state.leaseCounter, since: now });
      return false;
    }
    return now - seen.since >= Math.max(holder.durationMs, request.durationMs);
  }

  /**
   * Drops what was seen of a shard once its lease changed hands through this process, so
   * the map holds only shards someone else holds.
   *
   * @example
   * ```ts
   * observer.forget(key);
   * ```
   */
  forget(key: string): void {
    this.#sightings.delete(key);
  }
}
