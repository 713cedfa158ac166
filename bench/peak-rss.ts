import type { ChildEnvironment } from './lambda/child-environment.ts';
import { spawnChild } from './lambda/spawn-child.ts';
import type { Workload } from './workload.ts';

/** Memory of one Lambda-like process handling a full batch. */
export interface PeakRssResult {
  readonly batch: string;
  readonly records: number;
  readonly eventBytes: number;
  readonly invocations: number;
  /** RSS right after Node started, and after the bundle loaded. */
  readonly rssAtBootMb: number;
  readonly rssAfterLoadMb: number;
  /** Kernel high-water mark (VmHWM) after the first batch: a cold container's peak (target < 200 MB). */
  readonly peakFirstMb: number;
  /** VmHWM after every invocation: what a warm container reaches. */
  readonly peakAllMb: number;
  /** process.resourceUsage().maxRSS at the end, as Node reports it. */
  readonly maxRssMb: number;
  /** Each invocation's time inside the child: the first is cold, the rest warm. */
  readonly batchMs: readonly number[];
}

/**
 * One fresh process running the bundled handler `invocations` times on `batch`, measured by
 * the kernel's VmHWM, the number Lambda's "Max Memory Used" is closest to.
 *
 * @example
 * ```ts
 * const rss = await measurePeakRss(env, clean, 3);
 * rss.peakFirstMb; // 166
 * ```
 */
export async function measurePeakRss(env: ChildEnvironment, batch: Workload, invocations: number): Promise<PeakRssResult> {
  const { marks } = await spawnChild(env.files.harness, [env.files.handler, env.eventFile(batch), String(invocations)], {
    SLUICE_BENCH_WAREHOUSE: await env.warehouse(),
  });
  return {
    batch: batch.name,
    records: batch.userRecords,
    eventBytes: batch.eventBytes,
    invocations,
    rssAtBootMb: marks.rssAtBootMb,
    rssAfterLoadMb: marks.rssAfterLoadMb,
    peakFirstMb: marks.hwmAfterFirstMb,
    peakAllMb: marks.hwmMb,
    maxRssMb: marks.maxRssMb,
    batchMs: marks.batchMs,
  };
}
