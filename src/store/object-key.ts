import { ObjectStoreError } from '../errors.ts';

/**
 * Checks an object key before any adapter touches storage: `/`-separated, relative, no
 * empty, `.` or `..` segments. Escaped partition values can never produce such segments;
 * this is the last line of defence for keys from elsewhere.
 *
 * @example
 * ```ts
 * assertSafeKey('iot/sensor_readings/year=2026/a.parquet'); // ok
 * assertSafeKey('../etc/passwd');                          // throws ObjectStoreError
 * ```
 */
export function assertSafeKey(key: string, options: { allowPrefix?: boolean } = {}): void {
  if (options.allowPrefix && key === '') return;
  const segments = (options.allowPrefix && key.endsWith('/') ? key.slice(0, -1) : key).split('/');
  if (key.startsWith('/') || segments.some((s) => s === '' || s === '.' || s === '..') || key.includes('\0')) {
    throw new ObjectStoreError(`unsafe object key '${key}': keys are relative '/'-separated paths without empty, '.' or '..' segments`);
  }
}
