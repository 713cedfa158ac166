import type { CheckpointScope, CheckpointStore, ShardLease } from '../checkpoint/checkpoint-store.ts';
import { LeaseLostError } from '../errors.ts';
import { PollerEventType, type PollerEvent } from './poller-events.ts';

export interface ShardLeaseOptions {
  /** This worker's name, unique among the workers of a job (e.g. host:pid:random). */
  readonly owner: string;
  /**
   * How long a lease lives without renewal. Another worker takes a shard over only after
   * seeing its lease unrenewed this long (by its own clock), so one batch's writes must
   * finish well within it: the lease is renewed right before each batch is handed over.
   */
  readonly durationMs: number;
}

/**
 * The leases a poller holds, one per shard it reads, so several workers (processes,
 * containers) can share a stream without two of them processing a shard at once. Acquired
 * when a shard starts, renewed before every batch and while idle, passed with every commit
 * (a fenced, conditional write), released when the shard stops.
 *
 * @example
 * ```ts
 * const keeper = new ShardLeaseKeeper({ checkpoints, scope, owner: 'host-1:4242', durationMs: 60_000, log });
 * if (await keeper.acquire(shardId)) { ...; await keeper.release(shardId); }
 * ```
 */
export class ShardLeaseKeeper {
  private readonly held = new Map<string, ShardLease>();

  constructor(
    private readonly options: ShardLeaseOptions & {
      readonly checkpoints: CheckpointStore;
      readonly scope: CheckpointScope;
      readonly log: (event: PollerEvent) => void;
    },
  ) {}

  /** Takes the shard's lease; false when another live worker holds it. */
  async acquire(shardId: string): Promise<boolean> {
    const lease = await this.options.checkpoints.acquireLease(this.options.scope, shardId, {
      owner: this.options.owner,
      durationMs: this.options.durationMs,
    });
    if (!lease) {
      this.options.log({ type: PollerEventType.ShardLeaseHeld, shardId });
      return false;
    }
    this.held.set(shardId, lease);
    return true;
  }

  /** Renews the shard's lease; false (and the shard must stop) when it was taken over. */
  async renew(shardId: string): Promise<boolean> {
    const lease = this.current(shardId);
    try {
      this.held.set(shardId, await this.options.checkpoints.renewLease(lease));
      return true;
    } catch (error) {
      if (!(error instanceof LeaseLostError)) throw error;
      this.held.delete(shardId);
      this.options.log({ type: PollerEventType.ShardLeaseLost, shardId, ...(error.holder ? { holder: error.holder } : {}) });
      return false;
    }
  }

  /** The lease held on the shard, for fenced commits. */
  current(shardId: string): ShardLease {
    const lease = this.held.get(shardId);
    if (!lease) throw new LeaseLostError({ ...this.options.scope, shardId, owner: this.options.owner, holder: undefined });
    return lease;
  }

  /** Lets the shard go (idempotent; a lease already lost is fine). */
  async release(shardId: string): Promise<void> {
    const lease = this.held.get(shardId);
    if (!lease) return;
    this.held.delete(shardId);
    await this.options.checkpoints.releaseLease(lease).catch((error: unknown) => {
      if (!(error instanceof LeaseLostError)) throw error;
    });
  }
}
