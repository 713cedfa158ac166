import { CompactionError } from '../errors.ts';
import type { Job } from '../job/define-job.ts';

const MIB = 1024 * 1024;
const MINUTE_MS = 60_000;

/**
 * Compaction's defaults.
 *
 * @example
 * ```ts
 * CompactionDefaults.targetBytes; // 134217728 (128 MiB)
 * ```
 */
export const CompactionDefaults = {
  /** Output files near this size: large enough for Athena to read efficiently, small enough to write in one piece. */
  targetBytes: 128 * MIB,
  /** How long replaced files stay readable after the swap: longer than any query runs. */
  graceMs: 60 * MINUTE_MS,
  /** Added to the job's maximum record age: covers the function timeout and clock skew between writers and the compactor. */
  horizonMarginMs: 15 * MINUTE_MS,
} as const;

/**
 * How one compaction run behaves.
 *
 * @example
 * ```ts
 * const settings: CompactionSettings = { targetBytes: 128 * 1024 * 1024, horizonMs: 6.25 * 3_600_000, graceMs: 3_600_000 };
 * ```
 */
export interface CompactionSettings {
  /** Output files are about this large (bytes of the input they replace). */
  readonly targetBytes: number;
  /** Files younger than this may still be overwritten by a retry, and hours ending within it may still grow: both wait. */
  readonly horizonMs: number;
  /** Replaced files are deleted this long after the swap. */
  readonly graceMs: number;
}

/**
 * The settings of a run: the overrides given, else the defaults. The default horizon is the
 * job's `retry.maxRecordAgeSeconds` plus 15 minutes (DESIGN.md §4: after it, no retry can
 * rewrite a file). A job without a maximum record age (-1) has no horizon: the run then needs
 * one given explicitly. Throws `CompactionError` for a missing horizon or a value out of range.
 *
 * @example
 * ```ts
 * compactionSettings(job, { targetBytes: 64 * 1024 * 1024 });
 * // { targetBytes: 67108864, horizonMs: 21600000 + 900000, graceMs: 3600000 }
 * ```
 */
export function compactionSettings(job: Job, overrides: Partial<CompactionSettings> = {}): CompactionSettings {
  const ageSeconds = job.retry.maxRecordAgeSeconds;
  const horizonMs = overrides.horizonMs ?? (ageSeconds < 0 ? undefined : ageSeconds * 1000 + CompactionDefaults.horizonMarginMs);
  if (horizonMs === undefined) {
    throw new CompactionError(
      `job '${job.name}' retries batches with no age limit (retry.maxRecordAgeSeconds -1), so a retry may rewrite any file at any time ` +
        `and no file is ever safe to compact: give the retry horizon explicitly (sluice compact --horizon 7h), or set retry.maxRecordAgeSeconds`,
    );
  }
  const settings = { targetBytes: overrides.targetBytes ?? CompactionDefaults.targetBytes, horizonMs, graceMs: overrides.graceMs ?? CompactionDefaults.graceMs };
  if (!Number.isSafeInteger(settings.targetBytes) || settings.targetBytes < 1) {
    throw new CompactionError(`job '${job.name}': compaction target size ${settings.targetBytes} is not a size in bytes; give a whole number of bytes, at least 1 (e.g. 128 MiB)`);
  }
  for (const [name, value] of [['horizon', settings.horizonMs], ['grace period', settings.graceMs]] as const) {
    if (!Number.isFinite(value) || value < 0) throw new CompactionError(`job '${job.name}': compaction ${name} ${value} ms is not a duration; give 0 or more`);
  }
  return settings;
}
