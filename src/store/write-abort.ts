import { ObjectStoreError } from '../errors.ts';

/**
 * Throws `ObjectStoreError` once `signal` is aborted: a streamed write checks it before it completes the object.
 *
 * @example
 * ```ts
 * throwIfAborted(options.signal, uri); // before the rename, or CompleteMultipartUpload
 * ```
 */
export function throwIfAborted(signal: AbortSignal | undefined, where: string): void {
  if (signal?.aborted) {
    throw new ObjectStoreError(`the write of ${where} was stopped before it completed (${String(signal.reason)}); nothing was written`, signal.reason);
  }
}
