import { tableRootKey } from '../partition/object-keys.ts';

/**
 * Where compaction keeps its files, beside the table and outside its root (like `_rejects`),
 * so nothing that lists or globs the table's own folders ever sees them:
 *
 * ```
 * <prefix>/<table>/<partition path>/<shard>-<first record>.parquet          base: where batches write
 * <prefix>/_compacted/<table>/<partition path>/_state.json                  the partition's compaction state
 * <prefix>/_compacted/<table>/<partition path>/g-000001/part-00000.parquet  generation 1, file 0
 * ```
 */

/**
 * The keys of one table's compaction, by partition path (escaped `key=value/...`).
 *
 * @example
 * ```ts
 * const layout = compactionLayout({ prefix: 'iot', table: 'sensor_readings' });
 * layout.partKey('year=2026/month=11/day=23/hour=08', 2, 0);
 * // 'iot/_compacted/sensor_readings/year=2026/month=11/day=23/hour=08/g-000002/part-00000.parquet'
 * ```
 */
export interface CompactionLayout {
  /** `<prefix>/<table>/<path>`: the folder batches write to. */
  baseFolder(path: string): string;
  /** `<prefix>/_compacted/<table>/<path>`: the partition's state and generations. */
  partitionFolder(path: string): string;
  /** `<partition folder>/_state.json`. */
  stateKey(path: string): string;
  /** `<partition folder>/g-<generation, 6 digits>`. */
  generationFolder(path: string, generation: number): string;
  /** `<generation folder>/part-<index, 5 digits>.parquet`. */
  partKey(path: string, generation: number, index: number): string;
}

/**
 * `<prefix>/_compacted/<table>`: where all of a table's compaction files live.
 *
 * @example
 * ```ts
 * compactedRootKey({ prefix: 'iot', table: 'sensor_readings' }); // 'iot/_compacted/sensor_readings'
 * ```
 */
export function compactedRootKey(table: { readonly prefix: string; readonly table: string }): string {
  return `${table.prefix}/_compacted/${table.table}`;
}

/**
 * The compaction layout of a table.
 *
 * @example
 * ```ts
 * compactionLayout({ prefix: 'iot', table: 'sensor_readings' }).stateKey('year=2026/month=11/day=23/hour=08');
 * // 'iot/_compacted/sensor_readings/year=2026/month=11/day=23/hour=08/_state.json'
 * ```
 */
export function compactionLayout(table: { readonly prefix: string; readonly table: string }): CompactionLayout {
  const partitionFolder = (path: string) => `${compactedRootKey(table)}/${path}`;
  const generationFolder = (path: string, generation: number) => `${partitionFolder(path)}/g-${String(generation).padStart(6, '0')}`;
  return {
    baseFolder: (path) => `${tableRootKey(table)}/${path}`,
    partitionFolder,
    stateKey: (path) => `${partitionFolder(path)}/_state.json`,
    generationFolder,
    partKey: (path, generation, index) => `${generationFolder(path, generation)}/part-${String(index).padStart(5, '0')}.parquet`,
  };
}
