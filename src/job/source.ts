import type { z } from 'zod';

/** Where a job reads: a Kinesis data stream whose records are JSON documents. */
export interface KinesisSource<In extends z.ZodType = z.ZodType> {
  readonly kind: 'kinesis';
  /** Stream name (or ARN, whose last path segment is the name). */
  readonly stream: string;
  /** Schema every record's JSON document must satisfy; failures go to rejects. */
  readonly records: In;
}

export interface KinesisSourceOptions<In extends z.ZodType> {
  readonly stream: string;
  readonly records: In;
}

/**
 * Declares a Kinesis stream of JSON records.
 *
 * @example
 * ```ts
 * source: kinesisStream({ stream: 'iot-sensor', records: SenseHatMessage }),
 * ```
 */
export function kinesisStream<In extends z.ZodType>(options: KinesisSourceOptions<In>): KinesisSource<In> {
  return { kind: 'kinesis', stream: options.stream, records: options.records };
}

/** The stream name of a name or an ARN (`arn:aws:kinesis:<region>:<account>:stream/<name>`). */
export function streamName(streamOrArn: string): string {
  const slash = streamOrArn.lastIndexOf('/');
  return streamOrArn.startsWith('arn:') && slash >= 0 ? streamOrArn.slice(slash + 1) : streamOrArn;
}
