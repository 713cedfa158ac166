import { getAtt, type CfnResources, type CfnValue } from './cloudformation.ts';
import { LogicalId } from './logical-ids.ts';

/**
 * Options of {@link iotTopicRuleResources}.
 *
 * @example
 * ```ts
 * const options: IotTopicRuleOptions = { topic: 'sensors/+/readings', streamName: 'iot-sensor', streamArn };
 * ```
 */
export interface IotTopicRuleOptions {
  /** MQTT topic (filter) whose messages go to the stream. */
  readonly topic: string;
  readonly streamName: CfnValue;
  readonly streamArn: CfnValue;
}

/**
 * An AWS IoT topic rule that puts every message of an MQTT topic on the job's stream, and
 * the role it acts with (PutRecord on exactly that stream). Records are keyed by the MQTT
 * client id: one device's messages stay in order on one shard while devices spread over
 * the shards.
 *
 * @example
 * ```ts
 * iotTopicRuleResources({ topic: 'sensors/+', streamName: stream.name, streamArn: stream.arn });
 * // { SluiceIotTopicRule: { Type: 'AWS::IoT::TopicRule', ... }, SluiceIotTopicRuleRole: { Type: 'AWS::IAM::Role', ... } }
 * ```
 */
export function iotTopicRuleResources(options: IotTopicRuleOptions): CfnResources {
  return {
    [LogicalId.IotTopicRuleRole]: {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'iot.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        },
        Policies: [
          {
            PolicyName: 'put-records',
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [{ Sid: 'PutRecords', Effect: 'Allow', Action: ['kinesis:PutRecord'], Resource: [options.streamArn] }],
            },
          },
        ],
      },
    },
    [LogicalId.IotTopicRule]: {
      Type: 'AWS::IoT::TopicRule',
      Properties: {
        TopicRulePayload: {
          Sql: `SELECT * FROM '${options.topic}'`,
          AwsIotSqlVersion: '2016-03-23',
          RuleDisabled: false,
          Actions: [
            {
              Kinesis: {
                StreamName: options.streamName,
                PartitionKey: '${clientid()}',
                RoleArn: getAtt(LogicalId.IotTopicRuleRole, 'Arn'),
              },
            },
          ],
        },
      },
    },
  };
}
