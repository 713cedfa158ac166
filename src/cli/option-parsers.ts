import bytes from 'bytes';
import { InvalidArgumentError } from 'commander';
import ms from 'ms';
import { isoInstantMs } from '../schema/iso-instant.ts';

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

/** Commander argument parser for ISO-8601 instants; a date-time without a zone is UTC. */
export function instant(value: string): Date {
  const ms = isoInstantMs(value);
  if (!Number.isFinite(ms)) throw new InvalidArgumentError(`expected an ISO-8601 time such as 2026-11-23T06:00:00Z, got '${value}'`);
  return new Date(ms);
}

/**
 * Commander argument parser for durations in ms's syntax (`90s`, `15m`, `7h`, `2d`; a bare
 * number is milliseconds), as milliseconds.
 *
 * @example
 * ```ts
 * program.option('--grace <duration>', 'how long replaced files stay', duration);
 * duration('7h'); // 25200000
 * ```
 */
export function duration(value: string): number {
  // `ms` reads a bare number as milliseconds: `--horizon 5` would be 5 ms, never what anyone means.
  if (/^\s*[\d.]+\s*$/.test(value)) {
    throw new InvalidArgumentError(`'${value}' has no unit: give a duration such as 90s, 15m, 7h or 2d (ms, s, m, h, d)`);
  }
  const milliseconds = ms(value.trim() as ms.StringValue) as number | undefined;
  if (milliseconds === undefined || !Number.isFinite(milliseconds) || milliseconds < 0) {
    throw new InvalidArgumentError(`expected a duration such as 90s, 15m, 7h or 2d, got '${value}'`);
  }
  return milliseconds;
}

/**
 * Commander argument parser for sizes (`128MiB`, `64MB`, `1GiB`, `512kb`, or bytes), as
 * bytes. Units are binary either way (1 MB = 1 MiB = 1024 KiB), as in the `bytes` package.
 *
 * @example
 * ```ts
 * program.option('--target-size <size>', 'file size to aim for', byteSize);
 * byteSize('128MiB'); // 134217728
 * ```
 */
export function byteSize(value: string): number {
  // bytes.parse reads the leading number of anything (`1.5.5MB` is 1): check the whole shape first.
  const shaped = /^\d+(\.\d+)?\s*([kmgtp]i?b|b)?$/i.test(value.trim());
  const parsed = shaped ? bytes.parse(value.trim().replace(/([kmgtp])ib$/i, '$1b')) : null;
  if (parsed === null || !Number.isSafeInteger(parsed) || parsed < 1) {
    throw new InvalidArgumentError(`expected a size such as 128MiB, 64MB or 1GiB, got '${value}'`);
  }
  return parsed;
}
