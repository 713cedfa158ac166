import { escapePartitionValue } from './hive-escape.ts';

/**
 * Limits a partition value must respect for its rows to be writable anywhere sluice writes:
 * no retry can fix a value over one of them, so a record whose output breaks one is a reject
 * (stage `partition`), never a batch that fails forever. The same limits apply locally and on
 * S3, so a local run rejects exactly what a deployed one would.
 *
 * @example
 * ```ts
 * PartitionLimits.objectKeyBytes; // 1024
 * ```
 */
export const PartitionLimits = {
  /** S3's longest object key, in UTF-8 bytes. */
  objectKeyBytes: 1024,
  /** The longest file or folder name of common file systems (ext4, APFS, NTFS): one `key=value` segment locally. */
  pathSegmentBytes: 255,
  /** Glue's longest partition value (PartitionInput.Values), in characters. */
  glueValueChars: 1024,
  /**
   * Room kept for the longest key derived from a partition's path: compaction's
   * `<prefix>/_compacted/<table>/<path>/g-NNNNNN/part-NNNNN.parquet` is 39 bytes longer than the path's
   * table folder (`test/partition/partition-limits.test.ts` checks this against the compaction layout).
   */
  derivedKeyReserveBytes: 39,
} as const;

// String.prototype.isWellFormed is ES2024; the lookarounds find a high surrogate without its low half, or the reverse.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Where a partition's files go, for checking their keys' lengths.
 *
 * @example
 * ```ts
 * const where: PartitionKeyContext = { prefix: 'iot', table: 'events', shardId: 'shardId-000000000000', recordId: '4959...' };
 * ```
 */
export interface PartitionKeyContext {
  readonly prefix: string;
  readonly table: string;
  readonly shardId: string;
  /** `recordId()` of the record whose output lands in the file. */
  readonly recordId: string;
}

/**
 * Why one extra partition value (a `partitionKeys` field) cannot be written, or undefined when it can.
 *
 * @example
 * ```ts
 * partitionValueProblem('activity', 'x'.repeat(300));
 * // "partition key 'activity': its value escapes to a 309-byte path segment 'activity=xxx…', over the 255-byte limit of a file or folder name"
 * ```
 */
export function partitionValueProblem(key: string, value: string): string | undefined {
  if (LONE_SURROGATE.test(value)) return `partition key '${key}': its value is not well-formed Unicode (it holds a lone surrogate), which no S3 key or Glue value can hold`;
  if (value.length > PartitionLimits.glueValueChars) {
    return `partition key '${key}': its value is ${value.length} characters long, over Glue's limit of ${PartitionLimits.glueValueChars} for a partition value`;
  }
  const segment = `${key}=${escapePartitionValue(value)}`;
  if (segment.length > PartitionLimits.pathSegmentBytes) {
    return `partition key '${key}': its value escapes to a ${segment.length}-byte path segment '${segment.slice(0, 40)}…', over the ${PartitionLimits.pathSegmentBytes}-byte limit of a file or folder name`;
  }
  return undefined;
}

/**
 * Why a partition's files cannot be written because their keys would be too long, or undefined.
 * Counts the data file's key and the longest key compaction derives from the same path.
 *
 * @example
 * ```ts
 * partitionKeyProblem('year=2026/month=01/day=02/hour=03/activity=walk', where); // undefined
 * ```
 */
export function partitionKeyProblem(path: string, where: PartitionKeyContext): string | undefined {
  const dataKey = `${where.prefix}/${where.table}/${path}/${where.shardId}-${where.recordId}.parquet`.length;
  const derivedKey = `${where.prefix}/${where.table}/${path}`.length + PartitionLimits.derivedKeyReserveBytes;
  const longest = Math.max(dataKey, derivedKey);
  if (longest <= PartitionLimits.objectKeyBytes) return undefined;
  return `the partition path '${path.slice(0, 60)}…' makes ${longest}-byte object keys, over S3's limit of ${PartitionLimits.objectKeyBytes} bytes`;
}
