import type { KinesisStreamEvent } from 'aws-lambda';
import { eventOfRecords } from '../runtime/lambda/kinesis-event.ts';
import type { StreamRecord } from '../decode/stream-record.ts';

/**
 * Where a test event says it comes from.
 *
 * @example
 * ```ts
 * const options: KinesisEventOptions = { stream: 'iot-sensor', region: 'eu-west-1', account: '123456789012' };
 * ```
 */
export interface KinesisEventOptions {
  /** The stream's name, in every record's `eventSourceARN`; `test-stream` by default (give the job's: `job.source.stream`). */
  readonly stream?: string;
  /** `us-east-1` by default. */
  readonly region?: string;
  /** The AWS account in the ARNs; `123456789012` by default. */
  readonly account?: string;
  /** The function's name, in each record's `invokeIdentityArn`; `test-function` by default. */
  readonly functionName?: string;
}

/**
 * A Kinesis event exactly as Lambda's event source mapping delivers it to a handler (base64
 * data, `shardId:sequenceNumber` event ids, arrival times in seconds), for tests of a handler
 * made with `createKinesisHandler`.
 *
 * @example
 * ```ts
 * import { createKinesisHandler } from 'sluice/lambda';
 * import { kinesisEvent, streamRecords } from 'sluice/testing';
 * import job from '../jobs/sensor-readings.ts';
 *
 * const handler = createKinesisHandler(job, { adapters: () => ({ store, catalog }) });
 * const answer = await handler(kinesisEvent(streamRecords([reading]), { stream: job.source.stream }));
 * // answer.batchItemFailures: [] once the batch is written
 * ```
 */
export function kinesisEvent(records: readonly StreamRecord[], options: KinesisEventOptions = {}): KinesisStreamEvent {
  const region = options.region ?? 'us-east-1';
  const account = options.account ?? '123456789012';
  return eventOfRecords(records, {
    streamArn: `arn:aws:kinesis:${region}:${account}:stream/${options.stream ?? 'test-stream'}`,
    region,
    functionArn: `arn:aws:lambda:${region}:${account}:function:${options.functionName ?? 'test-function'}`,
  });
}
