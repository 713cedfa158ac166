/**
 * What the shard poller reports while it runs, for logs and progress displays. Events are
 * information only: the poller never waits on the listener.
 *
 * @example
 * ```ts
 * pollShards({ ...options, log: (e) => e.type === PollerEventType.ShardEnded && console.log(`${e.shardId} drained`) });
 * ```
 */
export const PollerEventType = {
  ShardStarted: 'shard-started',
  BatchCommitted: 'batch-committed',
  BatchFailed: 'batch-failed',
  ShardCaughtUp: 'shard-caught-up',
  ShardEnded: 'shard-ended',
  KinesisRetry: 'kinesis-retry',
  ShardLeaseHeld: 'shard-lease-held',
  ShardLeaseLost: 'shard-lease-lost',
} as const;
export type PollerEventType = (typeof PollerEventType)[keyof typeof PollerEventType];

/**
 * One thing the poller did or met.
 *
 * @example
 * ```ts
 * const log = (event: PollerEvent) => {
 *   if (event.type === PollerEventType.BatchFailed) console.warn(`${event.shardId}: ${event.error}`);
 * };
 * ```
 */
export type PollerEvent =
  | {
      readonly type: typeof PollerEventType.ShardStarted;
      readonly shardId: string;
      /** The checkpoint it resumes after, or the starting position. */
      readonly from: string;
    }
  | {
      readonly type: typeof PollerEventType.BatchCommitted;
      readonly shardId: string;
      readonly records: number;
      readonly firstSequenceNumber: string;
      readonly lastSequenceNumber: string;
    }
  | {
      readonly type: typeof PollerEventType.BatchFailed;
      readonly shardId: string;
      /** Failures of this batch so far, 1 for the first. */
      readonly attempt: number;
      readonly firstSequenceNumber: string;
      readonly lastSequenceNumber: string;
      readonly error: unknown;
      /** Wait before the retry; absent when this failure was the last allowed. */
      readonly retryInMs?: number;
    }
  | { readonly type: typeof PollerEventType.ShardCaughtUp; readonly shardId: string }
  /** Another worker holds the shard's lease: this poller leaves the shard to it. */
  | { readonly type: typeof PollerEventType.ShardLeaseHeld; readonly shardId: string }
  /** The lease was taken over: this poller stopped the shard before writing more. */
  | { readonly type: typeof PollerEventType.ShardLeaseLost; readonly shardId: string; readonly holder?: string }
  | { readonly type: typeof PollerEventType.ShardEnded; readonly shardId: string; readonly lastSequenceNumber?: string }
  | {
      readonly type: typeof PollerEventType.KinesisRetry;
      readonly operation: string;
      readonly shardId?: string;
      readonly attempt: number;
      readonly delayMs: number;
      readonly error: unknown;
    };
