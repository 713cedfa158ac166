const MIB = 1024 * 1024;

/**
 * What one unit of compaction holds in memory at once. Its peak depends on these and on the
 * table's row width, never on the partition's size (README, Compaction: the memory formula):
 * - `rowGroupRows` rows as Arrow columns, twice (built, and copied into wasm) plus the group
 *   being encoded;
 * - `chunkRows` rows as objects (the read chunk), and for an aggregate table up to
 *   `mergeRows` merged rows (one per window and group held);
 * - `readAheadBytes` of input files read ahead (files up to `wholeFileBytes` are read whole),
 *   and `rangeCacheBytes` of a large input's current row group;
 * - the store's upload parts (S3: two parts of `partSizeBytes` in flight, one filling).
 *
 * @example
 * ```ts
 * const limits: UnitLimits = { ...UnitLimitDefaults, rowGroupRows: 65_536 };
 * ```
 */
export interface UnitLimits {
  /** Rows per row group of the files written. */
  readonly rowGroupRows: number;
  /** Rows decoded from an input at a time. */
  readonly chunkRows: number;
  /** Input bytes fetched ahead of the file being read (at least one file is). */
  readonly readAheadBytes: number;
  /** Inputs up to this size are fetched whole in one request; larger ones by ranges. */
  readonly wholeFileBytes: number;
  /** Ranges of a large input kept, so reading a row group chunk by chunk fetches it once. */
  readonly rangeCacheBytes: number;
  /** Input files fetched ahead at most, however small. */
  readonly readAheadFiles: number;
  /**
   * Aggregate tables: merged rows (one per window and group) a unit holds before it writes
   * them out and merges afresh.
   */
  readonly mergeRows: number;
}

/**
 * The limits compaction runs with unless told otherwise.
 *
 * @example
 * ```ts
 * UnitLimitDefaults.rowGroupRows; // 131072
 * ```
 */
export const UnitLimitDefaults: UnitLimits = {
  // ~2.6 MB of ZSTD Parquet for the sample job's rows: Athena reads row groups of this size well, and they fit small functions.
  rowGroupRows: 131_072,
  chunkRows: 8_192,
  readAheadBytes: 32 * MIB,
  wholeFileBytes: 8 * MIB,
  rangeCacheBytes: 32 * MIB,
  readAheadFiles: 16,
  mergeRows: 131_072,
};
