import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * Options for {@link createKinesisClient}.
 *
 * @example
 * ```ts
 * const options: KinesisClientOptions = { endpoint: 'http://127.0.0.1:4567' };
 * ```
 */
export interface KinesisClientOptions {
  /** A Kinesis API endpoint other than AWS's, such as the embedded server. */
  readonly endpoint?: string;
  readonly region?: string;
  /** Where to look for AWS credentials; `process.env` by default. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** kinesalite ignores signatures but the SDK refuses to sign without some credentials. */
const LOCAL_CREDENTIALS = { accessKeyId: 'sluice-local', secretAccessKey: 'sluice-local' } as const;
const LOCAL_REGION = 'us-east-1';

/**
 * A Kinesis client on an HTTP/1.1 handler: the SDK's default HTTP/2 handler fails with
 * "Protocol error" against kinesalite, which speaks HTTP/1.1 only. With an `endpoint` and no
 * AWS credentials in the environment, it signs with dummy credentials in us-east-1 (unless
 * `region` says otherwise), which is what a local endpoint needs.
 *
 * @example
 * ```ts
 * const client = createKinesisClient({ endpoint: kinesis.endpoint });
 * await client.send(new ListStreamsCommand({}));
 * client.destroy();
 * ```
 */
export function createKinesisClient(options: KinesisClientOptions = {}): KinesisClient {
  const env = options.env ?? process.env;
  const useLocalCredentials = options.endpoint !== undefined && !hasEnvironmentCredentials(env);
  const region = options.region ?? (useLocalCredentials ? LOCAL_REGION : undefined);
  return new KinesisClient({
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 30_000, throwOnRequestTimeout: true }),
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(region === undefined ? {} : { region }),
    ...(useLocalCredentials ? { credentials: LOCAL_CREDENTIALS } : {}),
  });
}

/** The variables the SDK's default credential chain reads before it falls back to files. */
function hasEnvironmentCredentials(env: Readonly<Record<string, string | undefined>>): boolean {
  const set = (name: string) => (env[name] ?? '') !== '';
  return (
    (set('AWS_ACCESS_KEY_ID') && set('AWS_SECRET_ACCESS_KEY')) ||
    set('AWS_PROFILE') ||
    set('AWS_WEB_IDENTITY_TOKEN_FILE') ||
    set('AWS_CONTAINER_CREDENTIALS_RELATIVE_URI') ||
    set('AWS_CONTAINER_CREDENTIALS_FULL_URI')
  );
}
