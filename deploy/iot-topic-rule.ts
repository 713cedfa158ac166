import { getAtt, join, ref, type CfnResources, type CfnValue } from './cloudformation.ts';
import { bucketKeyStatements } from './function-role.ts';
import { LogicalId } from './logical-ids.ts';

/**
 * Options of {@link iotTopicRuleResources}.
 *
 * @example
 * ```ts
 * const options: IotTopicRuleOptions = {
 *   topic: 'sensors/+/readings', ruleName: 'sluice_sensor_readings_dev', streamName: 'iot-sensor', streamArn,
 *   bucket: ref(LogicalId.Bucket), bucketArn: getAtt(LogicalId.Bucket, 'Arn'), errorsRootKey: 'iot/_iot-errors',
 * };
 * ```
 */
export interface IotTopicRuleOptions {
  /** MQTT topic (filter) whose messages go to the stream. */
  readonly topic: string;
  /** The rule's name (see {@link iotRuleName}): its ARN is known before it exists, for its role's trust policy. */
  readonly ruleName: string;
  readonly streamName: CfnValue;
  readonly streamArn: CfnValue;
  /** The job's bucket, which keeps the messages the rule failed to put on the stream. */
  readonly bucket: CfnValue;
  readonly bucketArn: CfnValue;
  /** Where in the bucket those messages go (`<prefix>/_iot-errors`). */
  readonly errorsRootKey: string;
  /** The bucket's customer-managed KMS key, when it has one. */
  readonly kmsKey?: string;
}

/**
 * `<prefix>/_iot-errors`: where the IoT rule keeps the messages it could not put on the
 * stream, beside the table like `_rejects` and outside its folders.
 *
 * @example
 * ```ts
 * iotErrorsRootKey({ prefix: 'iot' }); // 'iot/_iot-errors'
 * ```
 */
export function iotErrorsRootKey(options: { readonly prefix: string }): string {
  return `${options.prefix}/_iot-errors`;
}

/**
 * The IoT rule's name for a job and stage: IoT takes letters, digits and `_` only, and the
 * name is unique per account and region, like the stack.
 *
 * @example
 * ```ts
 * iotRuleName({ job: 'sensor-readings', stage: 'dev' }); // 'sluice_sensor_readings_dev'
 * ```
 */
export function iotRuleName(options: { readonly job: string; readonly stage: string }): string {
  return `sluice_${options.job}_${options.stage}`.replaceAll(/[^a-zA-Z0-9_]/g, '_').slice(0, 128);
}

/**
 * An AWS IoT topic rule that puts every message of an MQTT topic on the job's stream, and
 * the role it acts with. Records are keyed by the MQTT client id: one device's messages stay
 * in order on one shard while devices spread over the shards.
 *
 * Nothing is lost silently: a message the rule fails to put on the stream (throttled,
 * stream gone, role changed) goes whole, with IoT's reason, to
 * `<errorsRootKey>/<time ms>-<uuid>.json` in the job's bucket (the rule's error action).
 * The role may do exactly those two things, and only IoT acting for this rule, in this
 * account, may assume it (`aws:SourceAccount`, `aws:SourceArn`: no confused deputy).
 *
 * @example
 * ```ts
 * iotTopicRuleResources({ topic: 'sensors/+', ruleName, streamName: stream.name, streamArn: stream.arn, bucket, bucketArn, errorsRootKey });
 * // { SluiceIotTopicRule: { Type: 'AWS::IoT::TopicRule', ... }, SluiceIotTopicRuleRole: { Type: 'AWS::IAM::Role', ... } }
 * ```
 */
export function iotTopicRuleResources(options: IotTopicRuleOptions): CfnResources {
  const roleArn = getAtt(LogicalId.IotTopicRuleRole, 'Arn');
  return {
    [LogicalId.IotTopicRuleRole]: {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'iot.amazonaws.com' },
              Action: 'sts:AssumeRole',
              Condition: {
                StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') },
                ArnLike: { 'aws:SourceArn': { 'Fn::Sub': `arn:\${AWS::Partition}:iot:\${AWS::Region}:\${AWS::AccountId}:rule/${options.ruleName}` } },
              },
            },
          ],
        },
        Policies: [
          {
            PolicyName: 'put-records',
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                { Sid: 'PutRecords', Effect: 'Allow', Action: ['kinesis:PutRecord'], Resource: [options.streamArn] },
                { Sid: 'KeepFailedMessages', Effect: 'Allow', Action: ['s3:PutObject'], Resource: [join([options.bucketArn, `/${options.errorsRootKey}/*`])] },
                // A single PutObject asks KMS for a data key only; it never decrypts.
                ...bucketKeyStatements(options.kmsKey, { actions: ['kms:GenerateDataKey'] }),
              ],
            },
          },
        ],
      },
    },
    [LogicalId.IotTopicRule]: {
      Type: 'AWS::IoT::TopicRule',
      Properties: {
        RuleName: options.ruleName,
        TopicRulePayload: {
          Sql: `SELECT * FROM '${options.topic}'`,
          AwsIotSqlVersion: '2016-03-23',
          RuleDisabled: false,
          Actions: [{ Kinesis: { StreamName: options.streamName, PartitionKey: '${clientid()}', RoleArn: roleArn } }],
          ErrorAction: {
            S3: { BucketName: options.bucket, Key: `${options.errorsRootKey}/\${timestamp()}-\${newuuid()}.json`, RoleArn: roleArn },
          },
        },
      },
    },
  };
}
