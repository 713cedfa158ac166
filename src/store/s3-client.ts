import { S3Client } from '@aws-sdk/client-s3';

/**
 * How the SDK retries throttling (503 SlowDown), 5xx answers and dropped connections: both
 * modes back off exponentially with full jitter; `adaptive` also slows this client down when
 * the server throttles.
 *
 * @example
 * ```ts
 * createS3Client({ retryMode: S3RetryMode.Adaptive });
 * ```
 */
export const S3RetryMode = {
  Standard: 'standard',
  Adaptive: 'adaptive',
} as const;

/** One of {@link S3RetryMode}'s values. */
export type S3RetryMode = (typeof S3RetryMode)[keyof typeof S3RetryMode];

/**
 * Static credentials, e.g. a test server's user; production uses the default chain instead.
 *
 * @example
 * ```ts
 * const credentials: S3Credentials = { accessKeyId: 'AKIA...', secretAccessKey: '...' };
 * ```
 */
export interface S3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/**
 * Options for {@link createS3Client}.
 *
 * @example
 * ```ts
 * const options: S3ClientOptions = { endpoint: 'http://127.0.0.1:7480', credentials: { accessKeyId, secretAccessKey } };
 * ```
 */
export interface S3ClientOptions {
  /** An S3-compatible server (Ceph radosgw, MinIO); AWS S3 when absent. */
  readonly endpoint?: string;
  /** Defaults to the SDK's region chain (AWS_REGION, profile); `us-east-1` for a custom endpoint without one. */
  readonly region?: string;
  /** Bucket in the path, not the host name. Defaults to true with a custom endpoint (no wildcard DNS on loopback), false on AWS. */
  readonly forcePathStyle?: boolean;
  /** Explicit credentials; absent means the SDK's default chain (environment, profile, instance or task role). */
  readonly credentials?: S3Credentials;
  /** Attempts per request, first one included; default 5. */
  readonly maxAttempts?: number;
  /** Default {@link S3RetryMode.Standard}. */
  readonly retryMode?: S3RetryMode;
}

const DEFAULT_MAX_ATTEMPTS = 5;

/**
 * An S3 client for sluice's S3 adapters. Never invents credentials: it uses the given ones or
 * the SDK's default chain, so a missing credential fails loudly instead of signing as nobody.
 * Retries are the SDK's standard (or adaptive) mode, with more attempts than the SDK's 3
 * because a failed put fails a whole batch.
 *
 * @example
 * ```ts
 * const client = createS3Client({ endpoint: 'http://127.0.0.1:7480', credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' } });
 * const store = new S3ObjectStore({ client, bucket: 'warehouse' });
 * ```
 */
export function createS3Client(options: S3ClientOptions = {}): S3Client {
  const customEndpoint = options.endpoint !== undefined;
  const region = options.region ?? (customEndpoint && !process.env['AWS_REGION'] && !process.env['AWS_DEFAULT_REGION'] ? 'us-east-1' : undefined);
  return new S3Client({
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(region === undefined ? {} : { region }),
    ...(options.credentials === undefined ? {} : { credentials: { ...options.credentials } }),
    forcePathStyle: options.forcePathStyle ?? customEndpoint,
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    retryMode: options.retryMode ?? S3RetryMode.Standard,
  });
}
