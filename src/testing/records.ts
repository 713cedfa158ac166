import type { StreamRecord } from '../decode/stream-record.ts';

/**
 * Stream records for a job's unit tests, shaped as the Kinesis event source mapping delivers
 * them: one shard, consecutive sequence numbers, arrival times that never go back. Each
 * factory is deterministic (fixed defaults, no clock), so keys and partitions in a test's
 * expectations never change between runs.
 */

/**
 * The shard records land on unless said otherwise.
 *
 * @example
 * ```ts
 * streamRecords([{}])[0].shardId === DEFAULT_SHARD_ID; // 'shardId-000000000000'
 * ```
 */
export const DEFAULT_SHARD_ID = 'shardId-000000000000';

/**
 * The sequence number of a batch's first record unless said otherwise: a real Kinesis
 * sequence number's length (56 digits), so code that reads one as a JavaScript number (and
 * loses digits) fails in the test instead of in production.
 *
 * @example
 * ```ts
 * streamRecords([{}, {}]).map((r) => r.sequenceNumber.slice(-2)); // ['00', '01']
 * ```
 */
export const DEFAULT_FIRST_SEQUENCE_NUMBER = '49650000000000000000000000000000000000000000000000000000';

/**
 * When records arrived unless said otherwise: a fixed instant, so arrival-hour partitions are stable.
 *
 * @example
 * ```ts
 * streamRecords([{}])[0].arrivalTime.toISOString() === DEFAULT_ARRIVAL_TIME; // true
 * ```
 */
export const DEFAULT_ARRIVAL_TIME = '2026-11-23T10:20:30.000Z';

/**
 * Where a list of test records comes from and when it arrived.
 *
 * @example
 * ```ts
 * const options: RecordsOptions = { shardId: 'shardId-000000000001', firstSequenceNumber: '1000', arrivalTime: '2026-11-23T08:00:00Z', arrivalIntervalMs: 1000 };
 * ```
 */
export interface RecordsOptions {
  /** Every record's shard; {@link DEFAULT_SHARD_ID} by default. */
  readonly shardId?: string;
  /** The first record's sequence number (decimal digits); the next ones count up by one. {@link DEFAULT_FIRST_SEQUENCE_NUMBER} by default. */
  readonly firstSequenceNumber?: string | bigint;
  /** The first record's arrival time (a Date or ISO-8601 text); {@link DEFAULT_ARRIVAL_TIME} by default. */
  readonly arrivalTime?: Date | string;
  /** Milliseconds between two records' arrival times; 0 by default (the whole batch arrived at once). */
  readonly arrivalIntervalMs?: number;
  /** The partition key: one for all, or one per record from its position; `pk-<index>` by default. */
  readonly partitionKey?: string | ((index: number) => string);
}

/**
 * Where a single test record comes from and when it arrived.
 *
 * @example
 * ```ts
 * const options: RecordOptions = { shardId: 'shardId-000000000001', sequenceNumber: '1000', subSequenceNumber: 2 };
 * ```
 */
export interface RecordOptions {
  /** {@link DEFAULT_SHARD_ID} by default. */
  readonly shardId?: string;
  /** {@link DEFAULT_FIRST_SEQUENCE_NUMBER} by default. */
  readonly sequenceNumber?: string | bigint;
  /** For a user record inside a KPL aggregate; absent for a plain record. */
  readonly subSequenceNumber?: number;
  /** A Date or ISO-8601 text; {@link DEFAULT_ARRIVAL_TIME} by default. */
  readonly arrivalTime?: Date | string;
  /** `pk-0` by default. */
  readonly partitionKey?: string;
}

const encoder = new TextEncoder();

function sequenceNumberOf(value: string | bigint): bigint {
  const text = String(value);
  // A mistyped number should fail here, by name, not as an odd key in some later assertion.
  if (!/^\d+$/.test(text)) throw new TypeError(`a sequence number is decimal digits, got '${text}'`);
  return BigInt(text);
}

function instantOf(value: Date | string): number {
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  if (!Number.isFinite(ms)) throw new TypeError(`an arrival time is a valid Date or ISO-8601 text, got '${String(value)}'`);
  return ms;
}

/**
 * Records carrying the given payloads in order, with the options' shard, consecutive sequence
 * numbers and arrival times.
 *
 * @example
 * ```ts
 * const records = recordsOfBytes([new Uint8Array([0x7b, 0x7d])], { firstSequenceNumber: '1000' });
 * records[0].sequenceNumber; // '1000'
 * ```
 */
export function recordsOfBytes(payloads: readonly Uint8Array[], options: RecordsOptions = {}): StreamRecord[] {
  const first = sequenceNumberOf(options.firstSequenceNumber ?? DEFAULT_FIRST_SEQUENCE_NUMBER);
  const arrival = instantOf(options.arrivalTime ?? DEFAULT_ARRIVAL_TIME);
  const interval = options.arrivalIntervalMs ?? 0;
  if (!Number.isFinite(interval) || interval < 0) throw new TypeError(`arrivalIntervalMs is a number of milliseconds >= 0, got ${interval}`);
  const keyOf = typeof options.partitionKey === 'function' ? options.partitionKey : (index: number) => (options.partitionKey as string | undefined) ?? `pk-${index}`;
  return payloads.map((data, index) => ({
    data,
    shardId: options.shardId ?? DEFAULT_SHARD_ID,
    sequenceNumber: String(first + BigInt(index)),
    partitionKey: keyOf(index),
    arrivalTime: new Date(arrival + index * interval),
  }));
}

/**
 * Records whose data is the JSON of each value: what a device or service puts on the stream.
 *
 * @example
 * ```ts
 * const records = streamRecords([{ client_id: 'rpi-1', temperature: 21.5 }, { client_id: 'rpi-2', temperature: 19 }], {
 *   shardId: 'shardId-000000000001',
 *   firstSequenceNumber: '1000',
 *   arrivalTime: '2026-11-23T08:00:00Z',
 * });
 * records.map((r) => r.sequenceNumber); // ['1000', '1001']
 * ```
 */
export function streamRecords(values: readonly unknown[], options: RecordsOptions = {}): StreamRecord[] {
  return recordsOfBytes(
    values.map((value) => {
      const json = JSON.stringify(value);
      if (json === undefined) throw new TypeError(`${String(value)} has no JSON: give an object, array, string, number, boolean or null`);
      return encoder.encode(json);
    }),
    options,
  );
}

/**
 * Records whose data is each line's UTF-8 bytes as written, so a test can send what no
 * serializer would make: broken JSON, a truncated message, a document with a wrong type.
 * Text is split at line breaks; a final line break ends the last line rather than adding an empty record.
 *
 * @example
 * ```ts
 * const records = recordsFromLines('{"client_id":"rpi-1","temperature":21.5}\n{"client_id":\n');
 * records.length; // 2: the second is a reject at stage 'json'
 * ```
 */
export function recordsFromLines(lines: string | readonly string[], options: RecordsOptions = {}): StreamRecord[] {
  const list = typeof lines === 'string' ? lines.replace(/\r?\n$/, '').split(/\r?\n/) : lines;
  return recordsOfBytes(
    list.map((line) => encoder.encode(line)),
    options,
  );
}

/**
 * One record of arbitrary bytes: invalid UTF-8, a KPL aggregate, an empty record.
 *
 * @example
 * ```ts
 * const record = recordFromBytes(new Uint8Array([0xff, 0xfe]), { sequenceNumber: '1000' });
 * // runJobBatch(job, [record]).rejects[0].stage === 'utf8'
 * ```
 */
export function recordFromBytes(data: Uint8Array, options: RecordOptions = {}): StreamRecord {
  const [record] = recordsOfBytes([data], {
    ...(options.shardId === undefined ? {} : { shardId: options.shardId }),
    ...(options.sequenceNumber === undefined ? {} : { firstSequenceNumber: options.sequenceNumber }),
    ...(options.arrivalTime === undefined ? {} : { arrivalTime: options.arrivalTime }),
    partitionKey: options.partitionKey ?? 'pk-0',
  });
  return options.subSequenceNumber === undefined ? record! : { ...record!, subSequenceNumber: options.subSequenceNumber };
}
