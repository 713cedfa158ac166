/**
 * Throughput from a median batch time. MB are decimal (10^6 bytes) and always counted on
 * the batch's record data (the JSON the job sees), whatever the stage consumes, so every
 * stage's MB/s is comparable and the cost per GB of JSON follows from it directly.
 */
export interface Throughput {
  /** Median milliseconds per batch. */
  readonly ms: number;
  readonly recordsPerSecond: number;
  readonly mbPerSecond: number;
}

/**
 * @example
 * ```ts
 * throughput(25, { records: 10_000, bytes: 1_630_000 }); // { ms: 25, recordsPerSecond: 400000, mbPerSecond: 65.2 }
 * ```
 */
export function throughput(ms: number, batch: { readonly records: number; readonly bytes: number }): Throughput {
  const seconds = ms / 1000;
  return { ms, recordsPerSecond: batch.records / seconds, mbPerSecond: batch.bytes / 1e6 / seconds };
}
