import { compareSequenceNumbers } from '../decode/stream-record.ts';
import type { ShardCheckpoint } from './checkpoint-store.ts';

/**
 * The commit rule every CheckpointStore applies: a shard never moves backwards and `ended`
 * is never undone. Returns `current` itself when the update changes nothing, so a store can
 * skip the write.
 *
 * @example
 * ```ts
 * mergeCheckpoint({ sequenceNumber: '100', ended: false }, { sequenceNumber: '99', ended: false });
 * // -> { sequenceNumber: '100', ended: false } (the same object)
 * ```
 */
export function mergeCheckpoint(current: ShardCheckpoint | undefined, update: ShardCheckpoint): ShardCheckpoint {
  if (current === undefined) return normalized(update);
  const order = compareOptionalSequence(update.sequenceNumber, current.sequenceNumber);
  if (order < 0) return current;
  const ended = current.ended || update.ended;
  if (order === 0 && ended === current.ended) return current;
  return normalized({ ...(order > 0 ? update : current), ended });
}

/** A shard that ended with no records has no sequence number: it sorts before any record. */
function compareOptionalSequence(a: string | undefined, b: string | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  return compareSequenceNumbers(a, b);
}

// Stored checkpoints carry exactly these two fields, whatever else the caller's object had.
function normalized(checkpoint: ShardCheckpoint): ShardCheckpoint {
  return checkpoint.sequenceNumber === undefined
    ? { ended: checkpoint.ended }
    : { sequenceNumber: checkpoint.sequenceNumber, ended: checkpoint.ended };
}
