import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type KinesisClient, type ListShardsCommandInput } from '@aws-sdk/client-kinesis';
import { messageOf } from '../error-message.ts';
import { SourceError } from '../errors.ts';
import { toShardInfo, type ShardInfo } from './shard-lineage.ts';
import { toStreamRecord } from './kinesis-record.ts';
import { compareSequenceNumbers, type StreamRecord } from '../decode/stream-record.ts';

/**
 * What a shard holds after a consumer's checkpoint: the records it has still to read.
 *
 * @example
 * ```ts
 * const backlog: ShardBacklog = { records: 120, atLeast: false, oldestArrival: new Date('2026-12-03T09:00:00Z') };
 * ```
 */
export interface ShardBacklog {
  /** Records after the checkpoint (to the shard's tip when read whole). */
  readonly records: number;
  /** Counting stopped at the limit: there are at least `records`. */
  readonly atLeast: boolean;
  /** When the first record after the checkpoint arrived; absent when there is none. */
  readonly oldestArrival?: Date;
}

/**
 * Options of {@link shardBacklog}.
 *
 * @example
 * ```ts
 * const options: ShardBacklogOptions = { stream: 'iot-sensor', shardId: 'shardId-000000000000', after: '4959...', limit: 100_000 };
 * ```
 */
export interface ShardBacklogOptions {
  readonly stream: string;
  readonly shardId: string;
  /** The checkpoint: count records after this sequence number; from the oldest record the shard keeps when absent. */
  readonly after?: string;
  /** Stop counting after this many records (each GetRecords call reads up to 10,000). */
  readonly limit: number;
}

const PAGE = 10_000;

/**
 * Counts the records a shard holds after a checkpoint by reading them (Kinesis has no call
 * that counts), up to `limit`. Meant for local streams and small backlogs: every 10,000
 * records cost one GetRecords call, which on AWS shares the shard's 5 reads per second with
 * its consumers. Rejects with `SourceError`.
 *
 * @example
 * ```ts
 * const { records, oldestArrival } = await shardBacklog(client, { stream, shardId, after: checkpoint.sequenceNumber, limit: 100_000 });
 * ```
 */
export async function shardBacklog(client: KinesisClient, options: ShardBacklogOptions): Promise<ShardBacklog> {
  try {
    const start = await client.send(
      new GetShardIteratorCommand({
        StreamName: options.stream,
        ShardId: options.shardId,
        ...(options.after === undefined
          ? { ShardIteratorType: 'TRIM_HORIZON' }
          : { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: options.after }),
      }),
    );
    let iterator = start.ShardIterator;
    let records = 0;
    let oldestArrival: Date | undefined;
    while (iterator !== undefined && records < options.limit) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: Math.min(PAGE, options.limit - records) }));
      const got = page.Records ?? [];
      if (got.length > 0 && oldestArrival === undefined) oldestArrival = got[0]!.ApproximateArrivalTimestamp;
      records += got.length;
      // An empty page at the tip ends the count; AWS may answer empty pages mid-shard too, but then says it is behind.
      if (got.length === 0 && (page.MillisBehindLatest ?? 0) === 0) break;
      iterator = page.NextShardIterator;
    }
    return { records, atLeast: records >= options.limit, ...(oldestArrival === undefined ? {} : { oldestArrival }) };
  } catch (error) {
    throw new SourceError(`reading shard '${options.shardId}' of stream '${options.stream}' to count its backlog failed: ${messageOf(error)}`, error);
  }
}

/**
 * Every shard of a stream (following NextToken), or `undefined` when the stream does not exist.
 * Rejects with `SourceError` for any other failure.
 *
 * @example
 * ```ts
 * const shards = await streamShards(client, 'iot-sensor'); // [{ shardId: 'shardId-000000000000', parents: [], closed: false }, ...]
 * ```
 */
export async function streamShards(client: KinesisClient, stream: string): Promise<ShardInfo[] | undefined> {
  const shards: ShardInfo[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const input: ListShardsCommandInput = nextToken === undefined ? { StreamName: stream } : { NextToken: nextToken };
      const output = await client.send(new ListShardsCommand(input));
      shards.push(...(output.Shards ?? []).map(toShardInfo));
      nextToken = output.NextToken;
    } while (nextToken !== undefined);
    return shards;
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException') return undefined;
    throw new SourceError(`ListShards on Kinesis stream '${stream}' failed: ${messageOf(error)}`, error);
  }
}

/**
 * What a shard holds of a range: its records, or `expired` when the stream no longer holds
 * the range's first record (past the retention period, or a trimmed shard).
 *
 * @example
 * ```ts
 * const range: ShardRange = { records: [...] };
 * ```
 */
export type ShardRange = { readonly records: readonly StreamRecord[] } | { readonly expired: true };

/**
 * Reads the records of a shard from `first` through `last` (sequence numbers, both
 * included), as the stream holds them now. Rejects with `SourceError`.
 *
 * @example
 * ```ts
 * const range = await readShardRange(client, { stream, shardId, first: doc.startSequenceNumber, last: doc.endSequenceNumber });
 * ```
 */
export async function readShardRange(
  client: KinesisClient,
  options: { readonly stream: string; readonly shardId: string; readonly first: string; readonly last: string },
): Promise<ShardRange> {
  let iterator: string | undefined;
  try {
    iterator = (
      await client.send(
        new GetShardIteratorCommand({ StreamName: options.stream, ShardId: options.shardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: options.first }),
      )
    ).ShardIterator;
  } catch (error) {
    // A sequence number the shard no longer holds is refused outright by some servers, skipped past by others.
    if (/InvalidArgument|ResourceNotFound/i.test((error as { name?: string }).name ?? '')) return { expired: true };
    throw new SourceError(`reading shard '${options.shardId}' of stream '${options.stream}' from ${options.first} failed: ${messageOf(error)}`, error);
  }
  const records: StreamRecord[] = [];
  try {
    while (iterator !== undefined) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: PAGE }));
      for (const record of page.Records ?? []) {
        if (records.length === 0 && record.SequenceNumber !== options.first) return { expired: true };
        if (compareSequenceNumbers(record.SequenceNumber ?? '', options.last) > 0) return { records };
        records.push(toStreamRecord(record, { shardId: options.shardId }));
      }
      if ((page.Records ?? []).length === 0 && (page.MillisBehindLatest ?? 0) === 0) break;
      iterator = page.NextShardIterator;
    }
  } catch (error) {
    throw new SourceError(`reading shard '${options.shardId}' of stream '${options.stream}' from ${options.first} failed: ${messageOf(error)}`, error);
  }
  return records.length === 0 ? { expired: true } : { records };
}
