import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { startEmbeddedKinesis, type EmbeddedKinesis } from '../../src/runtime/embedded-kinesis.ts';
import { createKinesisClient } from '../../src/kinesis/kinesis-client.ts';

/**
 * A real kinesalite in this process and a client for it, as every source test needs.
 *
 * @example
 * ```ts
 * const env = await startKinesisForTest();
 * afterAll(() => env.close());
 * ```
 */
export interface KinesisTestEnv {
  readonly kinesis: EmbeddedKinesis;
  readonly client: KinesisClient;
  close(): Promise<void>;
}

/** Starts the embedded server (in memory) and a client with no credentials from the environment. */
export async function startKinesisForTest(): Promise<KinesisTestEnv> {
  const kinesis = await startEmbeddedKinesis();
  const client = createKinesisClient({ endpoint: kinesis.endpoint, env: {} });
  return {
    kinesis,
    client,
    close: async () => {
      client.destroy();
      await kinesis.close();
    },
  };
}

let streamCounter = 0;
/** A stream name no other test of this file uses. */
export function uniqueStream(label: string): string {
  return `${label}-${process.pid}-${++streamCounter}`;
}

/** A stored record as an independent reader (plain GetRecords from TRIM_HORIZON) sees it. */
export interface StoredRecord {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly text: string;
}

/** Every record of every shard, read to the current end; used to check what producers wrote. */
export async function readWholeStream(client: KinesisClient, stream: string): Promise<StoredRecord[]> {
  const shards = (await client.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? [];
  const out: StoredRecord[] = [];
  const decoder = new TextDecoder();
  for (const shard of shards) {
    const shardId = shard.ShardId ?? '';
    let iterator = (await client.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    while (iterator !== undefined) {
      const output = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      const records = output.Records ?? [];
      for (const record of records) out.push({ shardId, sequenceNumber: record.SequenceNumber ?? '', text: decoder.decode(record.Data) });
      if (records.length === 0) break;
      iterator = output.NextShardIterator;
    }
  }
  return out;
}

const encoder = new TextEncoder();
/** `count` small JSON records spread over `keys` partition keys, numbered from `from`. */
export function numberedRecords(count: number, options: { readonly keys: number; readonly from?: number }): Array<{ data: Uint8Array; partitionKey: string }> {
  const from = options.from ?? 0;
  return Array.from({ length: count }, (_, i) => {
    const n = from + i;
    const key = `device-${n % options.keys}`;
    return { data: encoder.encode(JSON.stringify({ n, key })), partitionKey: key };
  });
}
