import { describe, expect, it } from 'vitest';
import { deliverBatch, type DeliveryPorts, type FailedRange, type HandlerAnswer } from '../../src/runtime/event-source-mapping.ts';
import type { StreamRecord } from '../../src/decode/stream-record.ts';
import { streamRecords } from '../helpers/records.ts';

const records = (n: number, arrivalTime = new Date('2026-11-23T10:00:00Z')): StreamRecord[] =>
  streamRecords(Array.from({ length: n }, (_, i) => ({ i }))).map((r) => ({ ...r, arrivalTime }));

/** Ports that record what the mapping did; `answer` decides each invocation. */
function recorder(answer: (batch: readonly StreamRecord[], call: number) => HandlerAnswer | Error, now = Date.parse('2026-11-23T10:00:01Z')) {
  const invocations: string[][] = [];
  const checkpoints: string[] = [];
  const sent: FailedRange[] = [];
  const ports: DeliveryPorts = {
    invoke: async (batch) => {
      invocations.push(batch.map((r) => r.sequenceNumber));
      const a = answer(batch, invocations.length);
      if (a instanceof Error) throw a;
      return a;
    },
    checkpoint: async (r) => void checkpoints.push(r.sequenceNumber),
    sendToDestination: async (range) => void sent.push(range),
    backoff: async () => undefined,
    now: () => now,
  };
  return { ports, invocations, checkpoints, sent };
}

const noLimits = { maxAttempts: -1, maxRecordAgeSeconds: -1, bisectOnError: false };

describe('event source mapping semantics', () => {
  it('checkpoints the last record of a successful batch', async () => {
    const r = recorder(() => ({ batchItemFailures: [] }));
    await deliverBatch(records(3), noLimits, r.ports);
    expect(r.invocations).toEqual([['1000', '1001', '1002']]);
    expect(r.checkpoints).toEqual(['1002']);
  });

  it('ReportBatchItemFailures: checkpoints before the lowest failed record and retries from it', async () => {
    const r = recorder((batch, call) => (call === 1 ? { batchItemFailures: [{ itemIdentifier: '1003' }, { itemIdentifier: '1002' }] } : {}));
    await deliverBatch(records(5), noLimits, r.ports);
    expect(r.invocations).toEqual([['1000', '1001', '1002', '1003', '1004'], ['1002', '1003', '1004']]);
    expect(r.checkpoints).toEqual(['1001', '1004']);
  });

  it('an unknown item identifier fails the whole batch; the checkpoint never moves to a failed record', async () => {
    const r = recorder((_b, call) => (call === 1 ? { batchItemFailures: [{ itemIdentifier: 'nope' }] } : {}));
    await deliverBatch(records(3), noLimits, r.ports);
    expect(r.invocations).toEqual([['1000', '1001', '1002'], ['1000', '1001', '1002']]);
    expect(r.checkpoints).toEqual(['1002']);
  });

  it('bisects a failing batch and retries each half in order', async () => {
    const r = recorder((batch) => (batch.some((x) => x.sequenceNumber === '1002') && batch.length > 1 ? new Error('boom') : {}));
    const outcome = await deliverBatch(records(4), { ...noLimits, bisectOnError: true }, r.ports);
    expect(r.invocations).toEqual([['1000', '1001', '1002', '1003'], ['1000', '1001'], ['1002', '1003'], ['1002'], ['1003']]);
    expect(r.checkpoints).toEqual(['1001', '1002', '1003']);
    expect(outcome).toMatchObject({ functionErrors: 2, bisections: 2, sentToDestination: 0 });
  });

  it('sends a range to the destination after MaximumRetryAttempts and moves on', async () => {
    const r = recorder(() => new Error('always'));
    const outcome = await deliverBatch(records(2), { ...noLimits, maxAttempts: 2 }, r.ports);
    expect(r.invocations).toHaveLength(3);
    expect(r.sent).toHaveLength(1);
    expect(r.sent[0]).toMatchObject({ condition: 'RetryAttemptsExhausted', attempts: 3, lastError: 'always' });
    expect(r.sent[0]!.records.map((x) => x.sequenceNumber)).toEqual(['1000', '1001']);
    expect(r.checkpoints).toEqual(['1001']);
    expect(outcome.sentToDestination).toBe(2);
  });

  it('discards records older than MaximumRecordAgeInSeconds to the destination', async () => {
    const old = records(2, new Date('2026-11-23T00:00:00Z'));
    const r = recorder(() => ({}), Date.parse('2026-11-23T10:00:00Z'));
    await deliverBatch(old, { ...noLimits, maxRecordAgeSeconds: 3600 }, r.ports);
    expect(r.invocations).toEqual([]);
    expect(r.sent[0]!.condition).toBe('RecordAgeExceeded');
    expect(r.checkpoints).toEqual(['1001']);
  });
});
