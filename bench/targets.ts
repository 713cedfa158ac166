import type { ColdStartResult } from './cold-start.ts';
import type { ParquetComparison } from './parquet-comparison.ts';
import type { PeakRssResult } from './peak-rss.ts';
import type { TargetCheck } from './results.ts';
import type { WholePathResult } from './whole-path.ts';

/** The project's performance targets (README "Performance"). */
export const TARGETS = {
  /** The whole path at least as fast as base64 + JSON.parse alone. */
  floorRatio: 1.0,
  /** sluice's Parquet writing at least ten times a pure-JS writer's. */
  parquetjsRatio: 10,
  coldStartMs: 300,
  peakRssMb: 200,
} as const;

/**
 * Each target against this run's figures, met or not: the report says which are missed
 * instead of leaving the reader to compare.
 *
 * @example
 * ```ts
 * checkTargets({ wholePaths, parquet, coldStarts, peakRss }).filter((t) => !t.met);
 * ```
 */
export function checkTargets(run: {
  readonly wholePaths: readonly WholePathResult[];
  readonly parquet: ParquetComparison;
  readonly coldStarts: readonly ColdStartResult[];
  readonly peakRss: readonly PeakRssResult[];
}): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const w of run.wholePaths) {
    if (w.floorRatio === undefined) continue;
    checks.push({
      target: `whole path / naive floor (${w.workload})`,
      goal: `>= ${TARGETS.floorRatio.toFixed(1)}`,
      measured: w.floorRatio.toFixed(2),
      met: w.floorRatio >= TARGETS.floorRatio,
    });
  }
  checks.push({
    target: 'sluice Parquet writing / parquetjs (as shipped)',
    goal: `>= ${TARGETS.parquetjsRatio}x`,
    measured: `${run.parquet.asShippedRatio.toFixed(1)}x`,
    met: run.parquet.asShippedRatio >= TARGETS.parquetjsRatio,
  });
  for (const c of run.coldStarts) {
    checks.push({
      target: `cold start to first batch written (${c.records} records)`,
      goal: `< ${TARGETS.coldStartMs} ms`,
      measured: `${c.wallMs.toFixed(0)} ms`,
      met: c.wallMs < TARGETS.coldStartMs,
    });
  }
  for (const r of run.peakRss) {
    checks.push({
      target: `peak RSS, first batch (${r.records} records, ${(r.eventBytes / 1e6).toFixed(1)} MB event)`,
      goal: `< ${TARGETS.peakRssMb} MB`,
      measured: `${r.peakFirstMb.toFixed(0)} MB`,
      met: r.peakFirstMb < TARGETS.peakRssMb,
    });
  }
  return checks;
}
