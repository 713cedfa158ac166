import { UsageError } from '../src/errors.ts';

/** Server-side encryption of the job's bucket. */
export const BucketEncryption = {
  /** SSE-S3: keys managed by S3, nothing to grant. */
  S3: 'AES256',
  /** SSE-KMS: the `aws/s3` managed key, or the key given as `kmsKey`. */
  Kms: 'aws:kms',
} as const;
export type BucketEncryption = (typeof BucketEncryption)[keyof typeof BucketEncryption];

/**
 * What `--param="key=value"` can set on a job's stack; everything but `job` has a default.
 *
 * @example
 * ```ts
 * const params: StackParams = { ...DEFAULT_STACK_PARAMS, job: 'sensor-readings', createStream: true };
 * ```
 */
export interface StackParams {
  /** The job to deploy: `jobs/<job>.ts`. */
  readonly job: string;
  /** The stream's name or ARN; the job's `source.stream` when absent. */
  readonly stream?: string;
  /** The stack creates the stream (by name) instead of reading an existing one. */
  readonly createStream: boolean;
  /** Shards of a stream the stack creates. */
  readonly shards: number;
  /** The bucket's name; CloudFormation makes one up when absent. */
  readonly bucket?: string;
  readonly encryption: BucketEncryption;
  /** KMS key ARN for `encryption=aws:kms`; the account's `aws/s3` key when absent. */
  readonly kmsKey?: string;
  /** Days after which reject files (`<prefix>/_rejects/`) expire. */
  readonly rejectsExpireDays: number;
  /** The stack creates the Glue database; false when another job's stack already did. */
  readonly createDatabase: boolean;
  /** An MQTT topic (filter) whose messages an AWS IoT rule puts on the stream. */
  readonly iotTopic?: string;
  /** The iterator age alarm fires above this many seconds. */
  readonly iteratorAgeAlarmSeconds: number;
  /** The data freshness alarm fires when a batch commits records that arrived more than this many seconds before. */
  readonly freshnessAlarmSeconds: number;
  /** The rejects alarm fires when more rejects than this arrive in 5 minutes. */
  readonly rejectsAlarmThreshold: number;
  /** SNS topic ARN the alarms notify; alarms without actions when absent. */
  readonly alarmTopic?: string;
  /** When the compaction function runs: an EventBridge `rate(...)` or `cron(...)` expression. */
  readonly compactionSchedule: string;
}

type OptionalParams = Omit<StackParams, 'job'>;

/**
 * Defaults of every param that has one.
 *
 * @example
 * ```ts
 * DEFAULT_STACK_PARAMS.rejectsExpireDays; // 30
 * ```
 */
export const DEFAULT_STACK_PARAMS = {
  createStream: false,
  shards: 1,
  encryption: BucketEncryption.S3,
  rejectsExpireDays: 30,
  createDatabase: true,
  iteratorAgeAlarmSeconds: 300,
  // Above the iterator age alarm's 300: a batch's oldest record (freshness) is older than its
  // last (iterator age) by up to the batching window, and one short delay should page once.
  freshnessAlarmSeconds: 900,
  rejectsAlarmThreshold: 0,
  compactionSchedule: 'rate(1 hour)',
} as const satisfies Partial<OptionalParams>;

const STREAM_NAME = /^[a-zA-Z0-9_.-]{1,128}$/;
const STREAM_ARN = /^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream\/[a-zA-Z0-9_.-]{1,128}$/;
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const ARN = /^arn:aws[a-z-]*:[a-z0-9-]+:/;

const wholeNumber = (min: number, max: number) => (raw: string, key: string): number => {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) throw new UsageError(`--param "${key}=${raw}": use a whole number from ${min} to ${max}`);
  return value;
};

const matching = (pattern: RegExp, what: string) => (raw: string, key: string): string => {
  if (!pattern.test(raw)) throw new UsageError(`--param "${key}=${raw}": ${what}`);
  return raw;
};

const boolean = (raw: string, key: string): boolean => {
  if (raw !== 'true' && raw !== 'false') throw new UsageError(`--param "${key}=${raw}": use true or false`);
  return raw === 'true';
};

const ENCRYPTIONS: ReadonlySet<string> = new Set(Object.values(BucketEncryption));

/** One parser per optional param: the lookup table that also lists the params a user may give. */
const parsers: { readonly [K in keyof OptionalParams]-?: (raw: string, key: string) => NonNullable<OptionalParams[K]> } = {
  stream: (raw, key) => {
    if (!STREAM_NAME.test(raw) && !STREAM_ARN.test(raw)) {
      throw new UsageError(`--param "${key}=${raw}": give a stream name (letters, digits, _ . -) or an ARN arn:aws:kinesis:<region>:<account>:stream/<name>`);
    }
    return raw;
  },
  createStream: boolean,
  shards: wholeNumber(1, 500),
  bucket: matching(BUCKET_NAME, 'an S3 bucket name takes 3-63 lowercase letters, digits, "." and "-"'),
  encryption: (raw, key) => {
    if (!ENCRYPTIONS.has(raw)) throw new UsageError(`--param "${key}=${raw}": use ${[...ENCRYPTIONS].join(' or ')}`);
    return raw as BucketEncryption;
  },
  kmsKey: matching(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[a-zA-Z0-9-]+$/, 'give the key ARN, arn:aws:kms:<region>:<account>:key/<id>'),
  rejectsExpireDays: wholeNumber(1, 3650),
  createDatabase: boolean,
  // A quote would end the topic rule's SQL string literal early.
  iotTopic: matching(/^[^'\s][^']{0,255}$/, "give an MQTT topic (filter) without quotes or leading spaces, e.g. sensors/+/readings"),
  iteratorAgeAlarmSeconds: wholeNumber(1, 7 * 24 * 3600),
  freshnessAlarmSeconds: wholeNumber(1, 7 * 24 * 3600),
  rejectsAlarmThreshold: wholeNumber(0, 1_000_000_000),
  alarmTopic: matching(ARN, 'give an SNS topic ARN, arn:aws:sns:<region>:<account>:<topic>'),
  compactionSchedule: matching(
    /^(rate\((1 (minute|hour|day)|([2-9]|[1-9]\d+) (minutes|hours|days))\)|cron\([^()]+\))$/,
    'give an EventBridge schedule, e.g. rate(1 hour), rate(30 minutes) or cron(15 * * * ? *)',
  ),
};

/**
 * Options of {@link parseStackParams}.
 *
 * @example
 * ```ts
 * const options: ParseStackParamsOptions = { availableJobs: ['device-activity', 'sensor-readings'], region: 'eu-west-1' };
 * ```
 */
export interface ParseStackParamsOptions {
  /** Names of the job modules in `jobs/`, for the error when `job` is missing or unknown. */
  readonly availableJobs: readonly string[];
  /** The region the stack deploys to (Serverless's `provider.region`): resources the params name must be there. */
  readonly region: string;
}

/**
 * Reads the `--param` list Serverless passes on (`['job=sensor-readings', 'createStream=true']`).
 * A missing or unknown job, an unknown key or a bad value (a `kmsKey` of another region than
 * the stack's among them) is a `UsageError` that says what to give instead.
 *
 * @example
 * ```ts
 * parseStackParams(['job=sensor-readings', 'shards=2', 'createStream=true'], { availableJobs: ['sensor-readings'], region: 'eu-west-1' });
 * // { job: 'sensor-readings', createStream: true, shards: 2, encryption: 'AES256', ... }
 * ```
 */
export function parseStackParams(list: readonly string[], options: ParseStackParamsOptions): StackParams {
  const given = new Map<string, string>();
  for (const item of list) {
    const equals = item.indexOf('=');
    if (equals <= 0) throw new UsageError(`--param "${item}": use --param="<key>=<value>"`);
    given.set(item.slice(0, equals), item.slice(equals + 1).trim());
  }
  const job = jobParam(given.get('job'), options.availableJobs);
  const params: Record<string, unknown> = { ...DEFAULT_STACK_PARAMS, job };
  for (const [key, raw] of given) {
    if (key === 'job') continue;
    const parse = (parsers as Record<string, ((raw: string, key: string) => unknown) | undefined>)[key];
    if (!parse) throw new UsageError(`unknown --param "${key}": use one of job, ${Object.keys(parsers).join(', ')}`);
    params[key] = parse(raw, key);
  }
  const result = params as unknown as StackParams;
  if (result.createStream && result.stream !== undefined && !STREAM_NAME.test(result.stream)) {
    throw new UsageError(`--param "stream=${result.stream}": a stream the stack creates is given by name, not ARN`);
  }
  if (result.kmsKey !== undefined && result.encryption !== BucketEncryption.Kms) {
    throw new UsageError(`--param "kmsKey": a KMS key needs --param="encryption=${BucketEncryption.Kms}"`);
  }
  // S3 encrypts with a key of the bucket's own region only: CloudFormation would accept the
  // bucket and the first write would fail.
  const keyRegion = result.kmsKey?.split(':')[3];
  if (keyRegion !== undefined && keyRegion !== options.region) {
    throw new UsageError(
      `--param "kmsKey=${result.kmsKey}": the key is in ${keyRegion} and the stack deploys to ${options.region}; S3 can only use a key of the bucket's region: give a key in ${options.region}, or deploy with --region ${keyRegion}`,
    );
  }
  return result;
}

function jobParam(job: string | undefined, available: readonly string[]): string {
  const choices = available.length > 0 ? available.join(', ') : 'none: create jobs/<name>.ts first';
  if (job === undefined || job === '') {
    throw new UsageError(`--param="job=<name>" is required: the job to deploy, one of ${choices}`);
  }
  if (!available.includes(job)) {
    throw new UsageError(`--param "job=${job}": no jobs/${job}.ts; deploy one of ${choices}`);
  }
  return job;
}
