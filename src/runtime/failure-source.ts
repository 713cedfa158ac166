import type { FailureDocument } from './local-failure-destination.ts';

/**
 * A batch the event source mapping gave up on, as its on-failure destination holds it.
 *
 * @example
 * ```ts
 * const failed: FailedBatch = { id: 'shardId-000000000000-4959...-4959....json', document };
 * ```
 */
export interface FailedBatch {
  /** What the destination knows it by (a file name, an SQS receipt handle). */
  readonly id: string;
  readonly document: FailureDocument;
}

/**
 * FailureSource port: where `sluice redrive` finds the batches to reprocess.
 *
 * Contract (`test/contracts/failure-source-contract.ts` runs it against every adapter):
 * - `pending()` returns every failed batch waiting, each once per call, in no particular order.
 *   Called once per redrive. Rejects with `SourceError` when the destination cannot be read.
 * - `remove(batch)` takes a batch out of the destination after it was redriven (or found
 *   redriven already). Idempotent: removing a batch that is gone is no error. Rejects with
 *   `SourceError` on failure; the batch then stays and a later redrive finds it already present.
 *
 * @example
 * ```ts
 * for (const batch of await failures.pending()) { ...; await failures.remove(batch); }
 * ```
 */
export interface FailureSource {
  pending(): Promise<FailedBatch[]>;
  remove(batch: FailedBatch): Promise<void>;
}
