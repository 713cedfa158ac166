import { streamName } from '../src/job/source.ts';
import { getAtt, ref, regionalArn, type CfnResources, type CfnValue } from './cloudformation.ts';
import { LogicalId } from './logical-ids.ts';

/**
 * Options of {@link streamResources}.
 *
 * @example
 * ```ts
 * const options: StreamOptions = { stream: 'iot-sensor', create: true, shards: 2 };
 * ```
 */
export interface StreamOptions {
  /** The stream's name or ARN (an ARN only for an existing stream). */
  readonly stream: string;
  /** The stack creates the stream. */
  readonly create: boolean;
  /** Shards of a stream the stack creates. */
  readonly shards: number;
}

/**
 * The stream the job reads, as the rest of the stack refers to it, and the resources that
 * create it (none for an existing stream).
 *
 * @example
 * ```ts
 * const { arn, name, resources } = streamResources({ stream: 'iot-sensor', create: false, shards: 1 });
 * ```
 */
export interface StreamReference {
  readonly arn: CfnValue;
  readonly name: CfnValue;
  readonly resources: CfnResources;
}

/** Hours a created stream keeps records: Kinesis's default and free tier; redrives must happen within it. */
const RETENTION_HOURS = 24;

/**
 * The stream by ARN (given, or built from the name in the stack's region and account) or a
 * stream the stack creates: provisioned with the given shard count, encrypted with the
 * `aws/kinesis` managed key (which needs no KMS grant for producers or the function).
 *
 * @example
 * ```ts
 * streamResources({ stream: 'iot-sensor', create: false, shards: 1 }).arn;
 * // { 'Fn::Sub': 'arn:${AWS::Partition}:kinesis:${AWS::Region}:${AWS::AccountId}:stream/iot-sensor' }
 * ```
 */
export function streamResources(options: StreamOptions): StreamReference {
  if (options.create) {
    return {
      arn: getAtt(LogicalId.Stream, 'Arn'),
      name: ref(LogicalId.Stream),
      resources: {
        [LogicalId.Stream]: {
          Type: 'AWS::Kinesis::Stream',
          Properties: {
            Name: options.stream,
            ShardCount: options.shards,
            RetentionPeriodHours: RETENTION_HOURS,
            StreamModeDetails: { StreamMode: 'PROVISIONED' },
            StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
          },
        },
      },
    };
  }
  const name = streamName(options.stream);
  const arn = options.stream.startsWith('arn:') ? options.stream : regionalArn({ service: 'kinesis', resource: `stream/${name}` });
  return { arn, name, resources: {} };
}
