import { PutRecordsCommand, type KinesisClient, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { SourceError } from '../errors.ts';
import { abortableDelay } from './abortable-delay.ts';
import { backoffDelayMs, Jitter, type BackoffPolicy } from './backoff.ts';
import { messageOf } from '../error-message.ts';
import { classifyKinesisError, isRetryableKinesisFailure } from './kinesis-failure.ts';

/**
 * One record to put on a stream.
 *
 * @example
 * ```ts
 * const record: ProducerRecord = { data: new TextEncoder().encode('{"a":1}'), partitionKey: 'rpi-sensehat-007' };
 * ```
 */
export interface ProducerRecord {
  readonly data: Uint8Array;
  /** Records with the same key land on the same shard. */
  readonly partitionKey: string;
}

/**
 * What {@link putRecords} writes, and where.
 *
 * @example
 * ```ts
 * const request: PutRecordsRequest = { stream: 'iot-sensor', records };
 * ```
 */
export interface PutRecordsRequest {
  readonly stream: string;
  readonly records: readonly ProducerRecord[];
}

/**
 * Progress after each PutRecords call that wrote something.
 *
 * @example
 * ```ts
 * const onProgress = ({ written, total }: PutProgress) => console.log(`${written}/${total}`);
 * ```
 */
export interface PutProgress {
  readonly written: number;
  readonly total: number;
}

/**
 * Options for {@link putRecords}.
 *
 * @example
 * ```ts
 * const options: PutRecordsOptions = { onProgress: ({ written }) => bar.update(written) };
 * ```
 */
export interface PutRecordsOptions {
  readonly onProgress?: (progress: PutProgress) => void;
  /** PutRecords calls per chunk before giving up, the first included; 10 by default. */
  readonly maxAttempts?: number;
  readonly backoff?: BackoffPolicy;
}

/** Kinesis limits per PutRecords call. */
const MAX_RECORDS_PER_CALL = 500;
const MAX_BYTES_PER_CALL = 5 * 1024 * 1024;
const DEFAULT_ATTEMPTS = 10;
const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 50, maxMs: 2_000, jitter: Jitter.Equal };

const utf8 = new TextEncoder();

/**
 * Writes every record with PutRecords, in calls of at most 500 records and 5 MiB (data plus
 * partition keys, as Kinesis counts). A partly failed call (throttled or internal failure per
 * entry) re-sends only the failed entries after a capped jittered backoff, so nothing is
 * written twice. Returns the number of records written (all of them, or it rejects with a
 * `SourceError`).
 *
 * Re-sending only failed entries means a retried record can land after a later record with
 * the same partition key: order per key holds only while the stream is not throttling.
 *
 * @example
 * ```ts
 * const written = await putRecords(client, {
 *   stream: 'iot-sensor',
 *   records: messages.map((m) => ({ data: utf8.encode(JSON.stringify(m)), partitionKey: m.client_id })),
 * });
 * ```
 */
export async function putRecords(client: KinesisClient, request: PutRecordsRequest, options: PutRecordsOptions = {}): Promise<number> {
  const total = request.records.length;
  let written = 0;
  for (const chunk of chunksWithinCallLimits(request.records)) {
    written += await putChunk(client, request.stream, chunk, {
      maxAttempts: options.maxAttempts ?? DEFAULT_ATTEMPTS,
      backoff: options.backoff ?? DEFAULT_BACKOFF,
      onWritten: (count) => options.onProgress?.({ written: written + count, total }),
    });
  }
  return written;
}

function* chunksWithinCallLimits(records: readonly ProducerRecord[]): Generator<PutRecordsRequestEntry[]> {
  let chunk: PutRecordsRequestEntry[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = record.data.byteLength + utf8.encode(record.partitionKey).byteLength;
    if (chunk.length > 0 && (chunk.length === MAX_RECORDS_PER_CALL || bytes + size > MAX_BYTES_PER_CALL)) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push({ Data: record.data, PartitionKey: record.partitionKey });
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}

interface ChunkOptions {
  readonly maxAttempts: number;
  readonly backoff: BackoffPolicy;
  /** Records of this chunk written so far. */
  readonly onWritten: (count: number) => void;
}

async function putChunk(client: KinesisClient, stream: string, chunk: PutRecordsRequestEntry[], options: ChunkOptions): Promise<number> {
  let pending = chunk;
  let written = 0;
  let lastFailure = '';
  for (let attempt = 1; attempt <= options.maxAttempts; attempt++) {
    if (attempt > 1) await abortableDelay(backoffDelayMs(options.backoff, attempt - 1));
    let output;
    try {
      output = await client.send(new PutRecordsCommand({ StreamName: stream, Records: pending }));
    } catch (error) {
      if (!isRetryableKinesisFailure(classifyKinesisError(error))) {
        throw new SourceError(`PutRecords to Kinesis stream '${stream}' failed: ${messageOf(error)}`, error);
      }
      lastFailure = messageOf(error);
      continue;
    }
    const results = output.Records ?? [];
    if (results.length !== pending.length) {
      throw new SourceError(
        `PutRecords to Kinesis stream '${stream}' answered ${results.length} results for ${pending.length} records; nothing can be re-sent safely`,
      );
    }
    const failed: PutRecordsRequestEntry[] = [];
    results.forEach((result, index) => {
      if (result.ErrorCode !== undefined) {
        failed.push(pending[index] as PutRecordsRequestEntry);
        lastFailure = `${result.ErrorCode}: ${result.ErrorMessage ?? ''}`;
      }
    });
    if (pending.length > failed.length) {
      written += pending.length - failed.length;
      options.onWritten(written);
    }
    if (failed.length === 0) return written;
    pending = failed;
  }
  throw new SourceError(
    `PutRecords to Kinesis stream '${stream}': ${pending.length} records still failed after ${options.maxAttempts} attempts (last: ${lastFailure}); ` +
      'the stream is throttling: add shards or slow the producer down',
  );
}
