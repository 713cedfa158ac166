import { getAtt, join, ref, type CfnResources } from './cloudformation.ts';
import { LogicalId } from './logical-ids.ts';
import { BucketEncryption } from './stack-params.ts';

/**
 * Options of {@link bucketResources}.
 *
 * @example
 * ```ts
 * const options: BucketOptions = { prefix: 'iot', encryption: 'AES256', rejectsExpireDays: 30 };
 * ```
 */
export interface BucketOptions {
  /** The job's key prefix (`job.output.prefix`); its `_rejects/` folder expires. */
  readonly prefix: string;
  /** The bucket's name; CloudFormation makes one up when absent. */
  readonly name?: string;
  readonly encryption: BucketEncryption;
  /** KMS key ARN with `aws:kms`; the `aws/s3` managed key when absent. */
  readonly kmsKey?: string;
  readonly rejectsExpireDays: number;
}

/**
 * Days after which S3 aborts an unfinished multipart upload. A put that failed midway leaves
 * parts that cost storage and are never listed; the retried batch uploads afresh.
 */
const ABORT_INCOMPLETE_UPLOADS_DAYS = 7;

/**
 * The job's bucket and its policy: encrypted at rest, no public access, TLS only, reject
 * files expiring. Retained when the stack is deleted: it holds the table's data.
 *
 * @example
 * ```ts
 * bucketResources({ prefix: 'iot', encryption: 'AES256', rejectsExpireDays: 30 });
 * // { SluiceBucket: { Type: 'AWS::S3::Bucket', ... }, SluiceBucketPolicy: { Type: 'AWS::S3::BucketPolicy', ... } }
 * ```
 */
export function bucketResources(options: BucketOptions): CfnResources {
  const kms = options.encryption === BucketEncryption.Kms;
  const bucketArn = getAtt(LogicalId.Bucket, 'Arn');
  return {
    [LogicalId.Bucket]: {
      Type: 'AWS::S3::Bucket',
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        ...(options.name === undefined ? {} : { BucketName: options.name }),
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            {
              ServerSideEncryptionByDefault: {
                SSEAlgorithm: options.encryption,
                ...(options.kmsKey === undefined ? {} : { KMSMasterKeyID: options.kmsKey }),
              },
              // One data key per bucket instead of one KMS call per object: batches write many small files.
              ...(kms ? { BucketKeyEnabled: true } : {}),
            },
          ],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LifecycleConfiguration: {
          Rules: [
            { Id: 'expire-rejects', Status: 'Enabled', Prefix: `${options.prefix}/_rejects/`, ExpirationInDays: options.rejectsExpireDays },
            {
              Id: 'abort-incomplete-uploads',
              Status: 'Enabled',
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: ABORT_INCOMPLETE_UPLOADS_DAYS },
            },
          ],
        },
      },
    },
    [LogicalId.BucketPolicy]: {
      Type: 'AWS::S3::BucketPolicy',
      Properties: {
        Bucket: ref(LogicalId.Bucket),
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'DenyPlainHttp',
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:*',
              Resource: [bucketArn, join([bucketArn, '/*'])],
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
          ],
        },
      },
    },
  };
}
