import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Job } from '../src/job/define-job.ts';
import type { BatchReport } from '../src/runtime/batch-processor.ts';
import { createKinesisHandler } from '../src/runtime/lambda/kinesis-handler.ts';
import { LocalFolderStore } from '../src/store/local-folder-store.ts';
import { naiveFloor } from './naive-floor.ts';
import { noopCatalog } from './noop-catalog.ts';
import { medianMs, type RoundOptions, type RoundTask } from './rounds.ts';
import { throughput, type Throughput } from './throughput.ts';
import type { Workload } from './workload.ts';

/** One batch through the real Lambda handler, next to the naive floor on the same event. */
export interface WholePathResult {
  readonly workload: string;
  readonly userRecords: number;
  readonly kinesisRecords: number;
  readonly eventBytes: number;
  readonly jsonBytes: number;
  /** The handler: base64, KPL, decode, validate, steps, rows, Arrow, Parquet, file writes, answer. */
  readonly handler: Throughput;
  /** base64 + JSON.parse alone; absent for KPL batches, whose records are not JSON until de-aggregated. */
  readonly floor?: Throughput;
  /** Handler throughput / floor throughput (target >= 1). */
  readonly floorRatio?: number;
  /** What the last round wrote, checked against the workload's expectation. */
  readonly rows: number;
  readonly rejects: number;
  readonly files: number;
  readonly bytesWritten: number;
}

interface Harness {
  readonly invoke: () => Promise<void>;
  readonly last: () => BatchReport | undefined;
  readonly root: string;
}

/**
 * A warm container: one handler, created once like a Lambda module, writing to a local
 * folder (real files, real renames) with a catalog that does nothing. A failed batch throws,
 * so the bench never times the failure path by mistake.
 */
async function harness(job: Job, workload: Workload): Promise<Harness> {
  const root = await mkdtemp(join(tmpdir(), 'sluice-bench-'));
  let report: BatchReport | undefined;
  let failure: unknown;
  const handler = createKinesisHandler(job, {
    adapters: () => ({ store: new LocalFolderStore({ root }), catalog: noopCatalog }),
    onBatch: (r) => (report = r),
    onError: (error) => (failure = error),
  });
  return {
    root,
    last: () => report,
    invoke: async () => {
      const answer = await handler(workload.event);
      if (answer.batchItemFailures.length > 0) {
        throw new Error(`the handler failed the '${workload.name}' batch: ${failure instanceof Error ? failure.message : String(failure)}`);
      }
    },
  };
}

/**
 * Times the whole path for each workload and the naive floor for the plain-record ones,
 * all in one tinybench run, so the ratio compares numbers taken side by side.
 *
 * @example
 * ```ts
 * const [clean] = await measureWholePaths(job, [clean, malformed, kpl], DEFAULT_ROUNDS);
 * clean.floorRatio; // 0.15
 * ```
 */
export async function measureWholePaths(job: Job, workloads: readonly Workload[], rounds: RoundOptions): Promise<WholePathResult[]> {
  const harnesses = await Promise.all(workloads.map((w) => harness(job, w)));
  try {
    const tasks: RoundTask[] = [];
    workloads.forEach((w, i) => {
      if (w.kinesisRecords === w.userRecords) tasks.push({ name: `floor ${w.name}`, fn: () => naiveFloor(w.event) });
      tasks.push({ name: `handler ${w.name}`, fn: harnesses[i]!.invoke, async: true });
    });
    const medians = await medianMs(tasks, rounds);
    return workloads.map((w, i) => {
      const report = harnesses[i]!.last();
      if (!report || report.rows !== w.expected.rows || report.rejects !== w.expected.rejects) {
        throw new Error(
          `the '${w.name}' batch wrote ${report?.rows} rows and ${report?.rejects} rejects; expected ${w.expected.rows} and ${w.expected.rejects}`,
        );
      }
      const batch = { records: w.userRecords, bytes: w.jsonBytes };
      const handler = throughput(medians.get(`handler ${w.name}`)!, batch);
      const floorMs = medians.get(`floor ${w.name}`);
      const floor = floorMs === undefined ? undefined : throughput(floorMs, batch);
      return {
        workload: w.name,
        userRecords: w.userRecords,
        kinesisRecords: w.kinesisRecords,
        eventBytes: w.eventBytes,
        jsonBytes: w.jsonBytes,
        handler,
        ...(floor ? { floor, floorRatio: handler.recordsPerSecond / floor.recordsPerSecond } : {}),
        rows: report.rows,
        rejects: report.rejects,
        files: report.files.length + report.rejectFiles.length,
        bytesWritten: report.bytes,
      };
    });
  } finally {
    await Promise.all(harnesses.map((h) => rm(h.root, { recursive: true, force: true })));
  }
}
