import { PRICES } from './cost.ts';

/**
 * The list prices the compaction sizing needs beyond bench/cost.ts's (Lambda, Firehose), us-east-1,
 * read off the pricing pages named below as of 2025-06: no free tier, no volume discounts.
 * Constants, not fetched at run time (the bench has no network): re-check before quoting.
 *
 * @example
 * ```ts
 * COMPACTION_PRICES.s3PutPerRequest * 1000; // 0.005
 * ```
 */
export const COMPACTION_PRICES = {
  ...PRICES,
  /** S3 Standard PUT, COPY, POST, LIST requests: $0.005 per 1,000 (aws.amazon.com/s3/pricing, Requests & data retrievals). 2025-06. */
  s3PutPerRequest: 0.005 / 1000,
  /** S3 Standard GET, SELECT and all other requests: $0.0004 per 1,000 (aws.amazon.com/s3/pricing). 2025-06. */
  s3GetPerRequest: 0.0004 / 1000,
  /**
   * DeleteObjects is a POST: counted here at the PUT price, though the pricing page says DELETE
   * requests are free (aws.amazon.com/s3/pricing); the figure errs high.
   */
  s3DeleteObjectsPerRequest: 0.005 / 1000,
  /** AWS Glue Data Catalog requests: $1.00 per million, past the first million a month (aws.amazon.com/glue/pricing). 2025-06. */
  gluePerRequest: 1 / 1_000_000,
  /** Step Functions Standard workflows: $0.025 per 1,000 state transitions, past 4,000 free a month (aws.amazon.com/step-functions/pricing). 2025-06. */
  stepFunctionsPerTransition: 0.025 / 1000,
} as const;
