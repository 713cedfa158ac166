/**
 * UTC hour partitions: `year=YYYY/month=MM/day=DD/hour=HH`, zero-padded, string values
 * (Glue partition keys are strings).
 */
export const TIME_PARTITION_KEYS = ['year', 'month', 'day', 'hour'] as const;

export type TimePartitionKey = (typeof TIME_PARTITION_KEYS)[number];

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/**
 * The hour partition values of an instant, in UTC.
 *
 * @example
 * ```ts
 * hourPartition(Date.UTC(2026, 0, 2, 3, 4)); // ['2026', '01', '02', '03']
 * ```
 */
export function hourPartition(epochMs: number): [year: string, month: string, day: string, hour: string] {
  const d = new Date(epochMs);
  return [pad(d.getUTCFullYear(), 4), pad(d.getUTCMonth() + 1, 2), pad(d.getUTCDate(), 2), pad(d.getUTCHours(), 2)];
}

// Years outside 0000-9999 cannot be written as four digits.
const MIN_MS = Date.parse('0000-01-01T00:00:00.000Z');
const MAX_MS = Date.parse('9999-12-31T23:59:59.999Z');

/** True when the instant can be partitioned (finite, years 0000-9999). */
export function isPartitionableTime(epochMs: number): boolean {
  return Number.isFinite(epochMs) && epochMs >= MIN_MS && epochMs <= MAX_MS;
}
