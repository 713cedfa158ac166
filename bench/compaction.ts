import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { LocalCatalog } from '../src/catalog/local-catalog.ts';
import type { CompactionReport } from '../src/compaction/compaction-report.ts';
import { LocalFolderStore } from '../src/store/local-folder-store.ts';
import { seedHour } from '../test/compaction/hour-workload.ts';
import { lambdaBuildOptions } from './lambda/bundle-options.ts';

/**
 * Compaction's throughput and memory, measured on the sample stream: an hour of `records`
 * Sense HAT readings written through the real batch processors (`sensor-readings`, one row
 * per record; `sensor-hourly`, partial aggregates), one base file per batch of 1,000 as a
 * shard at its write limit makes them, then compacted in a fresh process running a bundle
 * built like the compaction function's. Rows/s and MB/s count the rows and the Parquet bytes
 * of the base files compacted (and, as everywhere in the bench, MB/s the MB of the records' JSON); peak RSS is the child's (VmHWM, as Lambda's "Max Memory Used").
 */

/** One job's compaction of the hour. */
export interface CompactionRun {
  readonly job: string;
  readonly ms: number;
  /** CPU the child spent on it (all threads). */
  readonly cpuMs: number;
  readonly report: Omit<CompactionReport, 'details'>;
  /** Store and catalog calls, by method. */
  readonly calls: Readonly<Record<string, number>>;
  readonly rowsPerSecond: number;
  /** MB (10^6 B) of the records' JSON per second, as everywhere in the bench. */
  readonly mbPerSecond: number;
  /** MB of base Parquet files per second. */
  readonly parquetMbPerSecond: number;
}

/** One hour's size, compacted for both jobs in one fresh process. */
export interface CompactionMeasurement {
  readonly records: number;
  readonly batches: number;
  /** Bytes of the hour's records as JSON. */
  readonly jsonBytes: number;
  readonly rssAfterLoadMb: number;
  readonly peakRssMb: number;
  readonly runs: readonly CompactionRun[];
}

const here = dirname(fileURLToPath(import.meta.url));
const JOBS = ['sensor-readings', 'sensor-hourly'] as const;

/**
 * Builds the child's bundle once, then for each size seeds an hour and compacts it in a
 * fresh process.
 *
 * @example
 * ```ts
 * const [small, large] = await measureCompaction([100_000, 400_000]);
 * large.runs[0].rowsPerSecond;
 * ```
 */
export async function measureCompaction(sizes: readonly number[]): Promise<CompactionMeasurement[]> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-bench-compaction-'));
  try {
    const bundle = join(dir, 'compaction.mjs');
    const { options } = await lambdaBuildOptions();
    await build({ ...options, logLevel: 'error', entryPoints: [join(here, 'lambda', 'compaction-entry.ts')], outfile: bundle });
    const out: CompactionMeasurement[] = [];
    for (const records of sizes) {
      const root = join(dir, `hour-${records}`);
      const seeded = await seedHour({ store: new LocalFolderStore({ root: join(root, 'warehouse') }), catalog: new LocalCatalog({ dir: join(root, 'catalog') }) }, { records, jobs: JOBS });
      const child = await runChild(bundle, [root, ...JOBS]);
      out.push({
        records,
        batches: seeded.batches,
        jsonBytes: seeded.jsonBytes,
        rssAfterLoadMb: child.rssAfterLoadMb,
        peakRssMb: child.maxRssMb,
        runs: child.results.map((run) => ({
          ...run,
          rowsPerSecond: run.report.rows.before / (run.ms / 1000),
          mbPerSecond: seeded.jsonBytes / 1e6 / (run.ms / 1000),
          parquetMbPerSecond: run.report.bytes.before / 1e6 / (run.ms / 1000),
        })),
      });
      await rm(root, { recursive: true, force: true });
    }
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface ChildAnswer {
  readonly rssAfterLoadMb: number;
  readonly maxRssMb: number;
  readonly results: ReadonlyArray<Omit<CompactionRun, 'rowsPerSecond' | 'mbPerSecond' | 'parquetMbPerSecond'>>;
}

/** A bare `node` on the bundle, as a Lambda runtime starts: the bench's own loader options are not passed on. */
function runChild(bundle: string, args: readonly string[]): Promise<ChildAnswer> {
  const { NODE_OPTIONS: _dropped, ...env } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`the compaction child exited ${code}:\n${stderr}`));
      else resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as ChildAnswer);
    });
  });
}
