import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import { ObjectStoreError } from '../errors.ts';
import { describeS3Error } from './s3-error-details.ts';
import { throwIfAborted } from './write-abort.ts';

/** S3 takes at most 10,000 parts per upload. */
const MAX_PARTS = 10_000;
/** Parts uploading at once: the next part fills while earlier ones travel. */
const PARTS_IN_FLIGHT = 2;

/**
 * Where and how {@link uploadStream} writes.
 *
 * @example
 * ```ts
 * const target: StreamUploadTarget = { client, bucket: 'acme', key: 'sluice/iot/_compacted/t/g-000001/part-00000.parquet', partSize: 8 * 1024 * 1024 };
 * ```
 */
export interface StreamUploadTarget {
  readonly client: S3Client;
  readonly bucket: string;
  /** The full key in the bucket. */
  readonly key: string;
  /** Bytes of every part but the last (at least S3's 5 MiB). */
  readonly partSize: number;
  readonly contentType?: string;
  readonly signal?: AbortSignal;
}

/**
 * Writes a stream of unknown length to S3 with bounded memory: one PutObject when it ends
 * within the first part, else a multipart upload whose parts go up as they fill (at most
 * {@link PARTS_IN_FLIGHT} uploading while the next fills), completed only once the stream has
 * ended and the signal is not aborted. On any failure the upload is aborted, so no part is
 * left to bill and no object appears. The stream's own error is rethrown as it is; S3's
 * become `ObjectStoreError` naming the object.
 *
 * @example
 * ```ts
 * const bytes = await uploadStream({ client, bucket, key, partSize: 8 * 1024 * 1024 }, chunks);
 * ```
 */
export async function uploadStream(target: StreamUploadTarget, chunks: AsyncIterable<Uint8Array>): Promise<number> {
  const { client, bucket, key, partSize, signal } = target;
  const uri = `s3://${bucket}/${key}`;
  const pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let total = 0;
  let uploadId: string | undefined;
  const parts: CompletedPart[] = [];
  let partCount = 0;
  const inFlight = new Set<Promise<void>>();
  let partFailure: { error: unknown } | undefined;

  /** Exactly `size` bytes (or all that is pending, if less) off the front of `pending`. */
  const take = (size: number): Uint8Array => {
    const out = new Uint8Array(Math.min(size, pendingBytes));
    let filled = 0;
    while (filled < out.length) {
      const head = pending[0]!;
      const n = Math.min(head.byteLength, out.length - filled);
      out.set(head.subarray(0, n), filled);
      filled += n;
      if (n === head.byteLength) pending.shift();
      else pending[0] = head.subarray(n);
    }
    pendingBytes -= out.length;
    return out;
  };

  const s3 = async <T>(what: string, action: () => Promise<T>): Promise<T> => {
    try {
      return await action();
    } catch (error) {
      if (error instanceof ObjectStoreError) throw error;
      throw new ObjectStoreError(`could not write ${uri} (${what}): ${describeS3Error(error)}`, error);
    }
  };

  const sendPart = async (body: Uint8Array): Promise<void> => {
    const partNumber = ++partCount;
    if (partNumber > MAX_PARTS) {
      throw new ObjectStoreError(`could not write ${uri}: more than ${MAX_PARTS} parts of ${partSize} bytes; raise the store's partSizeBytes`);
    }
    uploadId ??= await s3('CreateMultipartUpload', async () => {
      const created = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: target.contentType }));
      if (created.UploadId === undefined) throw new ObjectStoreError(`S3 started a multipart upload of ${uri} without an upload id`);
      return created.UploadId;
    });
    const id = uploadId;
    const upload = s3(`part ${partNumber}`, async () => {
      const answer = await client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: id, PartNumber: partNumber, Body: body }));
      if (!answer.ETag) throw new ObjectStoreError(`S3 accepted part ${partNumber} of ${uri} without an ETag`);
      parts[partNumber - 1] = { PartNumber: partNumber, ETag: answer.ETag };
    }).catch((error: unknown) => {
      partFailure ??= { error };
    });
    inFlight.add(upload);
    void upload.finally(() => inFlight.delete(upload));
    while (inFlight.size >= PARTS_IN_FLIGHT) await Promise.race(inFlight);
    if (partFailure !== undefined) throw partFailure.error;
  };

  try {
    for await (const chunk of chunks) {
      throwIfAborted(signal, uri);
      pending.push(chunk);
      pendingBytes += chunk.byteLength;
      total += chunk.byteLength;
      while (pendingBytes >= partSize) await sendPart(take(partSize));
    }
    throwIfAborted(signal, uri);
    if (uploadId === undefined) {
      const body = take(pendingBytes);
      await s3('PutObject', () => client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: target.contentType })));
      return total;
    }
    if (pendingBytes > 0) await sendPart(take(pendingBytes));
    // Settle every part before completing, so none lands after the answer.
    await Promise.all(inFlight);
    if (partFailure !== undefined) throw partFailure.error;
    throwIfAborted(signal, uri);
    const id = uploadId;
    await s3('CompleteMultipartUpload', () =>
      client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: id, MultipartUpload: { Parts: parts } })),
    );
    return total;
  } catch (error) {
    // Settle the parts still travelling before aborting, so none lands after the abort and lingers.
    await Promise.allSettled(inFlight);
    if (uploadId !== undefined) {
      const id = uploadId;
      // The abort's own failure must not hide the cause; the bucket's lifecycle rule aborts what is left.
      await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: id })).catch(() => undefined);
    }
    throw error;
  }
}
