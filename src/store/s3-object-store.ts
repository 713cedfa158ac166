import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { CompletedPart, S3Client } from '@aws-sdk/client-s3';
import { ObjectStoreError } from '../errors.ts';
import { assertByteRange } from './byte-range.ts';
import { assertSafeKey } from './object-key.ts';
import type { ByteRange, ObjectInfo, PutOptions, PutStreamOptions, StreamingObjectStore } from './object-store.ts';
import { describeS3Error } from './s3-error-details.ts';
import { uploadStream } from './s3-stream-upload.ts';

const MIB = 1024 * 1024;
/** S3 refuses parts under 5 MiB (except the last one). */
const MIN_PART_BYTES = 5 * MIB;
const MAX_PARTS = 10_000;
/** DeleteObjects takes at most 1000 keys per request. */
const DELETE_BATCH = 1000;
const PART_CONCURRENCY = 4;

/**
 * Options for {@link S3ObjectStore}.
 *
 * @example
 * ```ts
 * const options: S3ObjectStoreOptions = { client, bucket: 'acme-warehouse', prefix: 'sluice', multipartThresholdBytes: 64 * 1024 * 1024 };
 * ```
 */
export interface S3ObjectStoreOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** Key prefix inside the bucket; every key of the store lives under `<prefix>/`. */
  readonly prefix?: string;
  /** Bodies larger than this go up in parts; default 16 MiB. */
  readonly multipartThresholdBytes?: number;
  /** Size of each part but the last; default 8 MiB, at least 5 MiB (S3's minimum). */
  readonly partSizeBytes?: number;
}

/**
 * ObjectStore on S3 (or any S3-compatible server). A put is one PutObject, or above the
 * multipart threshold a multipart upload that is aborted when any part fails; either way
 * readers see the old or the new object, never a part. Listing pages with ListObjectsV2
 * continuation tokens, deleting goes 1000 keys per DeleteObjects and fails on any per-key
 * error. Every failure is an `ObjectStoreError` naming the bucket and key.
 *
 * @example
 * ```ts
 * const store = new S3ObjectStore({ client: createS3Client(), bucket: 'acme-warehouse', prefix: 'sluice' });
 * await store.put('iot/sensor_readings/year=2026/month=11/day=23/hour=08/shardId-000000000000-4960.parquet', bytes);
 * store.locationOf('iot/sensor_readings'); // 's3://acme-warehouse/sluice/iot/sensor_readings'
 * ```
 */
export class S3ObjectStore implements StreamingObjectStore {
  readonly bucket: string;
  readonly prefix: string;
  readonly #client: S3Client;
  readonly #multipartThreshold: number;
  readonly #partSize: number;

  constructor(options: S3ObjectStoreOptions) {
    this.#client = options.client;
    this.bucket = options.bucket;
    this.prefix = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
    if (this.prefix !== '') assertSafeKey(this.prefix);
    this.#multipartThreshold = options.multipartThresholdBytes ?? 16 * MIB;
    this.#partSize = options.partSizeBytes ?? 8 * MIB;
    if (!(this.#partSize >= MIN_PART_BYTES)) {
      throw new ObjectStoreError(`partSizeBytes ${this.#partSize} is below S3's minimum part size of ${MIN_PART_BYTES} bytes (5 MiB): raise it`);
    }
    if (!(this.#multipartThreshold >= 0)) {
      throw new ObjectStoreError(`multipartThresholdBytes must be a size in bytes, not ${this.#multipartThreshold}`);
    }
  }

  /**
   * Writes the whole object; replaces any previous one.
   *
   * @example
   * ```ts
   * await store.put('iot/t/a.parquet', bytes, { contentType: 'application/vnd.apache.parquet' });
   * ```
   */
  async put(key: string, body: Uint8Array, options: PutOptions = {}): Promise<void> {
    const fullKey = this.#fullKey(key);
    try {
      if (body.byteLength > this.#multipartThreshold) await this.#putInParts(fullKey, body, options);
      else await this.#client.send(new PutObjectCommand({ Bucket: this.bucket, Key: fullKey, Body: body, ContentType: options.contentType }));
    } catch (error) {
      if (error instanceof ObjectStoreError) throw error;
      throw new ObjectStoreError(`could not write ${this.#uri(fullKey)} (${body.byteLength} bytes): ${describeS3Error(error)}`, error);
    }
  }

  /**
   * The object's bytes, or undefined when there is no such key (a missing bucket is an error).
   *
   * @example
   * ```ts
   * const bytes = await store.get('iot/t/a.parquet');
   * ```
   */
  async get(key: string): Promise<Uint8Array | undefined> {
    const fullKey = this.#fullKey(key);
    try {
      const answer = await this.#client.send(new GetObjectCommand({ Bucket: this.bucket, Key: fullKey }));
      if (answer.Body === undefined) throw new ObjectStoreError(`S3 answered GetObject of ${this.#uri(fullKey)} without a body`);
      return await answer.Body.transformToByteArray();
    } catch (error) {
      if (error instanceof NoSuchKey) return undefined;
      if (error instanceof ObjectStoreError) throw error;
      throw new ObjectStoreError(`could not read ${this.#uri(fullKey)}: ${describeS3Error(error)}`, error);
    }
  }

  /**
   * Bytes `[start, end)` of the object (one ranged GetObject), fewer at its end, or undefined
   * when there is no such key.
   *
   * @example
   * ```ts
   * const tail = await store.getRange('iot/t/a.parquet', { start: size - 8, end: size }); // footer length + 'PAR1'
   * ```
   */
  async getRange(key: string, range: ByteRange): Promise<Uint8Array | undefined> {
    const fullKey = this.#fullKey(key);
    assertByteRange(key, range);
    if (range.end === range.start) return (await this.#exists(fullKey)) ? new Uint8Array(0) : undefined;
    try {
      const answer = await this.#client.send(new GetObjectCommand({ Bucket: this.bucket, Key: fullKey, Range: `bytes=${range.start}-${range.end - 1}` }));
      if (answer.Body === undefined) throw new ObjectStoreError(`S3 answered GetObject of ${this.#uri(fullKey)} without a body`);
      const bytes = await answer.Body.transformToByteArray();
      // A server that ignores Range sends the whole object (200 instead of 206): keep the range asked for.
      return answer.ContentRange === undefined && bytes.byteLength > range.end - range.start ? bytes.slice(range.start, range.end) : bytes;
    } catch (error) {
      if (error instanceof NoSuchKey) return undefined;
      if (error instanceof ObjectStoreError) throw error;
      // A range that starts at or past the end: there are no bytes there.
      if (isInvalidRange(error)) return new Uint8Array(0);
      throw new ObjectStoreError(`could not read bytes [${range.start}, ${range.end}) of ${this.#uri(fullKey)}: ${describeS3Error(error)}`, error);
    }
  }

  /**
   * Writes a stream of unknown length: one PutObject if it ends within the first part, else a
   * multipart upload whose parts (`partSizeBytes` each) go up as they fill, completed once the
   * stream ends; aborted on any failure or once `options.signal` is aborted.
   *
   * @example
   * ```ts
   * const { bytes } = await store.putStream('iot/_compacted/t/g-000001/part-00000.parquet', parquetChunks);
   * ```
   */
  async putStream(key: string, chunks: AsyncIterable<Uint8Array>, options: PutStreamOptions = {}): Promise<{ readonly bytes: number }> {
    const bytes = await uploadStream(
      {
        client: this.#client,
        bucket: this.bucket,
        key: this.#fullKey(key),
        partSize: this.#partSize,
        ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      },
      chunks,
    );
    return { bytes };
  }

  /**
   * Every object under `prefix`, in key order, page by page.
   *
   * @example
   * ```ts
   * for await (const { key, size, lastModified } of store.list('iot/sensor_readings/year=2026/')) console.log(key, size, lastModified);
   * ```
   */
  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    assertSafeKey(prefix, { allowPrefix: true });
    const fullPrefix = this.prefix === '' ? prefix : `${this.prefix}/${prefix}`;
    const strip = this.prefix === '' ? 0 : this.prefix.length + 1;
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.#client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: fullPrefix, ContinuationToken: token }));
      } catch (error) {
        throw new ObjectStoreError(`could not list ${this.#uri(fullPrefix)}: ${describeS3Error(error)}`, error);
      }
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        // S3 always sends LastModified; a server that does not must not make a file look ancient.
        yield { key: object.Key.slice(strip), size: object.Size ?? 0, lastModified: object.LastModified ?? new Date(8.64e15) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
      // A truncated page without a token would restart the listing forever.
      if (page.IsTruncated && token === undefined) {
        throw new ObjectStoreError(`listing ${this.#uri(fullPrefix)}: S3 said the page was truncated but gave no continuation token`);
      }
    } while (token !== undefined);
  }

  /**
   * Removes the objects, 1000 per request; absent keys are not an error.
   *
   * @example
   * ```ts
   * await store.delete(['iot/t/old-1.parquet', 'iot/t/old-2.parquet']);
   * ```
   */
  async delete(keys: readonly string[]): Promise<void> {
    const fullKeys = keys.map((key) => this.#fullKey(key));
    for (let start = 0; start < fullKeys.length; start += DELETE_BATCH) {
      const batch = fullKeys.slice(start, start + DELETE_BATCH);
      let answer;
      try {
        answer = await this.#client.send(
          new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
        );
      } catch (error) {
        throw new ObjectStoreError(`could not delete ${batch.length} objects from s3://${this.bucket} (first ${batch[0]}): ${describeS3Error(error)}`, error);
      }
      // DeleteObjects answers 200 even when single keys fail: the failures are in the body.
      const failures = answer.Errors ?? [];
      if (failures.length > 0) {
        const shown = failures.slice(0, 5).map((f) => `${this.#uri(f.Key ?? '?')}: ${f.Code ?? 'error'} ${f.Message ?? ''}`.trim());
        throw new ObjectStoreError(
          `could not delete ${failures.length} of ${batch.length} objects from s3://${this.bucket}: ${shown.join('; ')}${failures.length > 5 ? '; ...' : ''}`,
          failures,
        );
      }
    }
  }

  /**
   * `s3://bucket/<prefix/>key` for a key or a key prefix.
   *
   * @example
   * ```ts
   * store.locationOf('iot/sensor_readings'); // 's3://acme-warehouse/sluice/iot/sensor_readings'
   * ```
   */
  locationOf(key: string): string {
    assertSafeKey(key, { allowPrefix: true });
    if (key === '') return this.prefix === '' ? `s3://${this.bucket}` : this.#uri(this.prefix);
    return this.#uri(this.prefix === '' ? key : `${this.prefix}/${key}`);
  }

  async #putInParts(fullKey: string, body: Uint8Array, options: PutOptions): Promise<void> {
    const partSize = Math.max(this.#partSize, Math.ceil(body.byteLength / MAX_PARTS));
    const created = await this.#client.send(
      new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: fullKey, ContentType: options.contentType }),
    );
    const uploadId = created.UploadId;
    if (uploadId === undefined) throw new ObjectStoreError(`S3 started a multipart upload of ${this.#uri(fullKey)} without an upload id`);
    try {
      const partCount = Math.ceil(body.byteLength / partSize);
      const parts: CompletedPart[] = new Array<CompletedPart>(partCount);
      let nextPart = 0;
      let failed = false;
      const uploadParts = async (): Promise<void> => {
        try {
          while (!failed && nextPart < partCount) {
            const index = nextPart++;
            const answer = await this.#client.send(
              new UploadPartCommand({
                Bucket: this.bucket,
                Key: fullKey,
                UploadId: uploadId,
                PartNumber: index + 1,
                Body: body.subarray(index * partSize, (index + 1) * partSize),
              }),
            );
            if (!answer.ETag) throw new ObjectStoreError(`S3 accepted part ${index + 1} of ${this.#uri(fullKey)} without an ETag`);
            parts[index] = { PartNumber: index + 1, ETag: answer.ETag };
          }
        } catch (error) {
          // The other uploaders stop taking parts: the upload is lost anyway.
          failed = true;
          throw error;
        }
      };
      // Settle every uploader before aborting, so no part lands after the abort and lingers.
      const outcomes = await Promise.allSettled(Array.from({ length: Math.min(PART_CONCURRENCY, partCount) }, uploadParts));
      const rejected = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (rejected !== undefined) throw rejected.reason;
      await this.#client.send(
        new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: fullKey, UploadId: uploadId, MultipartUpload: { Parts: parts } }),
      );
    } catch (error) {
      // Parts of an unfinished upload are billed until aborted; the abort's own failure must not hide the cause.
      await this.#client
        .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: fullKey, UploadId: uploadId }))
        .catch(() => undefined);
      throw error;
    }
  }

  async #exists(fullKey: string): Promise<boolean> {
    try {
      await this.#client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: fullKey }));
      return true;
    } catch (error) {
      if (error instanceof NotFound || error instanceof NoSuchKey) return false;
      throw new ObjectStoreError(`could not read ${this.#uri(fullKey)}: ${describeS3Error(error)}`, error);
    }
  }

  #fullKey(key: string): string {
    assertSafeKey(key);
    return this.prefix === '' ? key : `${this.prefix}/${key}`;
  }

  #uri(fullKey: string): string {
    return `s3://${this.bucket}/${fullKey}`;
  }
}

/** S3 answers 416 InvalidRange for a range that starts at or past the object's end. */
function isInvalidRange(error: unknown): boolean {
  const e = error as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'InvalidRange' || e?.Code === 'InvalidRange' || e?.$metadata?.httpStatusCode === 416;
}
