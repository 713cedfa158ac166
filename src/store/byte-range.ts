import { ObjectStoreError } from '../errors.ts';
import type { ByteRange } from './object-store.ts';

/**
 * Checks a range before an adapter reads it: whole numbers, `0 <= start <= end`. A range
 * past the object's end is not an error (it reads fewer bytes); a reversed one is a bug.
 *
 * @example
 * ```ts
 * assertByteRange('iot/t/a.parquet', { start: 0, end: 4 }); // ok
 * assertByteRange('iot/t/a.parquet', { start: 4, end: 0 }); // throws ObjectStoreError
 * ```
 */
export function assertByteRange(key: string, range: ByteRange): void {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new ObjectStoreError(`cannot read bytes [${start}, ${end}) of ${key}: a range is two whole numbers with 0 <= start <= end`);
  }
}
