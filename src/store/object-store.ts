/**
 * ObjectStore port: where table files and rejects go (a local folder, S3).
 *
 * Contract, for every adapter:
 * - `put(key, body)` replaces the whole object atomically: a reader sees the old bytes or
 *   the new bytes, never a part. Idempotent: putting the same bytes twice is harmless, which
 *   is what makes retried batches safe. Rejects with `ObjectStoreError` on failure; the
 *   caller fails the batch and retries it.
 * - `get(key)` returns the bytes, or `undefined` when there is no such object.
 * - `list(prefix)` yields every object whose key starts with `prefix`, in key order,
 *   however many there are (adapters page internally), each with its size and when it was
 *   last written (`lastModified`: a re-put moves it forward). Compaction reads it to leave
 *   files alone that a retry may still overwrite.
 * - `delete(keys)` removes the objects; absent keys are not an error. Idempotent.
 * - `locationOf(key)` is the URI a reader (DuckDB, Athena) uses for the key or prefix:
 *   an absolute path locally, `s3://bucket/key` on S3. Pure.
 * Keys are `/`-separated, never start with `/`, never contain `..` segments.
 */
export interface ObjectStore {
  put(key: string, body: Uint8Array, options?: PutOptions): Promise<void>;
  get(key: string): Promise<Uint8Array | undefined>;
  list(prefix: string): AsyncIterable<ObjectInfo>;
  delete(keys: readonly string[]): Promise<void>;
  locationOf(key: string): string;
}

export interface PutOptions {
  readonly contentType?: string;
}

export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
  /** When the object was last written, by the store's clock (S3 keeps whole seconds). */
  readonly lastModified: Date;
}
