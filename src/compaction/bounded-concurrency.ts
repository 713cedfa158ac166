/**
 * Runs `work` on every item, at most `limit` at once, in item order of starting. On the first
 * failure no more items start, the ones running are waited for, then that failure is thrown:
 * nothing keeps writing after the caller has been told the work failed.
 *
 * @example
 * ```ts
 * const receipts = await mapBounded(units, 4, (unit) => runUnit(context, unit));
 * ```
 */
export async function mapBounded<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index]!, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure !== undefined) throw failure.error;
  return results;
}
