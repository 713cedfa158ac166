import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TableInput } from '@aws-sdk/client-glue';

/**
 * One request the fake received.
 *
 * @example
 * ```ts
 * const put: RecordedRequest = { method: 'PUT', path: '/bucket/iot/t/x.parquet', target: undefined, body: new Uint8Array() };
 * ```
 */
export interface RecordedRequest {
  readonly method: string;
  /** Path without the query: `/<bucket>/<key>` for S3 (path style, as the SDK addresses an IP endpoint). */
  readonly path: string;
  /** `X-Amz-Target` of JSON-protocol calls (`AWSGlue.GetTable`). */
  readonly target: string | undefined;
  readonly body: Uint8Array;
}

/**
 * A running fake.
 *
 * @example
 * ```ts
 * const aws = await startFakeAws({ tables: { 'iot.sensor_readings': input } });
 * // env AWS_ENDPOINT_URL_S3 = AWS_ENDPOINT_URL_GLUE = aws.endpoint
 * ```
 */
export interface FakeAws {
  readonly endpoint: string;
  readonly requests: readonly RecordedRequest[];
  close(): Promise<void>;
}

/**
 * Options of {@link startFakeAws}.
 *
 * @example
 * ```ts
 * const options: FakeAwsOptions = { tables: { 'iot.sensor_readings': glueTableResource(job, { bucket: 'b' }).Properties.TableInput } };
 * ```
 */
export interface FakeAwsOptions {
  /** Glue tables GetTable answers with, by `<database>.<table>`. */
  readonly tables: Readonly<Record<string, TableInput>>;
}

type Answer = { status: number; body: string; headers?: Record<string, string> };

/** Glue's JSON calls the deployed handlers make, answered as Glue would for an existing table. */
const glueAnswers: Readonly<Record<string, (request: Record<string, unknown>, options: FakeAwsOptions) => Answer>> = {
  'AWSGlue.GetTable': (request, options) => {
    const table = options.tables[`${String(request['DatabaseName'])}.${String(request['Name'])}`];
    return table
      ? { status: 200, body: JSON.stringify({ Table: { ...table, DatabaseName: request['DatabaseName'] } }) }
      : { status: 400, body: JSON.stringify({ __type: 'EntityNotFoundException', Message: 'no such table' }) };
  },
  'AWSGlue.BatchCreatePartition': () => ({ status: 200, body: JSON.stringify({ Errors: [] }) }),
  // A table with no partitions yet: what the compaction function finds on its first run.
  'AWSGlue.GetPartitions': () => ({ status: 200, body: JSON.stringify({ Partitions: [] }) }),
};

/**
 * A loopback stand-in for the two AWS APIs a deployed handler calls: S3 PutObject (any
 * PUT succeeds and is recorded with its body) and Glue GetTable / BatchCreatePartition /
 * GetPartitions (none).
 * Lets the test run the packaged bundle end to end with no network beyond 127.0.0.1.
 *
 * @example
 * ```ts
 * const aws = await startFakeAws({ tables: {} });
 * try { ... } finally { await aws.close(); }
 * ```
 */
export async function startFakeAws(options: FakeAwsOptions): Promise<FakeAws> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const target = req.headers['x-amz-target'] as string | undefined;
      // The SDK adds `?x-id=PutObject`; the key is the path.
      requests.push({ method: req.method ?? '', path: decodeURIComponent((req.url ?? '').split('?')[0]!), target, body });
      const answer: Answer =
        target === undefined
          ? req.method === 'PUT'
            ? { status: 200, body: '', headers: { ETag: '"fake"' } }
            : { status: 501, body: '' }
          : (glueAnswers[target]?.(JSON.parse(Buffer.from(body).toString('utf8') || '{}') as Record<string, unknown>, options) ?? {
              status: 400,
              body: JSON.stringify({ __type: 'InvalidInputException', Message: `the fake does not answer ${target}` }),
            });
      res.writeHead(answer.status, { 'Content-Type': target ? 'application/x-amz-json-1.1' : 'application/xml', ...answer.headers });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

async function readBody(req: IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}
