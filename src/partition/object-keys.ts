/**
 * Object keys, per the exactly-once rule (DESIGN.md §4): a file's key is fixed by the
 * shard and the first record that lands in it, so a retried batch that starts at the same
 * record overwrites the same key. Never a batch end, a clock or a random id.
 */

export interface DataFileKeyParts {
  readonly prefix: string;
  readonly table: string;
  /** Escaped `key=value/...` path of the partition. */
  readonly partitionPath: string;
  readonly shardId: string;
  /** `recordId()` of the first record in the file. */
  readonly firstRecordId: string;
}

/**
 * `<prefix>/<table>/<partition path>/<shardId>-<first record>.parquet`
 *
 * @example
 * ```ts
 * dataFileKey({ prefix: 'iot', table: 'sensor_readings', partitionPath: 'year=2026/month=01/day=02/hour=03',
 *               shardId: 'shardId-000000000000', firstRecordId: '4959' });
 * // 'iot/sensor_readings/year=2026/month=01/day=02/hour=03/shardId-000000000000-4959.parquet'
 * ```
 */
export function dataFileKey(parts: DataFileKeyParts): string {
  return `${tableRootKey(parts)}/${parts.partitionPath}/${parts.shardId}-${parts.firstRecordId}.parquet`;
}

/**
 * `<prefix>/_rejects/<table>/<arrival-hour path>/<shardId>-<first record>.ndjson`
 *
 * @example
 * ```ts
 * rejectFileKey({ prefix: 'iot', table: 'sensor_readings', partitionPath: 'year=2026/month=01/day=02/hour=03',
 *                 shardId: 'shardId-000000000000', firstRecordId: '4959' });
 * // 'iot/_rejects/sensor_readings/year=2026/month=01/day=02/hour=03/shardId-000000000000-4959.ndjson'
 * ```
 */
export function rejectFileKey(parts: DataFileKeyParts): string {
  return `${rejectsRootKey(parts)}/${parts.partitionPath}/${parts.shardId}-${parts.firstRecordId}.ndjson`;
}

/** `<prefix>/<table>`: the table's location relative to the store root. */
export function tableRootKey(parts: { readonly prefix: string; readonly table: string }): string {
  return `${parts.prefix}/${parts.table}`;
}

/** `<prefix>/_rejects/<table>`: where a table's rejects go. */
export function rejectsRootKey(parts: { readonly prefix: string; readonly table: string }): string {
  return `${parts.prefix}/_rejects/${parts.table}`;
}
