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

/**
 * ObjectStore port, with ranged reads and streamed writes: what compaction needs so that its
 * memory depends on the size of a part and a row group, not on the size of an object.
 * Every adapter of {@link ObjectStore} implements it (one contract suite runs on all of them).
 *
 * Contract, in addition to {@link ObjectStore}'s:
 * - `getRange(key, { start, end })` returns the bytes `[start, end)` of the object, fewer when
 *   the object ends first (none when `start` is at or past its end), or `undefined` when
 *   there is no such object. `0 <= start <= end` (whole numbers), else `ObjectStoreError`.
 *   Read-only; rejects with `ObjectStoreError` on failure.
 * - `putStream(key, chunks, options)` writes the concatenation of `chunks` as one object,
 *   atomically: readers see the old object (or none) until the iterable has ended and the
 *   store has the whole of it, then the new one, never a part. The adapter holds at most about
 *   a part's worth of bytes (S3: `partSizeBytes` for each part in flight), however long the
 *   stream is. Resolves with the object's size. When `chunks` throws, rejects with that very
 *   error; when `options.signal` is aborted before the object is complete, rejects with
 *   `ObjectStoreError`; either way nothing is written and nothing is left behind (an unfinished
 *   multipart upload is aborted, a temporary file removed). A store failure rejects with
 *   `ObjectStoreError`. Idempotent as `put` is: the same bytes twice are harmless.
 *
 * @example
 * ```ts
 * const footer = await store.getRange('iot/t/a.parquet', { start: size - 8, end: size });
 * const { bytes } = await store.putStream('iot/_compacted/t/g-000001/part-00000.parquet', parquetChunks, { contentType: PARQUET });
 * ```
 */
export interface StreamingObjectStore extends ObjectStore {
  getRange(key: string, range: ByteRange): Promise<Uint8Array | undefined>;
  putStream(key: string, chunks: AsyncIterable<Uint8Array>, options?: PutStreamOptions): Promise<{ readonly bytes: number }>;
}

/**
 * Bytes `[start, end)` of an object.
 *
 * @example
 * ```ts
 * const range: ByteRange = { start: 0, end: 4 }; // 'PAR1'
 * ```
 */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Options of {@link StreamingObjectStore.putStream}.
 *
 * @example
 * ```ts
 * const options: PutStreamOptions = { contentType: 'application/vnd.apache.parquet', signal: AbortSignal.timeout(60_000) };
 * ```
 */
export interface PutStreamOptions extends PutOptions {
  /** Once aborted, the object is not completed: a writer past its deadline must not land. */
  readonly signal?: AbortSignal;
}

export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
  /** When the object was last written, by the store's clock (S3 keeps whole seconds). */
  readonly lastModified: Date;
}
