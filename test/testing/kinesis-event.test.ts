import { describe, expect, it } from 'vitest';
import { kinesisEvent, streamRecords } from 'sluice/testing';
import { recordsOfEvent } from '../../src/runtime/lambda/kinesis-event.ts';

describe('kinesisEvent', () => {
  const records = streamRecords([{ a: 1 }, { b: 2 }], { firstSequenceNumber: '100', arrivalTime: '2026-11-23T08:00:00.250Z' });

  it('is the event the mapping delivers: base64 data, shard:sequence ids, the stream ARN and arrival in seconds', () => {
    const event = kinesisEvent(records, { stream: 'iot-sensor', region: 'eu-west-1', account: '111122223333', functionName: 'sluice-x' });
    expect(event.Records.map((r) => r.eventID)).toEqual(['shardId-000000000000:100', 'shardId-000000000000:101']);
    const first = event.Records[0]!;
    expect(first.eventSourceARN).toBe('arn:aws:kinesis:eu-west-1:111122223333:stream/iot-sensor');
    expect(first.awsRegion).toBe('eu-west-1');
    expect(first.invokeIdentityArn).toBe('arn:aws:lambda:eu-west-1:111122223333:function:sluice-x-role');
    expect(Buffer.from(first.kinesis.data, 'base64').toString()).toBe('{"a":1}');
    expect(first.kinesis.approximateArrivalTimestamp).toBe(Date.parse('2026-11-23T08:00:00.250Z') / 1000);
  });

  it('reads back, through the handler\'s own decoding, as the records it was built from', () => {
    expect(recordsOfEvent(kinesisEvent(records))).toEqual(records.map((r) => ({ ...r, data: new Uint8Array(r.data) })));
  });

  it('has defaults for everything but the records', () => {
    expect(kinesisEvent(records).Records[0]!.eventSourceARN).toBe('arn:aws:kinesis:us-east-1:123456789012:stream/test-stream');
  });
});
