/**
 * A small seeded PRNG (mulberry32) so simulated fleets are the same for the same seed on
 * every machine and Node version, which `Math.random` cannot promise.
 *
 * @example
 * ```ts
 * const random = new SeededRandom(7);
 * random.between(15, 35); // same value for seed 7, every run
 * ```
 */
export class SeededRandom {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /**
   * Uniform in [0, 1).
   *
   * @example
   * ```ts
   * if (random.next() < 0.05) changeActivity();
   * ```
   */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /**
   * Uniform in [min, max).
   *
   * @example
   * ```ts
   * const humidity = random.between(20, 80);
   * ```
   */
  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  /**
   * A whole number in [min, max].
   *
   * @example
   * ```ts
   * const byte = random.integer(0, 255);
   * ```
   */
  integer(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /**
   * One element of a non-empty list.
   *
   * @example
   * ```ts
   * const activity = random.pick(['walking', 'running']);
   * ```
   */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('cannot pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }
}
