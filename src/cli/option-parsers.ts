import { InvalidArgumentError } from 'commander';

/**
 * Commander argument parser for whole numbers in a range.
 *
 * @example
 * ```ts
 * program.option('--records <n>', 'how many', wholeNumber({ min: 1 }), 20000);
 * ```
 */
export function wholeNumber(range: { min?: number; max?: number } = {}): (value: string) => number {
  const min = range.min ?? 0;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}, got '${value}'`);
    }
    return n;
  };
}

/** Commander argument parser for non-negative decimals (seconds, probabilities). */
export function decimal(range: { min?: number; max?: number } = {}): (value: string) => number {
  const min = range.min ?? 0;
  const max = range.max ?? Number.MAX_VALUE;
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a number from ${min} to ${max}, got '${value}'`);
    }
    return n;
  };
}

/** Commander argument parser for ISO-8601 instants. */
export function instant(value: string): Date {
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw new InvalidArgumentError(`expected an ISO-8601 time such as 2026-11-23T06:00:00Z, got '${value}'`);
  return new Date(ms);
}
