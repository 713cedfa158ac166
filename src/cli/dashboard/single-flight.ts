/**
 * Wraps an async read so that callers arriving while it runs share its answer instead of
 * starting another: however many pages poll, one read is under way at a time.
 *
 * @example
 * ```ts
 * const status = singleFlight(() => readPipelineStatus({ sources: env, jobs }));
 * const [a, b] = await Promise.all([status(), status()]); // one read
 * ```
 */
export function singleFlight<T>(read: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined;
  return () => {
    running ??= read().finally(() => {
      running = undefined;
    });
    return running;
  };
}
