import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { LocalFailureDestination } from '../../src/runtime/local-failure-destination.ts';
import { SqsFailureSource } from '../../src/runtime/sqs-failure-source.ts';
import { describeFailureSourceContract } from '../contracts/failure-source-contract.ts';
import { startSqsDouble } from '../doubles/sqs-api-double.ts';

describeFailureSourceContract('local failure folder', async (documents) => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-failures-'));
  await mkdir(dir, { recursive: true });
  for (const [i, document] of documents.entries()) await writeFile(join(dir, `batch-${i}.json`), JSON.stringify(document));
  return {
    source: new LocalFailureDestination({ dir, streamArn: 'arn', functionArn: 'arn' }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

describeFailureSourceContract('SQS queue (API double)', async (documents) => {
  const sqs = await startSqsDouble();
  const client = new SQSClient({ endpoint: sqs.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  for (const document of documents) await client.send(new SendMessageCommand({ QueueUrl: sqs.queueUrl, MessageBody: JSON.stringify(document) }));
  return {
    source: new SqsFailureSource({ client, queueUrl: sqs.queueUrl }),
    cleanup: async () => {
      client.destroy();
      await sqs.close();
    },
  };
});
