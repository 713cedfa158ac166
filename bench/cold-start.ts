import type { ChildEnvironment } from './lambda/child-environment.ts';
import { spawnChild, type ChildRun } from './lambda/spawn-child.ts';
import type { Workload } from './workload.ts';

/** A cold start: a fresh `node` process loading the bundled handler and writing its first batch. */
export interface ColdStartResult {
  readonly batch: string;
  readonly records: number;
  readonly eventBytes: number;
  readonly spawns: number;
  /** Median wall time from spawn to the first batch written (target < 300 ms). */
  readonly wallMs: number;
  /** Medians of the child's own marks, to say where the time goes. */
  readonly bootMs: number;
  readonly loadMs: number;
  readonly eventMs: number;
  readonly wasmMs: number;
  readonly firstBatchMs: number;
  /**
   * Median CPU time of the child, all threads, to the first batch written: less moved by other
   * work on the machine than `wallMs`, and above it when work ran on two cores at once.
   */
  readonly cpuMs: number;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/**
 * Spawns `spawns` fresh processes one after the other, each invoking the bundled handler
 * once with `batch`, and returns the medians. One unmeasured spawn first warms the OS file
 * cache, as a Lambda host's cache is warm for the function's code.
 *
 * @example
 * ```ts
 * const cold = await measureColdStart(env, small, 5);
 * cold.wallMs; // 406
 * ```
 */
export async function measureColdStart(env: ChildEnvironment, batch: Workload, spawns: number): Promise<ColdStartResult> {
  const run = async (): Promise<ChildRun> =>
    spawnChild(env.files.harness, [env.files.handler, env.eventFile(batch), '1'], { SLUICE_BENCH_WAREHOUSE: await env.warehouse() });
  await run();
  const runs: ChildRun[] = [];
  for (let i = 0; i < spawns; i++) runs.push(await run());
  const of = (pick: (r: ChildRun) => number): number => median(runs.map(pick));
  return {
    batch: batch.name,
    records: batch.userRecords,
    eventBytes: batch.eventBytes,
    spawns,
    wallMs: of((r) => r.wallMs),
    bootMs: of((r) => r.marks.bootMs),
    loadMs: of((r) => r.marks.loadMs),
    eventMs: of((r) => r.marks.eventMs),
    wasmMs: of((r) => r.marks.wasmMs),
    firstBatchMs: of((r) => r.marks.firstBatchMs),
    cpuMs: of((r) => r.marks.firstCpuMs),
  };
}
