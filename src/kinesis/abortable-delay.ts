import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Options for {@link abortableDelay}.
 *
 * @example
 * ```ts
 * const options: AbortableDelayOptions = { signal: controller.signal };
 * ```
 */
export interface AbortableDelayOptions {
  readonly signal?: AbortSignal;
}

/**
 * Waits `ms` milliseconds for pacing and backoff, returning early when `signal` aborts so a
 * stopping consumer is never held up by a retry timer. Resolves `true` when the whole delay
 * elapsed and `false` when it was cut short; never rejects.
 *
 * @example
 * ```ts
 * if (!(await abortableDelay(200, { signal }))) return; // stopping
 * ```
 */
export async function abortableDelay(ms: number, options: AbortableDelayOptions = {}): Promise<boolean> {
  if (options.signal?.aborted) return false;
  try {
    await sleep(ms, undefined, options.signal === undefined ? {} : { signal: options.signal });
    return true;
  } catch (error) {
    if (options.signal?.aborted) return false;
    throw error;
  }
}
