import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckpointScope, CheckpointStore, ShardLease } from '../../src/checkpoint/checkpoint-store.ts';
import { CheckpointError, ErrorCode, LeaseLostError } from '../../src/errors.ts';

/**
 * What an adapter's test gives the contract: a store, a way to open a second worker's store
 * on the same storage, and cleanup.
 *
 * @example
 * ```ts
 * const fixture: CheckpointStoreFixture = { store: open(), openAnother: open, cleanup: async () => undefined };
 * ```
 */
export interface CheckpointStoreFixture {
  readonly store: CheckpointStore;
  /** Another store on the same storage, as a second worker (its own memory, its own clock readings) would open it. */
  openAnother(): CheckpointStore;
  cleanup(): Promise<void>;
}

let scopeCounter = 0;
/** Every test gets its own scope, so adapters can share one store (and one server) per suite. */
const freshScope = (label: string): CheckpointScope => ({ job: `contract-${label}-${++scopeCounter}`, stream: 'iot-sensor' });

/** Realistic Kinesis sequence numbers: 56 digits, differing late. */
const seq = (n: number) => `4966${String(n).padStart(52, '0')}`;

/** Lease duration of the lease cases: short, with every wait around it at least twice as long. */
const LEASE_MS = 300;

/**
 * The one kind of sleep these tests allow: letting lease time pass, because how long a lease
 * stays unrenewed is exactly what the lease contract is about.
 */
const letLeaseTimePass = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const SHARD = 'shardId-000000000000';

/** Asserts the promise rejects with a LeaseLostError (stable code) and returns it. */
async function expectLeaseLost(promise: Promise<unknown>): Promise<LeaseLostError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LeaseLostError);
  expect((error as LeaseLostError).code).toBe(ErrorCode.LeaseLost);
  return error as LeaseLostError;
}

/**
 * The CheckpointStore contract (src/checkpoint/checkpoint-store.ts), run against every adapter.
 *
 * @example
 * ```ts
 * describeCheckpointStoreContract('local file', async () => ({
 *   store: new LocalFileCheckpointStore({ dir }),
 *   openAnother: () => new LocalFileCheckpointStore({ dir }),
 *   cleanup,
 * }));
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

    describe('leases', () => {
      it('acquires a free shard; renewing bumps the counter and supersedes the old handle', async () => {
        const scope = freshScope('lease-free');
        const lease = await fixture.store.acquireLease(scope, SHARD, { owner: 'worker-a', durationMs: LEASE_MS });
        expect(lease).toMatchObject({ scope, shardId: SHARD, owner: 'worker-a', durationMs: LEASE_MS });
        const renewed = await fixture.store.renewLease(lease as ShardLease);
        expect(renewed.counter).toBeGreaterThan((lease as ShardLease).counter);
        await fixture.store.commit(scope, SHARD, { sequenceNumber: seq(1), ended: false }, { lease: renewed });
        await expectLeaseLost(fixture.store.commit(scope, SHARD, { sequenceNumber: seq(2), ended: false }, { lease: lease as ShardLease }));
        expect((await fixture.store.load(scope)).get(SHARD)).toEqual({ sequenceNumber: seq(1), ended: false });
      });

      it('does not give a live lease to a second owner, however long it asks while the holder renews', async () => {
        const scope = freshScope('lease-live');
        const other = fixture.openAnother();
        let held = (await fixture.store.acquireLease(scope, SHARD, { owner: 'worker-a', durationMs: LEASE_MS })) as ShardLease;
        expect(held).toBeDefined();
        expect(await other.acquireLease(scope, SHARD, { owner: 'worker-b', durationMs: LEASE_MS })).toBeUndefined();
        for (let round = 0; round < 3; round++) {
          // Lease expiry wait: more than the duration passes in total, but the holder renews within each 0.6 of it.
          await letLeaseTimePass(LEASE_MS * 0.6);
          held = await fixture.store.renewLease(held);
          await letLeaseTimePass(LEASE_MS * 0.6);
          expect(await other.acquireLease(scope, SHARD, { owner: 'worker-b', durationMs: LEASE_MS })).toBeUndefined();
        }
        await fixture.store.commit(scope, SHARD, { sequenceNumber: seq(9), ended: false }, { lease: held });
        expect((await other.load(scope)).get(SHARD)).toEqual({ sequenceNumber: seq(9), ended: false });
      });

      it('lets another owner take a lease its holder stopped renewing; the old holder can then neither renew nor commit', async () => {
        const scope = freshScope('lease-steal');
        const taker = fixture.openAnother();
        const old = (await fixture.store.acquireLease(scope, SHARD, { owner: 'worker-a', durationMs: LEASE_MS })) as ShardLease;
        await fixture.store.commit(scope, SHARD, { sequenceNumber: seq(10), ended: false }, { lease: old });
        expect(await taker.acquireLease(scope, SHARD, { owner: 'worker-b', durationMs: LEASE_MS })).toBeUndefined();
        // Lease expiry wait: the holder is silent for twice the duration, as seen by the taker since its first look.
        await letLeaseTimePass(LEASE_MS * 2);
        const taken = await taker.acquireLease(scope, SHARD, { owner: 'worker-b', durationMs: LEASE_MS });
        expect(taken).toMatchObject({ owner: 'worker-b', shardId: SHARD });
        expect((taken as ShardLease).counter).toBeGreaterThan(old.counter);

        const renewError = await expectLeaseLost(fixture.store.renewLease(old));
        expect(renewError).toMatchObject({ shardId: SHARD, owner: 'worker-a', holder: 'worker-b' });
        await expectLeaseLost(fixture.store.commit(scope, SHARD, { sequenceNumber: seq(20), ended: true }, { lease: old }));
        expect((await fixture.store.load(scope)).get(SHARD)).toEqual({ sequenceNumber: seq(10), ended: false });

        await taker.commit(scope, SHARD, { sequenceNumber: seq(15), ended: false }, { lease: taken as ShardLease });
        expect((await fixture.store.load(scope)).get(SHARD)).toEqual({ sequenceNumber: seq(15), ended: false });
      });

      it('refuses renew and ignores release by a non-holder', async () => {
        const scope = freshScope('lease-non-holder');
        const lease = (await fixture.store.acquireLease(scope, SHARD, { owner: 'worker-a', durationMs: LEASE_MS })) as ShardLease;
        const impostor: ShardLease = { ...lease, owner: 'worker-b' };
        const error = await expectLeaseLost(fixture.store.renewLease(impostor));
        expect(error.holder).toBe('worker-a');
        expect(error.message).toMatch(/shardId-000000000000.*no longer held by 'worker-b'.*'worker-a' holds it/);
        await fixture.store.releaseLease(impostor);
        expect(await fixture.openAnother().acquireLease(scope, SHARD, { owner: 'worker-b', durationMs: LEASE_MS })).toBeUndefined();
        expect((await fixture.store.renewLease(lease)).owner).toBe('worker-a');
      });

      it('release lets another owner acquire at once; a fenced commit by the releaser then fails and moves nothing', async () => {
        const scope = freshScope('lease-release');
        const first = (await fixture.store.acquireLease(scope, SHARD, { owner: 'worker-a', durationMs: LEASE_MS })) as ShardLease;
        await fixture.store.commit(scope, SHARD, { sequenceNumber: seq(3), ended: false }, { lease: first });
        await fixture.store.releaseLease(first);
        const second = await fixture.openAnother().acquireLease(scope, SHARD, { owner: 'worker-b', durationMs: LEASE_MS });
        expect(second).toMatchObject({ owner: 'worker-b' });
        expect((second as ShardLease).counter).toBeGreaterThan(first.counter);
        const error = await expectLeaseLost(fixture.store.commit(scope, SHARD, { sequenceNumber: seq(4), ended: true }, { lease: first }));
        expect(error.holder).toBe('worker-b');
        expect((await fixture.store.load(scope)).get(SHARD)).toEqual({ sequenceNumber: seq(3), ended: false });
      });

      it('gives a contested lease to exactly one of 5 racing acquirers, on a new shard and on a released one', async () => {
        const scope = freshScope('lease-race');
        const workers = Array.from({ length: 5 }, () => fixture.openAnother());
        const race = () => Promise.all(workers.map((w, i) => w.acquireLease(scope, SHARD, { owner: `worker-${i}`, durationMs: LEASE_MS })));
        const created = (await race()).filter((l): l is ShardLease => l !== undefined);
        expect(created).toHaveLength(1);
        const winner = created[0] as ShardLease;
        await fixture.store.releaseLease(winner);
        const again = (await race()).filter((l): l is ShardLease => l !== undefined);
        expect(again).toHaveLength(1);
        const second = again[0] as ShardLease;
        expect(second.counter).toBeGreaterThan(winner.counter);
        await fixture.store.commit(scope, SHARD, { sequenceNumber: seq(1), ended: false }, { lease: second });
        expect((await fixture.store.load(scope)).get(SHARD)).toEqual({ sequenceNumber: seq(1), ended: false });
      });

      it('gives a restarted worker (same owner) its lease back at once and fences its previous handle', async () => {
        const scope = freshScope('lease-restart');
        const before = (await fixture.store.acquireLease(scope, SHARD, { owner: 'worker-a', durationMs: LEASE_MS })) as ShardLease;
        const after = await fixture.openAnother().acquireLease(scope, SHARD, { owner: 'worker-a', durationMs: LEASE_MS });
        expect((after as ShardLease).counter).toBeGreaterThan(before.counter);
        await expectLeaseLost(fixture.store.commit(scope, SHARD, { sequenceNumber: seq(1), ended: false }, { lease: before }));
        expect((await fixture.store.load(scope)).size).toBe(0);
      });

      it('keeps checkpoint and lease apart: unfenced commits keep the lease, lease steps keep the checkpoint, leased-only shards do not load', async () => {
        const scope = freshScope('lease-separate');
        const lease = (await fixture.store.acquireLease(scope, SHARD, { owner: 'worker-a', durationMs: LEASE_MS })) as ShardLease;
        await fixture.store.acquireLease(scope, 'shardId-000000000001', { owner: 'worker-a', durationMs: LEASE_MS });
        await fixture.store.commit(scope, SHARD, { sequenceNumber: seq(7), ended: false });
        const renewed = await fixture.store.renewLease(lease);
        await fixture.store.releaseLease(renewed);
        expect(Object.fromEntries(await fixture.store.load(scope))).toEqual({ [SHARD]: { sequenceNumber: seq(7), ended: false } });
      });

      it("refuses a commit fenced by another shard's lease", async () => {
        const scope = freshScope('lease-wrong-shard');
        const lease = (await fixture.store.acquireLease(scope, SHARD, { owner: 'worker-a', durationMs: LEASE_MS })) as ShardLease;
        const error = await fixture.store
          .commit(scope, 'shardId-000000000001', { sequenceNumber: seq(1), ended: false }, { lease })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(CheckpointError);
        expect((await fixture.store.load(scope)).size).toBe(0);
      });
    });
  });
}
