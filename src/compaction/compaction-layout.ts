import { tableRootKey } from '../partition/object-keys.ts';

/**
 * Where compaction keeps its files, beside the table and outside its root (like `_rejects`),
 * so nothing that lists or globs the table's own folders ever sees them:
 *
 * ```
 * <prefix>/<table>/<partition path>/<shard>-<first record>.parquet          base: where batches write
 * <prefix>/_compacted/<table>/<partition path>/_state.json                  the partition's compaction state
 * <prefix>/_compacted/<table>/<partition path>/g-000001/part-00000.parquet  generation 1, file 0 (unit 0's output)
 * <prefix>/_compacted/<table>/<partition path>/g-000001/_plan.json          generation 1's plan: its inputs and units
 * <prefix>/_compacted/<table>/<partition path>/g-000001/_units/u-00000.json       unit 0: what it reads and writes
 * <prefix>/_compacted/<table>/<partition path>/g-000001/_units/u-00000.done.json  unit 0's receipt: written, with counts
 * ```
 *
 * Readers skip the plan and units: Athena (like Hive) ignores names starting with `_` or `.`,
 * and sluice's own readers take only the `*.parquet` files directly in a partition's folder.
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
  /** `<generation folder>/_plan.json`. */
  planKey(path: string, generation: number): string;
  /** `<generation folder>/_units/u-<index, 5 digits>.json`. */
  unitKey(path: string, generation: number, index: number): string;
  /** `<generation folder>/_units/u-<index, 5 digits>.done.json`. */
  receiptKey(path: string, generation: number, index: number): string;
}

/**
 * Whether `key` is a data file of the folder: a `.parquet` file directly in it (not the plan,
 * not a unit's file, nothing in a subfolder).
 *
 * @example
 * ```ts
 * isDataFileOf('a/g-000001/', 'a/g-000001/part-00000.parquet'); // true
 * isDataFileOf('a/g-000001/', 'a/g-000001/_units/u-00000.json'); // false
 * ```
 */
export function isDataFileOf(folder: string, key: string): boolean {
  return key.startsWith(folder) && key.endsWith('.parquet') && !key.slice(folder.length).includes('/');
}

const five = (index: number) => String(index).padStart(5, '0');

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
    partKey: (path, generation, index) => `${generationFolder(path, generation)}/part-${five(index)}.parquet`,
    planKey: (path, generation) => `${generationFolder(path, generation)}/_plan.json`,
    unitKey: (path, generation, index) => `${generationFolder(path, generation)}/_units/u-${five(index)}.json`,
    receiptKey: (path, generation, index) => `${generationFolder(path, generation)}/_units/u-${five(index)}.done.json`,
  };
}
