import { GlueClient, type GlueClientConfig } from '@aws-sdk/client-glue';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * Options of {@link createGlueClient}.
 *
 * @example
 * ```ts
 * const options: GlueClientOptions = { endpoint: glue.endpoint, region: 'us-east-1',
 *                                      credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
 * ```
 */
export interface GlueClientOptions {
  /** A Glue API endpoint other than AWS's, such as the test double; AWS's regional endpoint otherwise. */
  readonly endpoint?: string;
  /** The SDK's default (`AWS_REGION`, set in Lambda) when absent. */
  readonly region?: string;
  /** The SDK's default credential chain (the function's role in Lambda) when absent. */
  readonly credentials?: GlueClientConfig['credentials'];
  /** Attempts per call, first included; the SDK's standard 3 when absent. */
  readonly maxAttempts?: number;
}

/**
 * A Glue client with the SDK's standard retry mode (throttling and 5xx answers retried with
 * jittered backoff) and timeouts, so a stalled Glue call fails the batch (which is then
 * retried) instead of running the function into its own timeout.
 *
 * @example
 * ```ts
 * const catalog = new GlueCatalog({ client: createGlueClient() });
 * ```
 */
export function createGlueClient(options: GlueClientOptions = {}): GlueClient {
  return new GlueClient({
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 30_000, throwOnRequestTimeout: true }),
    retryMode: 'standard',
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  });
}
