import { describe, expect, it } from 'vitest';
import type { FailureSource } from '../../src/runtime/failure-source.ts';
import type { FailureDocument } from '../../src/runtime/local-failure-destination.ts';

/**
 * A fixture of the FailureSource contract: an adapter whose destination already holds `documents`.
 *
 * @example
 * ```ts
 * describeFailureSourceContract('local folder', async (documents) => ({ source, cleanup }));
 * ```
 */
export type FailureSourceFixture = (documents: readonly FailureDocument[]) => Promise<{ source: FailureSource; cleanup: () => Promise<void> }>;

/** A failure document of shard `shard` starting at `first`. */
export function failureDocument(shard: string, first: string, last: string): FailureDocument {
  return {
    requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 3, functionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:f' },
    responseContext: { functionError: 'Unhandled' },
    version: '1.0',
    timestamp: '2026-12-03T09:00:00.000Z',
    KinesisBatchInfo: {
      shardId: shard,
      startSequenceNumber: first,
      endSequenceNumber: last,
      approximateArrivalOfFirstRecord: '2026-12-03T08:59:00.000Z',
      approximateArrivalOfLastRecord: '2026-12-03T08:59:01.000Z',
      batchSize: 2,
      streamArn: 'arn:aws:kinesis:eu-west-1:000000000000:stream/s',
    },
  };
}

/**
 * The FailureSource contract (src/runtime/failure-source.ts), for every adapter.
 *
 * @example
 * ```ts
 * describeFailureSourceContract('SQS (double)', sqsFixture);
 * ```
 */
export function describeFailureSourceContract(name: string, fixture: FailureSourceFixture): void {
  describe(`FailureSource contract: ${name}`, () => {
    const documents = Array.from({ length: 13 }, (_, i) => failureDocument(`shardId-00000000000${i % 2}`, `49${String(i).padStart(54, '0')}`, `49${String(i + 1).padStart(54, '0')}`));

    it('gives every waiting batch once, with its document', async () => {
      const { source, cleanup } = await fixture(documents);
      try {
        const pending = await source.pending();
        const starts = pending.map((b) => b.document.KinesisBatchInfo.startSequenceNumber).sort();
        expect(starts).toEqual(documents.map((d) => d.KinesisBatchInfo.startSequenceNumber).sort());
        expect(pending[0]!.document).toEqual(documents.find((d) => d.KinesisBatchInfo.startSequenceNumber === pending[0]!.document.KinesisBatchInfo.startSequenceNumber));
      } finally {
        await cleanup();
      }
    });

    it('removes what it is told to, once or twice, and keeps the rest', async () => {
      const { source, cleanup } = await fixture(documents.slice(0, 3));
      try {
        const [first, ...rest] = await source.pending();
        await source.remove(first!);
        await source.remove(first!);
        const left = await (async () => {
          // Received batches of a queue stay hidden until their visibility ends: what is left is what was not removed.
          for (const batch of rest) await source.remove(batch);
          return source.pending();
        })();
        expect(left).toEqual([]);
      } finally {
        await cleanup();
      }
    });

    it('has nothing pending when nothing failed', async () => {
      const { source, cleanup } = await fixture([]);
      try {
        expect(await source.pending()).toEqual([]);
      } finally {
        await cleanup();
      }
    });
  });
}
