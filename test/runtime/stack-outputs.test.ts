/**
 * `sluice redrive --stage`: the deployed job's queue and bucket from its stack's outputs, read
 * through the real CloudFormation client from a DescribeStacks double on loopback (awsQuery
 * protocol: a form-encoded POST, an XML answer, an XML error for an unknown stack).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.ts';
import { deployedJob, jobStackName } from '../../src/runtime/stack-outputs.ts';

const STACKS: Record<string, Record<string, string>> = {
  'sluice-sensor-readings-prod': { FailureQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q', BucketName: 'sluice-bucket-1', StreamArn: 'arn:s' },
  'not-sluice': { Something: 'else' },
};

const server = createServer((request, response) => {
  let body = '';
  request.on('data', (chunk: Buffer) => (body += chunk.toString()));
  request.on('end', () => {
    const form = new URLSearchParams(body);
    const name = form.get('StackName') ?? '';
    const outputs = STACKS[name];
    response.setHeader('content-type', 'text/xml');
    if (form.get('Action') !== 'DescribeStacks' || outputs === undefined) {
      response.statusCode = 400;
      response.end(`<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id ${name} does not exist</Message></Error><RequestId>r</RequestId></ErrorResponse>`);
      return;
    }
    const members = Object.entries(outputs).map(([k, v]) => `<member><OutputKey>${k}</OutputKey><OutputValue>${v}</OutputValue></member>`).join('');
    response.end(
      `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member><StackName>${name}</StackName>` +
        `<StackStatus>UPDATE_COMPLETE</StackStatus><CreationTime>2026-11-01T00:00:00Z</CreationTime><Outputs>${members}</Outputs></member></Stacks></DescribeStacksResult>` +
        `<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeStacksResponse>`,
    );
  });
});

let client: CloudFormationClient;
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = new CloudFormationClient({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
});
afterAll(async () => {
  client.destroy();
  await new Promise((resolve) => server.close(resolve));
});

describe('a deployed job from its stack', () => {
  it('reads the failure queue and the bucket from the stack serverless deploy made', async () => {
    expect(jobStackName('sensor-readings', 'prod')).toBe('sluice-sensor-readings-prod');
    expect(await deployedJob(client, jobStackName('sensor-readings', 'prod'))).toEqual({ queueUrl: STACKS['sluice-sensor-readings-prod']!['FailureQueueUrl'], bucket: 'sluice-bucket-1' });
  });

  it('names the stack when it does not exist or is not a sluice job', async () => {
    await expect(deployedJob(client, 'sluice-sensor-readings-dev')).rejects.toThrow(UsageError);
    await expect(deployedJob(client, 'sluice-sensor-readings-dev')).rejects.toThrow(/stack sluice-sensor-readings-dev: .*does not exist/);
    await expect(deployedJob(client, 'not-sluice')).rejects.toThrow(/stack not-sluice has no FailureQueueUrl and BucketName outputs/);
  });
});
