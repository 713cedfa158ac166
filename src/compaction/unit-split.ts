/**
 * How a partition's inputs are cut into units of work, each a compaction function can finish
 * on its own: pure arithmetic on the listed sizes, so the planner needs no file's footer.
 */

/**
 * The part of one input file a unit reads: the rows in proportion to the bytes `[start, end)`
 * of the file (see {@link sliceRows}). A whole file is `{ start: 0, end: size }`.
 *
 * @example
 * ```ts
 * const slice: InputSlice = { key: 'iot/t/year=2026/month=11/day=23/hour=08/shardId-000000000000-4959.parquet', size: 90_000, start: 0, end: 45_000 };
 * ```
 */
export interface InputSlice {
  readonly key: string;
  /** The file's size when it was listed. */
  readonly size: number;
  readonly start: number;
  readonly end: number;
}

/**
 * A file to split, as listed.
 *
 * @example
 * ```ts
 * const input: SizedInput = { key: 'iot/t/.../shardId-000000000000-4959.parquet', size: 90_000 };
 * ```
 */
export interface SizedInput {
  readonly key: string;
  readonly size: number;
}

/**
 * How many units of about `bytesPerUnit` input bytes `inputBytes` make: at least one.
 *
 * @example
 * ```ts
 * unitsFor(300, 128); // 3
 * ```
 */
export function unitsFor(inputBytes: number, bytesPerUnit: number): number {
  return Math.max(1, Math.ceil(inputBytes / bytesPerUnit));
}

/**
 * Splits the inputs, in their order, into `units` runs of equal bytes (to the byte): unit `k`
 * takes the bytes `[floor(k * total / units), floor((k + 1) * total / units))` of the inputs
 * laid end to end, so a file crossing a boundary is shared by two neighbouring units, each
 * taking its side. A unit's output is then about `total / units` bytes, and no unit reads
 * more than that, however large one input is. Every byte of every input is in exactly one unit.
 *
 * @example
 * ```ts
 * splitByBytes([{ key: 'a', size: 100 }, { key: 'b', size: 100 }], 3);
 * // [[{ key: 'a', size: 100, start: 0, end: 66 }],
 * //  [{ key: 'a', size: 100, start: 66, end: 100 }, { key: 'b', size: 100, start: 0, end: 33 }],
 * //  [{ key: 'b', size: 100, start: 33, end: 100 }]]
 * ```
 */
export function splitByBytes(inputs: readonly SizedInput[], units: number): InputSlice[][] {
  const total = inputs.reduce((sum, input) => sum + input.size, 0);
  const boundary = (k: number) => Math.floor((k * total) / units);
  const out: InputSlice[][] = Array.from({ length: units }, () => []);
  let offset = 0;
  // The unit whose bytes include `offset`: boundaries only grow, so it only moves forward.
  let first = 0;
  for (const input of inputs) {
    const fileEnd = offset + input.size;
    while (first < units - 1 && boundary(first + 1) <= offset) first++;
    for (let k = first; k < units && boundary(k) < fileEnd; k++) {
      const start = Math.max(boundary(k), offset) - offset;
      const end = Math.min(boundary(k + 1), fileEnd) - offset;
      if (start < end) out[k]!.push({ key: input.key, size: input.size, start, end });
    }
    offset = fileEnd;
  }
  return out;
}

/**
 * The rows of a file a slice stands for: `[floor(start * rows / size), floor(end * rows / size))`.
 * Two neighbouring units compute their shared boundary from the same numbers, so every row of
 * the file goes to exactly one of them.
 *
 * @example
 * ```ts
 * sliceRows({ key: 'a', size: 100, start: 66, end: 100 }, 50); // { rowStart: 33, rowEnd: 50 }
 * ```
 */
export function sliceRows(slice: InputSlice, fileRows: number): { readonly rowStart: number; readonly rowEnd: number } {
  const at = (byte: number) => (byte >= slice.size ? fileRows : Math.floor((byte * fileRows) / slice.size));
  return { rowStart: at(slice.start), rowEnd: at(slice.end) };
}
