import { rowsToArrowTable } from '../src/format/arrow-table.ts';
import { encodeParquet } from '../src/format/parquet-encode.ts';
import type { Job } from '../src/job/define-job.ts';
import type { Compression } from '../src/job/table.ts';
import { parquetjsSchema, writeWithParquetjs } from './parquetjs-writer.ts';
import { medianMs, type RoundOptions } from './rounds.ts';
import type { StageInputs } from './stage-inputs.ts';
import { throughput, type Throughput } from './throughput.ts';
import type { Workload } from './workload.ts';

/** One way of turning the batch's rows into a Parquet file. */
export interface WriterResult {
  readonly name: string;
  readonly throughput: Throughput;
  /** Size of the file written. */
  readonly bytes: number;
}

export interface ParquetComparison {
  /** Rows -> Parquet bytes: sluice (Arrow + parquet-wasm) with ZSTD and SNAPPY, parquetjs with SNAPPY. */
  readonly writers: readonly WriterResult[];
  /** sluice as shipped (the job's codec) over parquetjs SNAPPY, by throughput (target >= 10). */
  readonly asShippedRatio: number;
  /** sluice SNAPPY over parquetjs SNAPPY: the same codec on both sides. */
  readonly sameCodecRatio: number;
  /** Arrow table -> Parquet bytes only, per codec: what the codec choice costs and saves. */
  readonly codecs: readonly WriterResult[];
}

const SLUICE_CODECS: readonly Compression[] = ['zstd', 'snappy'];

/**
 * sluice's Parquet writing against a pure-JS writer on the same rows, and ZSTD against
 * SNAPPY on the same Arrow table, in one tinybench run.
 *
 * @example
 * ```ts
 * const c = await compareParquetWriters(job, clean, inputs, DEFAULT_ROUNDS);
 * c.asShippedRatio; // 6.7
 * ```
 */
export async function compareParquetWriters(job: Job, workload: Workload, inputs: StageInputs, rounds: RoundOptions): Promise<ParquetComparison> {
  const columns = job.output.dataColumns;
  const schema = parquetjsSchema(columns, 'SNAPPY');
  const sizes = new Map<string, number>();
  const sized = (name: string, bytes: Uint8Array): number => {
    sizes.set(name, bytes.byteLength);
    return bytes.byteLength;
  };
  const writerNames = [...SLUICE_CODECS.map((c) => `sluice ${c.toUpperCase()}`), 'parquetjs SNAPPY'];
  const codecNames = SLUICE_CODECS.map((c) => `encode ${c.toUpperCase()}`);
  const medians = await medianMs(
    [
      ...SLUICE_CODECS.map((compression, i) => ({
        name: writerNames[i]!,
        fn: () => sized(writerNames[i]!, encodeParquet(rowsToArrowTable(inputs.rows, columns), { compression })),
      })),
      { name: 'parquetjs SNAPPY', fn: async () => sized('parquetjs SNAPPY', await writeWithParquetjs(inputs.rows, schema)), async: true },
      ...SLUICE_CODECS.map((compression, i) => ({
        name: codecNames[i]!,
        fn: () => sized(codecNames[i]!, encodeParquet(inputs.table, { compression })),
      })),
    ],
    rounds,
  );
  const batch = { records: workload.userRecords, bytes: workload.jsonBytes };
  const result = (name: string): WriterResult => ({ name, throughput: throughput(medians.get(name)!, batch), bytes: sizes.get(name)! });
  const writers = writerNames.map(result);
  const codecs = codecNames.map(result);
  const rate = (name: string): number => writers.find((w) => w.name === name)!.throughput.recordsPerSecond;
  return {
    writers,
    asShippedRatio: rate(`sluice ${job.output.compression.toUpperCase()}`) / rate('parquetjs SNAPPY'),
    sameCodecRatio: rate('sluice SNAPPY') / rate('parquetjs SNAPPY'),
    codecs,
  };
}
