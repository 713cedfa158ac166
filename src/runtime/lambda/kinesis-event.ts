import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import type { StreamRecord } from '../../source/stream-record.ts';

/**
 * Kinesis stream events (what the Lambda event source mapping delivers) <-> stream
 * records. The only place the core's records meet the Lambda event shape.
 */

/** `shardId-000000000001:4959...` -> `shardId-000000000001`. */
const shardOf = (eventId: string): string => eventId.slice(0, eventId.indexOf(':') >= 0 ? eventId.indexOf(':') : undefined);

/** A plain Uint8Array view of the decoded bytes: no copy (this runs for every record), and no Buffer type leaking into rows or rejects. */
const bytesOfBase64 = (text: string): Uint8Array => {
  const buffer = Buffer.from(text, 'base64');
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
};

/**
 * The records of a Kinesis event: base64 data decoded, arrival time in ms.
 *
 * @example
 * ```ts
 * const records = recordsOfEvent(event);
 * records[0].shardId; // 'shardId-000000000000'
 * ```
 */
export function recordsOfEvent(event: KinesisStreamEvent): StreamRecord[] {
  return (event.Records ?? []).map((r) => ({
    data: bytesOfBase64(r.kinesis.data),
    shardId: shardOf(r.eventID),
    sequenceNumber: r.kinesis.sequenceNumber,
    partitionKey: r.kinesis.partitionKey,
    arrivalTime: new Date(Math.round(r.kinesis.approximateArrivalTimestamp * 1000)),
  }));
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
