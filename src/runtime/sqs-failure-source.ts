import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { messageOf } from '../error-message.ts';
import { SourceError } from '../errors.ts';
import type { FailedBatch, FailureSource } from './failure-source.ts';
import type { FailureDocument } from './local-failure-destination.ts';

/**
 * Options of {@link SqsFailureSource}.
 *
 * @example
 * ```ts
 * const options: SqsFailureSourceOptions = { client: new SQSClient({}), queueUrl: 'https://sqs.eu-west-1.amazonaws.com/1234/sluice-x-failures' };
 * ```
 */
export interface SqsFailureSourceOptions {
  readonly client: SQSClient;
  /** The job's failure queue (the stack's `FailureQueueUrl` output). */
  readonly queueUrl: string;
  /** How long a received message stays hidden from other readers while it is redriven; 15 minutes unless given. */
  readonly visibilityTimeoutSeconds?: number;
}

/**
 * The deployed job's on-failure destination, an SQS queue, as a {@link FailureSource}: every
 * message is received (hidden for the visibility timeout, so two redrives do not take the same
 * batch) and deleted by its receipt handle once redriven. A message that is not a failure
 * document is reported, never deleted.
 *
 * @example
 * ```ts
 * const failures = new SqsFailureSource({ client, queueUrl });
 * for (const batch of await failures.pending()) console.log(batch.document.KinesisBatchInfo.startSequenceNumber);
 * ```
 */
export class SqsFailureSource implements FailureSource {
  constructor(private readonly options: SqsFailureSourceOptions) {}

  async pending(): Promise<FailedBatch[]> {
    const batches: FailedBatch[] = [];
    // A message received again (its visibility ended meanwhile) is the same batch: once per call.
    const seen = new Set<string>();
    for (;;) {
      let received;
      try {
        received = await this.options.client.send(
          new ReceiveMessageCommand({
            QueueUrl: this.options.queueUrl,
            MaxNumberOfMessages: 10,
            VisibilityTimeout: this.options.visibilityTimeoutSeconds ?? 900,
            WaitTimeSeconds: 0,
          }),
        );
      } catch (error) {
        throw new SourceError(`receiving from the failure queue ${this.options.queueUrl} failed: ${messageOf(error)}`, error);
      }
      const messages = (received.Messages ?? []).filter((m) => !seen.has(m.MessageId ?? ''));
      if (messages.length === 0) return batches;
      for (const message of messages) {
        seen.add(message.MessageId ?? '');
        let document: FailureDocument;
        try {
          document = JSON.parse(message.Body ?? '') as FailureDocument;
        } catch (error) {
          throw new SourceError(`message ${message.MessageId} on ${this.options.queueUrl} is not a failure document (not JSON); remove it by hand`, error);
        }
        if (document.KinesisBatchInfo === undefined) {
          throw new SourceError(`message ${message.MessageId} on ${this.options.queueUrl} has no KinesisBatchInfo: it is not a Kinesis failure document; remove it by hand`);
        }
        batches.push({ id: message.ReceiptHandle ?? '', document });
      }
    }
  }

  async remove(batch: FailedBatch): Promise<void> {
    try {
      await this.options.client.send(new DeleteMessageCommand({ QueueUrl: this.options.queueUrl, ReceiptHandle: batch.id }));
    } catch (error) {
      throw new SourceError(`deleting a redriven batch from ${this.options.queueUrl} failed: ${messageOf(error)}`, error);
    }
  }
}
