/**
 * How long to wait before retry number `attempt` (1 for the first retry): exponential from
 * `baseMs`, capped at `maxMs`. Jitter spreads retries of many shards or producers so they do
 * not hit a throttled stream in lockstep; `Jitter.Equal` keeps at least half the delay so a
 * retry never fires immediately.
 *
 * @example
 * ```ts
 * const policy: BackoffPolicy = { baseMs: 50, maxMs: 2_000, jitter: Jitter.Equal };
 * ```
 */
export const Jitter = {
  Equal: 'equal',
  None: 'none',
} as const;
export type Jitter = (typeof Jitter)[keyof typeof Jitter];

/**
 * A capped exponential backoff.
 *
 * @example
 * ```ts
 * const throttled: BackoffPolicy = { baseMs: 100, maxMs: 5_000, jitter: Jitter.Equal };
 * ```
 */
export interface BackoffPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
  readonly jitter: Jitter;
}

/**
 * Delay in milliseconds before retry `attempt` (1-based) under `policy`.
 *
 * @example
 * ```ts
 * backoffDelayMs({ baseMs: 100, maxMs: 1_000, jitter: Jitter.None }, 3); // 400
 * backoffDelayMs({ baseMs: 100, maxMs: 1_000, jitter: Jitter.None }, 9); // 1000
 * ```
 */
export function backoffDelayMs(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const exponent = Math.max(0, attempt - 1);
  // 2 ** 31 would already dwarf any sane cap; stop growing before the number loses meaning.
  const capped = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(exponent, 31));
  return policy.jitter === Jitter.Equal ? capped / 2 + random() * (capped / 2) : capped;
}
