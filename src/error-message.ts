/**
 * The readable part of anything thrown, for messages that wrap a cause.
 *
 * @example
 * ```ts
 * throw new SourceError(`cannot list shards of '${stream}': ${messageOf(error)}`, error);
 * ```
 */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
