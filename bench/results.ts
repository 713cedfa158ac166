import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ColdStartResult } from './cold-start.ts';
import type { CompactionMeasurement } from './compaction.ts';
import type { SizingRow } from './compaction-sizing.ts';
import type { CostLine, PRICES } from './cost.ts';
import type { Machine } from './machine.ts';
import type { ParquetComparison } from './parquet-comparison.ts';
import type { PeakRssResult } from './peak-rss.ts';
import type { RoundOptions } from './rounds.ts';
import type { StageResult } from './stages.ts';
import type { WholePathResult } from './whole-path.ts';

/** A batch as the report describes it. */
export interface BatchSummary {
  readonly name: string;
  readonly userRecords: number;
  readonly kinesisRecords: number;
  readonly meanRecordBytes: number;
  readonly jsonBytes: number;
  readonly eventBytes: number;
}

/** One target and how this run did against it. */
export interface TargetCheck {
  readonly target: string;
  readonly goal: string;
  readonly measured: string;
  readonly met: boolean;
  /** For a missed target: what this run's own figures say stands in the way. */
  readonly why?: string;
}

/** Everything one `npm run bench` measured: what `--json` writes. */
export interface BenchResults {
  readonly startedAt: string;
  readonly durationSeconds: number;
  readonly machine: Machine;
  /** 1, 5 and 15 minute load averages at the start and the end: a busy machine slows every figure. */
  readonly loadAverage: { readonly start: readonly number[]; readonly end: readonly number[] };
  readonly rounds: RoundOptions;
  readonly batches: readonly BatchSummary[];
  readonly stages: readonly StageResult[];
  readonly wholePaths: readonly WholePathResult[];
  readonly parquet: ParquetComparison;
  readonly bundle: {
    readonly bytes: number;
    readonly buildMs: number;
    /** Where the esbuild options came from (the deploy's, when the project has them). */
    readonly optionsSource: string;
    readonly minified: boolean;
    readonly largestInputs: ReadonlyArray<{ name: string; bytes: number }>;
  };
  readonly coldStarts: readonly ColdStartResult[];
  readonly peakRss: readonly PeakRssResult[];
  readonly prices: typeof PRICES;
  readonly lambdaMemoryMb: number;
  readonly cost: readonly CostLine[];
  readonly targets: readonly TargetCheck[];
  /** Compaction: two hours 4x apart, and the sizing computed from the larger. */
  readonly compaction: CompactionResults;
}

/** The compaction section of a run. */
export interface CompactionResults {
  readonly measurements: readonly CompactionMeasurement[];
  readonly sizing: readonly SizingRow[];
}

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results');

/**
 * Writes `bench/results/<timestamp>.json` (ignored by git: results belong to a machine and
 * a moment) and returns its path.
 *
 * @example
 * ```ts
 * await writeResults(results); // '/…/bench/results/2026-11-23T13-20-00Z.json'
 * ```
 */
export async function writeResults(results: BenchResults): Promise<string> {
  await mkdir(resultsDir, { recursive: true });
  const stamp = results.startedAt.replace(/\.\d+Z$/, 'Z').replaceAll(':', '-');
  const file = join(resultsDir, `${stamp}.json`);
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}
