/**
 * Whether the `occurrence`-th time something happens (1-based) is worth a line: the first,
 * then at a growing interval (2, 4, 8, 16...), so a condition that persists for hours writes
 * a handful of lines, not one per batch.
 *
 * @example
 * ```ts
 * [1, 2, 3, 4, 5, 8].filter(atGrowingInterval); // [1, 2, 4, 8]
 * ```
 */
export function atGrowingInterval(occurrence: number): boolean {
  return occurrence >= 1 && Number.isInteger(occurrence) && (occurrence & (occurrence - 1)) === 0;
}
