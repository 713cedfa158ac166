/**
 * Turns Ctrl-C / SIGTERM into an AbortSignal: the first asks the run to stop after the
 * in-flight batches commit; a second exits at once (the checkpoint makes that safe too).
 *
 * @example
 * ```ts
 * const stop = stopSignal({ onFirst: () => log.info('stopping...') });
 * try { await runJob({ ..., signal: stop.signal }); } finally { stop.dispose(); }
 * ```
 */
export function stopSignal(options: { onFirst?: () => void } = {}): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const handler = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(signal === 'SIGINT' ? 130 : 143);
    options.onFirst?.();
    controller.abort(new Error(`stopped by ${signal}`));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
