import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What the proxy does with one Kinesis call: pass it on, answer it as throttled without
 * passing it on, or (PutRecords only) withhold some entries from the server and report them
 * as throttled, exactly as Kinesis reports a partly failed call.
 */
export type ProxyAction =
  | { readonly kind: 'forward' }
  | { readonly kind: 'throttle' }
  | { readonly kind: 'fail-entries'; readonly indices: readonly number[] };

export interface ProxiedCall {
  /** `PutRecords`, `GetRecords`, ... */
  readonly operation: string;
  /** Entries of a PutRecords call. */
  readonly entries?: number;
  /** Request body size. */
  readonly bytes: number;
  readonly action: ProxyAction['kind'];
}

export interface KinesisFaultProxy {
  readonly endpoint: string;
  readonly calls: ProxiedCall[];
  close(): Promise<void>;
}

const JSON_TYPE = 'application/x-amz-json-1.1';
const THROTTLED = { __type: 'ProvisionedThroughputExceededException', message: 'Rate exceeded for shard (injected by the test proxy)' };

/**
 * A real HTTP proxy in front of kinesalite that injects the failures kinesalite never
 * produces (throttling, partly failed PutRecords), so retry paths run against a real server.
 *
 * @example
 * ```ts
 * const proxy = await startKinesisFaultProxy(kinesis.endpoint, ({ operation }) => ({ kind: 'forward' }));
 * const client = createKinesisClient({ endpoint: proxy.endpoint, env: {} });
 * ```
 */
export async function startKinesisFaultProxy(
  target: string,
  plan: (call: { readonly operation: string; readonly body: Record<string, unknown>; readonly index: number }) => ProxyAction,
): Promise<KinesisFaultProxy> {
  const calls: ProxiedCall[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      const operation = String(req.headers['x-amz-target'] ?? '').split('.').at(-1) ?? '';
      const body = JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>;
      const entries = Array.isArray(body.Records) && operation === 'PutRecords' ? (body.Records as unknown[]) : undefined;
      const action = plan({ operation, body, index: calls.length });
      calls.push({ operation, bytes: raw.length, action: action.kind, ...(entries ? { entries: entries.length } : {}) });

      if (action.kind === 'throttle') {
        const payload = JSON.stringify(THROTTLED);
        res.writeHead(400, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(payload) });
        res.end(payload);
        return;
      }
      const failing = new Set(action.kind === 'fail-entries' ? action.indices : []);
      const forwarded = entries && failing.size > 0 ? { ...body, Records: entries.filter((_, i) => !failing.has(i)) } : undefined;
      // Kinesis refuses an empty PutRecords, so when every entry fails nothing goes upstream.
      const upstream =
        forwarded !== undefined && (forwarded.Records as unknown[]).length === 0
          ? { status: 200, contentType: JSON_TYPE, body: Buffer.from(JSON.stringify({ FailedRecordCount: 0, Records: [] })) }
          : await forward(target, req, forwarded === undefined ? raw : Buffer.from(JSON.stringify(forwarded)));
      let payload = upstream.body;
      if (forwarded !== undefined && entries && upstream.status === 200) {
        const answered = JSON.parse(upstream.body.toString('utf8')) as { Records: unknown[] };
        const results = [...answered.Records];
        const merged = entries.map((_, i) =>
          failing.has(i) ? { ErrorCode: THROTTLED.__type, ErrorMessage: THROTTLED.message } : results.shift(),
        );
        payload = Buffer.from(JSON.stringify({ FailedRecordCount: failing.size, Records: merged }));
      }
      res.writeHead(upstream.status, { 'content-type': upstream.contentType, 'content-length': payload.length });
      res.end(payload);
    })().catch((error: unknown) => {
      res.writeHead(502);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function forward(target: string, req: IncomingMessage, body: Buffer): Promise<{ status: number; contentType: string; body: Buffer }> {
  const url = new URL(target);
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers, host: url.host, 'content-length': String(body.length) };
    const upstream = request({ hostname: url.hostname, port: url.port, method: req.method, path: req.url, headers }, (res) => {
      void readBody(res).then(
        (payload) => resolve({ status: res.statusCode ?? 502, contentType: String(res.headers['content-type'] ?? JSON_TYPE), body: payload }),
        reject,
      );
    });
    upstream.on('error', reject);
    upstream.end(body);
  });
}
