/**
 * A TEST DOUBLE of the Amazon SQS API (there is no local SQS to run): a real HTTP server on
 * 127.0.0.1 speaking SQS's AWS JSON 1.0 protocol (`POST /`, `X-Amz-Target: AmazonSQS.<Operation>`),
 * so the real `@aws-sdk/client-sqs` talks to it unchanged, MD5 checks of received bodies included.
 *
 * Operations: SendMessage, ReceiveMessage (at most 10 per call, received messages hidden until
 * their visibility timeout ends; each receive gives a new receipt handle) and DeleteMessage (by the
 * latest receipt handle; an unknown handle is ReceiptHandleIsInvalid). Not modelled: FIFO queues,
 * attributes, long polling, dead-letter queues, signatures.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Message {
  readonly id: string;
  readonly body: string;
  handle: string | undefined;
  hiddenUntil: number;
}

/**
 * A running SQS double with one queue.
 *
 * @example
 * ```ts
 * const sqs = await startSqsDouble();
 * const client = new SQSClient({ endpoint: sqs.endpoint, region: 'us-east-1', credentials });
 * ```
 */
export interface SqsDouble {
  readonly endpoint: string;
  readonly queueUrl: string;
  /** Bodies of the messages still on the queue, hidden or not. */
  bodies(): string[];
  close(): Promise<void>;
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/**
 * Starts the double on a free loopback port.
 *
 * @example
 * ```ts
 * const sqs = await startSqsDouble();
 * try { ... } finally { await sqs.close(); }
 * ```
 */
export async function startSqsDouble(): Promise<SqsDouble> {
  const messages: Message[] = [];
  // SQS answers success for a handle it issued whose message is gone (deleted twice).
  const issued = new Set<string>();
  const server: Server = createServer((request, response) => {
    void body(request).then((text) => {
      const operation = String(request.headers['x-amz-target'] ?? '').replace('AmazonSQS.', '');
      const input = JSON.parse(text || '{}') as Record<string, unknown>;
      const answer = (status: number, payload: unknown, type?: string) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', ...(type ? { 'x-amzn-query-error': `${type};Sender` } : {}) });
        response.end(JSON.stringify(payload));
      };
      const now = Date.now();
      if (operation === 'SendMessage') {
        const message: Message = { id: randomUUID(), body: String(input['MessageBody']), handle: undefined, hiddenUntil: 0 };
        messages.push(message);
        return answer(200, { MessageId: message.id, MD5OfMessageBody: md5(message.body) });
      }
      if (operation === 'ReceiveMessage') {
        const max = Math.min(Number(input['MaxNumberOfMessages'] ?? 1), 10);
        const visibility = Number(input['VisibilityTimeout'] ?? 30) * 1000;
        const taken = messages.filter((m) => m.hiddenUntil <= now).slice(0, max);
        for (const message of taken) {
          message.handle = randomUUID();
          issued.add(message.handle);
          message.hiddenUntil = now + visibility;
        }
        return answer(200, taken.length === 0 ? {} : { Messages: taken.map((m) => ({ MessageId: m.id, ReceiptHandle: m.handle, Body: m.body, MD5OfBody: md5(m.body) })) });
      }
      if (operation === 'DeleteMessage') {
        const index = messages.findIndex((m) => m.handle !== undefined && m.handle === input['ReceiptHandle']);
        if (index < 0 && issued.has(String(input['ReceiptHandle']))) return answer(200, {});
        if (index < 0) return answer(400, { __type: 'com.amazonaws.sqs#ReceiptHandleIsInvalid', message: 'The input receipt handle is invalid.' }, 'ReceiptHandleIsInvalid');
        messages.splice(index, 1);
        return answer(200, {});
      }
      return answer(400, { __type: 'com.amazonaws.sqs#UnsupportedOperation', message: `${operation} is not modelled` }, 'AWS.SimpleQueueService.UnsupportedOperation');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    queueUrl: `${endpoint}/000000000000/sluice-failures`,
    bodies: () => messages.map((m) => m.body),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function body(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
