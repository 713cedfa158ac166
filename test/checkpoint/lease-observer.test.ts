import { describe, expect, it } from 'vitest';
import { LeaseObserver } from '../../src/checkpoint/lease-observer.ts';
import type { ShardState } from '../../src/checkpoint/shard-state.ts';

/** A clock the test moves by hand, so every boundary is exact. */
function manualClock() {
  let now = 1000;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

const heldBy = (owner: string, leaseCounter: number, durationMs = 300): ShardState => ({ leaseCounter, holder: { owner, durationMs } });
const taker = { owner: 'worker-b', durationMs: 300 };

describe('LeaseObserver', () => {
  it('takes a free or released lease, and its own, at once', () => {
    const observer = new LeaseObserver({ now: manualClock().now });
    expect(observer.mayTake('k', { leaseCounter: 0 }, taker)).toBe(true);
    expect(observer.mayTake('k', { leaseCounter: 4 }, taker)).toBe(true);
    expect(observer.mayTake('k', heldBy('worker-b', 4), taker)).toBe(true);
  });

  it('takes a held lease only once the same holder and counter were seen for the full duration', () => {
    const clock = manualClock();
    const observer = new LeaseObserver({ now: clock.now });
    expect(observer.mayTake('k', heldBy('worker-a', 1), taker)).toBe(false);
    clock.advance(299);
    expect(observer.mayTake('k', heldBy('worker-a', 1), taker)).toBe(false);
    clock.advance(1);
    expect(observer.mayTake('k', heldBy('worker-a', 1), taker)).toBe(true);
  });

  it('starts over when the counter or the holder changes', () => {
    const clock = manualClock();
    const observer = new LeaseObserver({ now: clock.now });
    observer.mayTake('k', heldBy('worker-a', 1), taker);
    clock.advance(250);
    expect(observer.mayTake('k', heldBy('worker-a', 2), taker)).toBe(false);
    clock.advance(250);
    expect(observer.mayTake('k', heldBy('worker-a', 2), taker)).toBe(false);
    expect(observer.mayTake('k', heldBy('worker-c', 2), taker)).toBe(false);
    clock.advance(300);
    expect(observer.mayTake('k', heldBy('worker-c', 2), taker)).toBe(true);
  });

  it("waits for the longer of the holder's and the taker's duration", () => {
    const clock = manualClock();
    const observer = new LeaseObserver({ now: clock.now });
    observer.mayTake('k', heldBy('worker-a', 1, 1000), taker);
    clock.advance(999);
    expect(observer.mayTake('k', heldBy('worker-a', 1, 1000), taker)).toBe(false);
    observer.mayTake('j', heldBy('worker-a', 1, 100), { owner: 'worker-b', durationMs: 500 });
    clock.advance(499);
    expect(observer.mayTake('j', heldBy('worker-a', 1, 100), { owner: 'worker-b', durationMs: 500 })).toBe(false);
    clock.advance(1);
    expect(observer.mayTake('j', heldBy('worker-a', 1, 100), { owner: 'worker-b', durationMs: 500 })).toBe(true);
  });

  it('keeps shards apart and forgets a shard on request', () => {
    const clock = manualClock();
    const observer = new LeaseObserver({ now: clock.now });
    observer.mayTake('k', heldBy('worker-a', 1), taker);
    clock.advance(300);
    expect(observer.mayTake('other', heldBy('worker-a', 1), taker)).toBe(false);
    observer.forget('k');
    expect(observer.mayTake('k', heldBy('worker-a', 1), taker)).toBe(false);
  });
});
