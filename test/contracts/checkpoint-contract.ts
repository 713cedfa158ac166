import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckpointScope, CheckpointStore } from '../../src/checkpoint/checkpoint-store.ts';

export interface CheckpointStoreFixture {
  readonly store: CheckpointStore;
  cleanup(): Promise<void>;
}

let scopeCounter = 0;
/** Every test gets its own scope, so adapters can share one store (and one server) per suite. */
const freshScope = (label: string): CheckpointScope => ({ job: `contract-${label}-${++scopeCounter}`, stream: 'iot-sensor' });

/** Realistic Kinesis sequence numbers: 56 digits, differing late. */
const seq = (n: number) => `4966${String(n).padStart(52, '0')}`;

/**
 * The CheckpointStore contract (src/checkpoint/checkpoint-store.ts), run against every adapter.
 *
 * @example
 * ```ts
 * describeCheckpointStoreContract('local file', async () => ({ store: new LocalFileCheckpointStore({ dir }), cleanup }));
 * ```
 */
export function describeCheckpointStoreContract(name: string, makeStore: () => Promise<CheckpointStoreFixture>): void {
  describe(`CheckpointStore contract: ${name}`, () => {
    let fixture: CheckpointStoreFixture;
    beforeAll(async () => {
      fixture = await makeStore();
    });
    afterAll(async () => {
      await fixture?.cleanup();
    });

    it('loads an empty map for a scope nothing was committed to', async () => {
      const loaded = await fixture.store.load(freshScope('empty'));
      expect(loaded).toBeInstanceOf(Map);
      expect(loaded.size).toBe(0);
    });

    it('loads what was committed, per shard', async () => {
      const scope = freshScope('commit');
      await fixture.store.commit(scope, 'shardId-000000000000', { sequenceNumber: seq(10), ended: false });
      await fixture.store.commit(scope, 'shardId-000000000001', { sequenceNumber: seq(7), ended: false });
      await fixture.store.commit(scope, 'shardId-000000000000', { sequenceNumber: seq(12), ended: false });
      const loaded = await fixture.store.load(scope);
      expect(Object.fromEntries(loaded)).toEqual({
        'shardId-000000000000': { sequenceNumber: seq(12), ended: false },
        'shardId-000000000001': { sequenceNumber: seq(7), ended: false },
      });
    });

    it('never moves a shard backwards, comparing sequence numbers as numbers', async () => {
      const scope = freshScope('backwards');
      await fixture.store.commit(scope, 'shardId-000000000000', { sequenceNumber: '100', ended: false });
      await fixture.store.commit(scope, 'shardId-000000000000', { sequenceNumber: '99', ended: false });
      // '1000' < '999' as strings: a store comparing strings would refuse this commit.
      await fixture.store.commit(scope, 'shardId-000000000001', { sequenceNumber: '999', ended: false });
      await fixture.store.commit(scope, 'shardId-000000000001', { sequenceNumber: '1000', ended: false });
      await fixture.store.commit(scope, 'shardId-000000000001', { sequenceNumber: '1000', ended: false });
      const loaded = await fixture.store.load(scope);
      expect(loaded.get('shardId-000000000000')).toEqual({ sequenceNumber: '100', ended: false });
      expect(loaded.get('shardId-000000000001')).toEqual({ sequenceNumber: '1000', ended: false });
    });

    it('keeps the ended flag, also for a shard that ended with no records, and never undoes it', async () => {
      const scope = freshScope('ended');
      await fixture.store.commit(scope, 'shardId-000000000000', { sequenceNumber: seq(5), ended: false });
      await fixture.store.commit(scope, 'shardId-000000000000', { sequenceNumber: seq(5), ended: true });
      await fixture.store.commit(scope, 'shardId-000000000000', { sequenceNumber: seq(5), ended: false });
      await fixture.store.commit(scope, 'shardId-000000000003', { ended: true });
      const loaded = await fixture.store.load(scope);
      expect(loaded.get('shardId-000000000000')).toEqual({ sequenceNumber: seq(5), ended: true });
      expect(loaded.get('shardId-000000000003')).toEqual({ ended: true });
    });

    it('loses nothing when many shards commit concurrently', async () => {
      const scope = freshScope('concurrent');
      const shards = Array.from({ length: 24 }, (_, i) => `shardId-${String(i).padStart(12, '0')}`);
      const commitsPerShard = 8;
      await Promise.all(
        shards.flatMap((shard, s) =>
          Array.from({ length: commitsPerShard }, (_, c) =>
            fixture.store.commit(scope, shard, { sequenceNumber: seq(s * 1000 + c + 1), ended: false }),
          ),
        ),
      );
      const loaded = await fixture.store.load(scope);
      expect(loaded.size).toBe(shards.length);
      shards.forEach((shard, s) => expect(loaded.get(shard)).toEqual({ sequenceNumber: seq(s * 1000 + commitsPerShard), ended: false }));
    });

    it('keeps separate scopes apart (another job, another stream)', async () => {
      const scope = freshScope('isolated');
      const otherJob = { ...scope, job: `${scope.job}-other` };
      const otherStream = { ...scope, stream: 'device-activity' };
      await fixture.store.commit(scope, 'shardId-000000000000', { sequenceNumber: seq(1), ended: false });
      await fixture.store.commit(otherJob, 'shardId-000000000000', { sequenceNumber: seq(2), ended: true });
      await fixture.store.commit(otherStream, 'shardId-000000000009', { sequenceNumber: seq(3), ended: false });
      expect(Object.fromEntries(await fixture.store.load(scope))).toEqual({ 'shardId-000000000000': { sequenceNumber: seq(1), ended: false } });
      expect(Object.fromEntries(await fixture.store.load(otherJob))).toEqual({ 'shardId-000000000000': { sequenceNumber: seq(2), ended: true } });
      expect(Object.fromEntries(await fixture.store.load(otherStream))).toEqual({ 'shardId-000000000009': { sequenceNumber: seq(3), ended: false } });
    });
  });
}
