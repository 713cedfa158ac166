import type { Job } from '../job/define-job.ts';
import { streamName } from '../job/source.ts';
import type { EventSource } from './lambda/kinesis-event.ts';

/**
 * The stream and function ARNs a local run, redrive or replay puts in the events it hands the
 * job's handler and in its failure documents: one account and region (`local`) for every
 * local command, so a range one of them sent to the failure folder is found by another.
 *
 * @example
 * ```ts
 * localEventSource(job).streamArn; // 'arn:aws:kinesis:local:000000000000:stream/iot-sensor'
 * ```
 */
export function localEventSource(job: Job): EventSource {
  return {
    streamArn: `arn:aws:kinesis:local:000000000000:stream/${streamName(job.source.stream)}`,
    region: 'local',
    functionArn: `arn:aws:lambda:local:000000000000:function:${job.name}`,
  };
}
