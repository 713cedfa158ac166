/**
 * How many files a compacted partition is written as, and how many rows go in each.
 *
 * @example
 * ```ts
 * const split: OutputSplit = { files: 3, rowsPerFile: 333_334 };
 * ```
 */
export interface OutputSplit {
  readonly files: number;
  /** Rows of every file but the last, which holds the rest. */
  readonly rowsPerFile: number;
}

/**
 * What {@link outputSplit} needs to know about a partition's inputs and output.
 *
 * @example
 * ```ts
 * const sizes: SplitInput = { inputBytes: 300 * 1024 * 1024, inputRows: 1_000_000, outputRows: 1_000_000, targetBytes: 128 * 1024 * 1024 };
 * ```
 */
export interface SplitInput {
  readonly inputBytes: number;
  readonly inputRows: number;
  /** Rows after merging: as many as the input for a plain table, fewer for an aggregate. */
  readonly outputRows: number;
  readonly targetBytes: number;
}

/**
 * `ceil(output bytes / target)` files of similar row counts, the output's bytes estimated from
 * the input's bytes per row (Parquet compresses about as well after merging as before); at
 * least one file per partition with rows, at most one file per row, none without rows.
 *
 * @example
 * ```ts
 * outputSplit({ inputBytes: 300, inputRows: 10, outputRows: 10, targetBytes: 128 }); // { files: 3, rowsPerFile: 4 }
 * ```
 */
export function outputSplit(input: SplitInput): OutputSplit {
  if (input.outputRows <= 0) return { files: 0, rowsPerFile: 0 };
  const outputBytes = input.inputRows > 0 ? (input.inputBytes * input.outputRows) / input.inputRows : input.inputBytes;
  const wanted = Math.min(Math.max(1, Math.ceil(outputBytes / input.targetBytes)), input.outputRows);
  const rowsPerFile = Math.ceil(input.outputRows / wanted);
  // Rounding rows up can leave the last wanted file empty: count only files that get rows.
  return { files: Math.ceil(input.outputRows / rowsPerFile), rowsPerFile };
}
