/**
 * Turns a job, stream or shard name into one path or key segment that cannot climb out of
 * its folder: URI-encoded, and names made only of dots (`.`, `..`) spelled as `%2E`.
 *
 * @example
 * ```ts
 * nameSegment('sensor-readings'); // 'sensor-readings'
 * nameSegment('..');              // '%2E%2E'
 * nameSegment('../escape');       // '..%2Fescape'
 * ```
 */
export function nameSegment(name: string): string {
  const encoded = encodeURIComponent(name);
  return /^\.+$/.test(encoded) ? encoded.replaceAll('.', '%2E') : encoded;
}
