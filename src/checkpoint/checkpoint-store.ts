/**
 * CheckpointStore port: the last record of each shard that is durably processed, and who may
 * process each shard, for consumers outside Lambda (in Lambda the event source mapping keeps
 * the checkpoint and assigns shards).
 *
 * Contract, for every adapter:
 * - `load(scope)` returns every shard checkpoint committed for the job and stream (empty
 *   when none). Called once when a worker starts and after a lost lease.
 * - `commit(scope, shardId, checkpoint)` durably records that every record of the shard up
 *   to and including `checkpoint.sequenceNumber` is written and registered; `ended` marks a
 *   closed shard read to its end, so its children may start. Called only after the batch's
 *   files are written and its partitions registered. Idempotent; a commit never moves a
 *   shard backwards (an older sequence number is ignored). Rejects with `CheckpointError`.
 *
 * Leases, for several workers sharing one stream (the standalone poller):
 * - One record per shard holds both the checkpoint and the lease, so a fenced commit is one
 *   compare-and-swap: it cannot land after the lease moved on.
 * - `acquireLease(scope, shardId, { owner, durationMs })` takes a free lease (never taken, or
 *   released) at once, and a lease already held by `owner` at once (a restarted worker).
 *   A lease held by another owner is taken only once this store has seen it unchanged (same
 *   holder, same counter) for the longer of the holder's and the requested `durationMs`,
 *   measured by this process's monotonic clock; until then it resolves `undefined`. So no
 *   clocks are compared across workers: call it again later (a poller does, every
 *   `durationMs / 3` or so). Of several concurrent acquirers at most one gets the lease.
 * - Every acquire and renew bumps the shard's lease counter, which is never reset; the
 *   counter is the fencing token in `ShardLease.counter`.
 * - `renewLease(lease)` bumps the counter and returns the new lease; it rejects with
 *   `LeaseLostError` when the shard's holder or counter is no longer the lease's. A holder
 *   renews well within `durationMs` (a third of it is the usual rhythm) and stops working on
 *   the shard once `performance.now() >= lease.renewedAt + lease.durationMs` without a
 *   successful renew, because by then a taker may have taken it.
 * - `releaseLease(lease)` frees the shard so another worker can acquire it at once; a lease
 *   that is already lost is left alone (no error). The checkpoint stays.
 * - `commit(scope, shardId, checkpoint, { lease })` is fenced: it commits only while the
 *   shard's holder and counter are the lease's, else rejects with `LeaseLostError` and the
 *   checkpoint does not move. Without a lease a commit is unfenced (single-worker use).
 * - Owner ids name a worker: two live workers must never share one (hostname, pid and a
 *   random suffix make a good one).
 *
 * @example
 * ```ts
 * const lease = await store.acquireLease(scope, shardId, { owner: workerId, durationMs: 30_000 });
 * if (lease) {
 *   const from = (await store.load(scope)).get(shardId);
 *   // ... read and write a batch after `from`, renewing the lease every 10 s ...
 *   await store.commit(scope, shardId, { sequenceNumber: last, ended: false }, { lease: current });
 * }
 * ```
 */
export interface CheckpointStore {
  load(scope: CheckpointScope): Promise<Map<string, ShardCheckpoint>>;
  commit(scope: CheckpointScope, shardId: string, checkpoint: ShardCheckpoint, options?: CommitOptions): Promise<void>;
  acquireLease(scope: CheckpointScope, shardId: string, request: LeaseRequest): Promise<ShardLease | undefined>;
  renewLease(lease: ShardLease): Promise<ShardLease>;
  releaseLease(lease: ShardLease): Promise<void>;
}

/**
 * The checkpoints of one job reading one stream.
 *
 * @example
 * ```ts
 * const scope: CheckpointScope = { job: 'sensor-readings', stream: 'iot-sensor' };
 * ```
 */
export interface CheckpointScope {
  readonly job: string;
  readonly stream: string;
}

/**
 * How far a shard is durably processed.
 *
 * @example
 * ```ts
 * const checkpoint: ShardCheckpoint = { sequenceNumber: last.sequenceNumber, ended: false };
 * ```
 */
export interface ShardCheckpoint {
  /** Last sequence number processed; absent for a shard that ended with no records. */
  readonly sequenceNumber?: string;
  /** The shard is closed and read to its end. */
  readonly ended: boolean;
}

/**
 * Options of {@link CheckpointStore.commit}.
 *
 * @example
 * ```ts
 * await store.commit(scope, lease.shardId, checkpoint, { lease });
 * ```
 */
export interface CommitOptions {
  /** Fence the commit: it lands only while this lease is still the shard's current one. */
  readonly lease?: ShardLease;
}

/**
 * What a worker asks for when it acquires a shard lease.
 *
 * @example
 * ```ts
 * const lease = await store.acquireLease(scope, shardId, { owner: `${hostname()}-${process.pid}-${randomUUID()}`, durationMs: 30_000 });
 * ```
 */
export interface LeaseRequest {
  /** The worker's id, unique among live workers. */
  readonly owner: string;
  /** How long the holder may go without renewing before another worker may take the lease. */
  readonly durationMs: number;
}

/**
 * A held shard lease: a value, never updated in place; renew returns the next one.
 *
 * @example
 * ```ts
 * const stillMine = performance.now() < lease.renewedAt + lease.durationMs;
 * ```
 */
export interface ShardLease {
  readonly scope: CheckpointScope;
  readonly shardId: string;
  readonly owner: string;
  readonly durationMs: number;
  /** The shard's lease counter when this lease was taken or renewed: the fencing token. */
  readonly counter: number;
  /**
   * `performance.now()` of this process just before the write that took or renewed the
   * lease: a taker cannot have started waiting before it, so the lease is safe until
   * `renewedAt + durationMs`. Meaningless in another process.
   */
  readonly renewedAt: number;
}
