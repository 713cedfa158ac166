import type { WholePathResult } from './whole-path.ts';

/**
 * What the measured throughput implies in dollars per GB of JSON, next to the managed
 * alternative (Kinesis Data Firehose with Parquet conversion). Public list prices only,
 * us-east-1, as of the date below: no free tier, no savings plans, no volume tiers beyond
 * the first. They are constants typed in from the AWS pricing pages, not fetched at run
 * time (the bench has no network), so re-check them before quoting a figure.
 */
export const PRICES = {
  /** When these list prices were read off aws.amazon.com/lambda/pricing and aws.amazon.com/firehose/pricing. */
  asOf: '2025-06',
  region: 'us-east-1',
  /** Lambda, arm64 (Graviton), per GB-second of configured memory (first 7.5 billion GB-s a month). Price as of 2025-06. */
  lambdaArm64PerGbSecond: 0.0000133334,
  /** Lambda, per invocation ($0.20 per 1M requests). Price as of 2025-06. */
  lambdaPerRequest: 0.2 / 1_000_000,
  /** Firehose ingestion, Direct PUT / Kinesis Data Streams source, per GB, first 500 TB a month. Price as of 2025-06. */
  firehoseIngestionPerGb: 0.029,
  /** Firehose data format conversion (JSON -> Parquet/ORC), per GB. Price as of 2025-06. */
  firehoseFormatConversionPerGb: 0.018,
  /** Firehose bills each ingested record rounded up to the next 5 KB (pricing page, as of 2025-06). */
  firehoseRecordIncrementBytes: 5 * 1024,
} as const;

/**
 * Lambda gives a function CPU in proportion to its memory: one full vCPU at 1,769 MB. A
 * single-threaded, CPU-bound handler at 1024 MB therefore runs about 1769/1024 times longer
 * than on one full core of the same speed. (Graviton's per-core speed against this machine's
 * is not known here and is not corrected for.)
 */
const FULL_VCPU_MB = 1769;
/** sensor-readings declares no memory size (jobs have no such setting yet): the cost assumes 1024 MB. */
export const LAMBDA_MEMORY_MB = 1024;
/** Dollars per GB of JSON are per 10^9 bytes of record data. */
const GB = 1e9;

/** One row of the cost comparison. */
export interface CostLine {
  readonly option: string;
  readonly dollarsPerGb: number;
  /** How the figure was made, in one line. */
  readonly basis: string;
}

/**
 * sluice on Lambda for each measured batch, then Firehose with and without its per-record
 * rounding.
 *
 * @example
 * ```ts
 * costPerGbOfJson(wholePaths, { meanRecordBytes: 174 }); // [{ option: 'sluice on Lambda ...', dollarsPerGb: 0.03, ... }, ...]
 * ```
 */
export function costPerGbOfJson(wholePaths: readonly WholePathResult[], batch: { readonly meanRecordBytes: number }): CostLine[] {
  const cpuShare = Math.min(1, LAMBDA_MEMORY_MB / FULL_VCPU_MB);
  const lines: CostLine[] = wholePaths.map((w) => {
    const lambdaSeconds = w.handler.ms / cpuShare / 1000;
    const perBatch = lambdaSeconds * (LAMBDA_MEMORY_MB / 1024) * PRICES.lambdaArm64PerGbSecond + PRICES.lambdaPerRequest;
    return {
      option: `sluice on Lambda arm64 ${LAMBDA_MEMORY_MB} MB, ${w.workload} batches`,
      dollarsPerGb: (perBatch * GB) / w.jsonBytes,
      basis: `${w.handler.ms.toFixed(0)} ms here x ${(1 / cpuShare).toFixed(2)} (CPU share) per ${w.userRecords} records + 1 request`,
    };
  });
  const firehosePerGb = PRICES.firehoseIngestionPerGb + PRICES.firehoseFormatConversionPerGb;
  const increment = PRICES.firehoseRecordIncrementBytes;
  const billedPerRecord = Math.ceil(batch.meanRecordBytes / increment) * increment;
  lines.push(
    {
      option: 'Firehose ingestion + Parquet conversion, 5 KB per-record rounding',
      dollarsPerGb: firehosePerGb * (billedPerRecord / batch.meanRecordBytes),
      basis: `each ${batch.meanRecordBytes.toFixed(0)} B record billed as ${billedPerRecord / 1024} KB, at $${PRICES.firehoseIngestionPerGb} + $${PRICES.firehoseFormatConversionPerGb} per GB`,
    },
    {
      option: 'Firehose ingestion + Parquet conversion, no rounding (lower bound)',
      dollarsPerGb: firehosePerGb,
      basis: `$${PRICES.firehoseIngestionPerGb} + $${PRICES.firehoseFormatConversionPerGb} per GB, as if records were >= 5 KB`,
    },
  );
  return lines;
}
