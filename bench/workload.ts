import type { KinesisStreamEvent } from 'aws-lambda';
import { withMalformed } from '../src/cli/simulate/malformed.ts';
import { SeededRandom } from '../src/cli/simulate/seeded-random.ts';
import { senseHatMessages, senseHatPartitionKey, type SenseHatMessage } from '../src/cli/simulate/sense-hat.ts';
import { eventOfRecords, type EventSource } from '../src/runtime/lambda/kinesis-event.ts';
import type { StreamRecord } from '../src/decode/stream-record.ts';
import { kplAggregate } from '../test/helpers/kpl.ts';

/**
 * The batches the bench pushes through sluice: what a Kinesis event source mapping hands
 * a Lambda function for the `sensor-readings` job at its largest batch size. Deterministic
 * (seeded), so two runs measure the same bytes.
 */

/** One batch, as the mapping delivers it and as the job sees it. */
export interface Workload {
  readonly name: string;
  /** Records the job sees (KPL sub-records counted one by one). */
  readonly userRecords: number;
  /** Kinesis records in the event (fewer than `userRecords` when KPL-aggregated). */
  readonly kinesisRecords: number;
  /** Bytes of record data the job sees: the JSON the batch carries. MB/s are counted on these. */
  readonly jsonBytes: number;
  /** The records as delivered (aggregates for KPL). */
  readonly records: readonly StreamRecord[];
  /** The Lambda event the handler receives. */
  readonly event: KinesisStreamEvent;
  /** Size of the event's JSON, as the Lambda runtime receives it (the 6 MB payload limit applies to this). */
  readonly eventBytes: number;
  /** What a correct run must report, so the bench never times a failure path by mistake. */
  readonly expected: { readonly rows: number; readonly rejects: number };
}

/** The Kinesis event source mapping's largest batch. */
export const BATCH_RECORDS = 10_000;
/** Devices in the fleet; each reports once a second, so a batch spans 200 s of event time in one hour. */
const DEVICES = 50;
const START = new Date('2026-11-20T06:00:00Z');
const SEED = 7;
/** Share of bad records in the malformed run. */
export const BAD_RATE = 0.1;
/** KPL's default AggregationMaxSize: aggregates of ~50 KB, as a default-configured producer sends them. */
const KPL_AGGREGATE_BYTES = 51_200;

const SOURCE: EventSource = {
  streamArn: 'arn:aws:kinesis:us-east-1:123456789012:stream/iot-sensor',
  region: 'us-east-1',
  functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:sluice-sensor-readings',
};
const SHARD = 'shardId-000000000000';
// A real 56-digit sequence number: keys and reject lines carry them, so their length matters.
const FIRST_SEQUENCE = 49_656_843_224_375_298_718_617_230_263_415_958_913_437_431_239_867_162_626n;

const encoder = new TextEncoder();

const sequenceNumber = (index: number): string => (FIRST_SEQUENCE + BigInt(index) * 4096n).toString();

/** Device clocks print `YYYY-MM-DD HH:MM:SS` in UTC. */
const deviceEpochMs = (timestamp: string): number => Date.parse(`${timestamp.replace(' ', 'T')}Z`);

function fleet(): SenseHatMessage[] {
  const hours = BATCH_RECORDS / DEVICES / 3600;
  return [...senseHatMessages({ devices: DEVICES, records: BATCH_RECORDS, hours, start: START, seed: SEED })];
}

/** Records arrive 0.2-0.9 s after the reading: the network between a Pi and the stream. */
function streamRecords(messages: readonly SenseHatMessage[], data: readonly Uint8Array[]): StreamRecord[] {
  const lag = new SeededRandom(SEED + 1);
  return messages.map((message, i) => ({
    data: data[i]!,
    shardId: SHARD,
    sequenceNumber: sequenceNumber(i),
    partitionKey: senseHatPartitionKey(message),
    arrivalTime: new Date(deviceEpochMs(message.timestamp) + lag.integer(200, 900)),
  }));
}

function workload(name: string, records: StreamRecord[], user: { count: number; bytes: number }, expected: Workload['expected']): Workload {
  const event = eventOfRecords(records, SOURCE);
  return {
    name,
    userRecords: user.count,
    kinesisRecords: records.length,
    jsonBytes: user.bytes,
    records,
    event,
    eventBytes: Buffer.byteLength(JSON.stringify(event)),
    expected,
  };
}

const totalBytes = (data: readonly Uint8Array[]): number => data.reduce((sum, d) => sum + d.byteLength, 0);

/** Groups consecutive records into aggregates of at most `KPL_AGGREGATE_BYTES`, as the KPL does per shard. */
async function aggregated(plain: readonly StreamRecord[]): Promise<StreamRecord[]> {
  const groups: StreamRecord[][] = [[]];
  let bytes = 0;
  for (const record of plain) {
    const size = record.data.byteLength + record.partitionKey.length + 8;
    if (bytes + size > KPL_AGGREGATE_BYTES && groups.at(-1)!.length > 0) {
      groups.push([]);
      bytes = 0;
    }
    groups.at(-1)!.push(record);
    bytes += size;
  }
  const out: StreamRecord[] = [];
  for (const group of groups) {
    const encoded = await kplAggregate(group.map((r) => ({ partitionKey: r.partitionKey, data: r.data })));
    if (encoded.length !== 1) throw new Error(`expected one KPL aggregate per group, got ${encoded.length}`);
    out.push({
      data: encoded[0]!.data,
      shardId: SHARD,
      sequenceNumber: sequenceNumber(out.length),
      partitionKey: encoded[0]!.partitionKey,
      // The stream stamps the aggregate when it arrives: after its last sub-record was produced.
      arrivalTime: group.at(-1)!.arrivalTime,
    });
  }
  return out;
}

/**
 * The three batches: clean Sense HAT readings, the same with 10 % bad records of every
 * kind the simulator makes, and the clean readings KPL-aggregated.
 *
 * @example
 * ```ts
 * const { clean, malformed, kpl } = await workloads();
 * clean.userRecords; // 10000
 * ```
 */
export async function workloads(): Promise<{ clean: Workload; malformed: Workload; kpl: Workload }> {
  const messages = fleet();
  const cleanData = messages.map((m) => encoder.encode(JSON.stringify(m)));
  const cleanRecords = streamRecords(messages, cleanData);
  const clean = workload('clean', cleanRecords, { count: messages.length, bytes: totalBytes(cleanData) }, { rows: messages.length, rejects: 0 });

  const encoded = withMalformed(messages as unknown as Array<Record<string, unknown>>, { rate: BAD_RATE });
  const badData = encoded.map((e) => e.data);
  const bad = encoded.filter((e) => e.malformed !== undefined).length;
  const malformed = workload(
    `${Math.round(BAD_RATE * 100)} % bad`,
    streamRecords(messages, badData),
    { count: messages.length, bytes: totalBytes(badData) },
    { rows: messages.length - bad, rejects: bad },
  );

  const kpl = workload('KPL-aggregated', await aggregated(cleanRecords), { count: messages.length, bytes: totalBytes(cleanData) }, clean.expected);
  return { clean, malformed, kpl };
}

/** Lambda's invocation payload limit (6 MB): the event source mapping never sends a larger event. */
export const LAMBDA_PAYLOAD_BYTES = 6 * 1024 * 1024;

/**
 * The first `count` records of a clean batch, as their own batch.
 *
 * @example
 * ```ts
 * const small = firstRecords(clean, 100); // a trickle stream's batch
 * ```
 */
export function firstRecords(batch: Workload, count: number): Workload {
  if (batch.expected.rejects !== 0 || batch.kinesisRecords !== batch.userRecords) throw new Error('firstRecords takes a clean batch of plain records');
  const records = batch.records.slice(0, count);
  const bytes = records.reduce((sum, r) => sum + r.data.byteLength, 0);
  return workload(`${batch.name}, first ${records.length}`, records, { count: records.length, bytes }, { rows: records.length, rejects: 0 });
}

/**
 * The largest prefix of a clean batch whose event fits Lambda's payload limit: what the
 * event source mapping actually delivers when 10k records of this size do not fit.
 *
 * @example
 * ```ts
 * largestDeliverable(clean).userRecords; // 7764
 * ```
 */
export function largestDeliverable(batch: Workload): Workload {
  if (batch.eventBytes <= LAMBDA_PAYLOAD_BYTES) return batch;
  let count = Math.floor((batch.userRecords * LAMBDA_PAYLOAD_BYTES) / batch.eventBytes);
  let candidate = firstRecords(batch, count);
  while (candidate.eventBytes > LAMBDA_PAYLOAD_BYTES) candidate = firstRecords(batch, --count);
  return candidate;
}
