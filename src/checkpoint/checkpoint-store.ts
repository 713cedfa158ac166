/**
 * CheckpointStore port: the last record of each shard that is durably processed, for
 * consumers outside Lambda (in Lambda the event source mapping keeps the checkpoint).
 *
 * Contract, for every adapter:
 * - `load(scope)` returns every shard checkpoint committed for the job and stream (empty
 *   when none). Called once when a worker starts and after a lost lease.
 * - `commit(scope, shardId, checkpoint)` durably records that every record of the shard up
 *   to and including `checkpoint.sequenceNumber` is written and registered; `ended` marks a
 *   closed shard read to its end, so its children may start. Called only after the batch's
 *   files are written and its partitions registered. Idempotent; a commit never moves a
 *   shard backwards (an older sequence number is ignored). Rejects with `CheckpointError`.
 */
export interface CheckpointStore {
  load(scope: CheckpointScope): Promise<Map<string, ShardCheckpoint>>;
  commit(scope: CheckpointScope, shardId: string, checkpoint: ShardCheckpoint): Promise<void>;
}

export interface CheckpointScope {
  readonly job: string;
  readonly stream: string;
}

export interface ShardCheckpoint {
  /** Last sequence number processed; absent for a shard that ended with no records. */
  readonly sequenceNumber?: string;
  /** The shard is closed and read to its end. */
  readonly ended: boolean;
}
