import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import type { StreamRecord } from '../../decode/stream-record.ts';

/**
 * Kinesis stream events (what the Lambda event source mapping delivers) <-> stream
 * records. The only place the core's records meet the Lambda event shape.
 */

/** `shardId-000000000001:4959...` -> `shardId-000000000001`. */
const shardOf = (eventId: string): string => {
  const colon = eventId.indexOf(':');
  return colon >= 0 ? eventId.slice(0, colon) : eventId;
};

/** Bytes base64 text of this length decodes to at most (padding only makes it less). */
const decodedBound = (text: string): number => Math.ceil(text.length / 4) * 3;

/**
 * The records of a Kinesis event: base64 data decoded, arrival time in ms. All records'
 * bytes are decoded into one buffer, each record a view of its part: one allocation per
 * batch instead of one per record, on the path every record takes. The views stay valid as
 * long as any record is held; nothing writes to them.
 *
 * @example
 * ```ts
 * const records = recordsOfEvent(event);
 * records[0].shardId; // 'shardId-000000000000'
 * ```
 */
export function recordsOfEvent(event: KinesisStreamEvent): StreamRecord[] {
  const delivered = event.Records ?? [];
  let bound = 0;
  for (const r of delivered) bound += decodedBound(r.kinesis.data);
  const bytes = Buffer.allocUnsafeSlow(bound);
  let offset = 0;
  return delivered.map((r) => {
    const length = bytes.write(r.kinesis.data, offset, 'base64');
    const data = new Uint8Array(bytes.buffer, bytes.byteOffset + offset, length);
    offset += length;
    return {
      data,
      shardId: shardOf(r.eventID),
      sequenceNumber: r.kinesis.sequenceNumber,
      partitionKey: r.kinesis.partitionKey,
      arrivalTime: new Date(Math.round(r.kinesis.approximateArrivalTimestamp * 1000)),
    };
  });
}

export interface EventSource {
  readonly streamArn: string;
  readonly region: string;
  readonly functionArn: string;
}

/**
 * A Kinesis event exactly as the event source mapping shapes it, for the local runner and
 * tests that drive the real handler.
 *
 * @example
 * ```ts
 * const event = eventOfRecords(records, { streamArn, region: 'us-east-1', functionArn });
 * ```
 */
export function eventOfRecords(records: readonly StreamRecord[], source: EventSource): KinesisStreamEvent {
  return {
    Records: records.map(
      (r): KinesisStreamRecord => ({
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: r.partitionKey,
          sequenceNumber: r.sequenceNumber,
          data: Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength).toString('base64'),
          approximateArrivalTimestamp: r.arrivalTime.getTime() / 1000,
        },
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: `${r.shardId}:${r.sequenceNumber}`,
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: `${source.functionArn}-role`,
        awsRegion: source.region,
        eventSourceARN: source.streamArn,
      }),
    ),
  };
}
