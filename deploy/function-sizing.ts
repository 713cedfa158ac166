/**
 * Memory and timeout of a job's function.
 *
 * @example
 * ```ts
 * const sizing: FunctionSizing = { memorySize: 2048, timeout: 60 };
 * ```
 */
export interface FunctionSizing {
  /** MB; Lambda gives CPU in proportion to memory. */
  readonly memorySize: number;
  /** Seconds. */
  readonly timeout: number;
}

/**
 * Defaults for every job:
 * - 1024 MB: encoding Parquet in wasm is CPU-bound and Lambda's CPU grows with memory; a
 *   10,000-record batch's Arrow and Parquet buffers fit many times over.
 * - 120 s: a batch writes in seconds; the rest is room for S3 and Glue retries with backoff.
 *   It is also part of the retry horizon compaction waits out (maximum record age plus the
 *   timeout, DESIGN.md §4), so it is kept short.
 */
export const DEFAULT_FUNCTION_SIZING: FunctionSizing = { memorySize: 1024, timeout: 120 };

/**
 * The function's sizing: the defaults, with any override (a job-level setting later).
 *
 * @example
 * ```ts
 * functionSizing({ timeout: 300 }); // { memorySize: 1024, timeout: 300 }
 * ```
 */
export function functionSizing(overrides: Partial<FunctionSizing> = {}): FunctionSizing {
  return { ...DEFAULT_FUNCTION_SIZING, ...overrides };
}
