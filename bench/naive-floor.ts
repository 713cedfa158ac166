import type { KinesisStreamEvent } from 'aws-lambda';

/**
 * The naive floor: the least any JavaScript consumer of a Kinesis event must do to see its
 * records as objects, base64 decode then JSON.parse each record, with nothing checked,
 * nothing transformed and nothing written. sluice's whole path is compared to this.
 * A record that is not JSON is skipped (the floor of a batch with bad records).
 *
 * @example
 * ```ts
 * naiveFloor(event); // 10000 documents parsed
 * ```
 */
export function naiveFloor(event: KinesisStreamEvent): number {
  let parsed = 0;
  for (const record of event.Records) {
    try {
      if (JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8')) !== undefined) parsed++;
    } catch {
      // not JSON: the floor does not care why
    }
  }
  return parsed;
}
