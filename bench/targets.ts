import type { ColdStartResult } from './cold-start.ts';
import type { ParquetComparison } from './parquet-comparison.ts';
import type { PeakRssResult } from './peak-rss.ts';
import { StageRole, type StageResult } from './stages.ts';
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
 * checkTargets({ stages, wholePaths, parquet, coldStarts, peakRss }).filter((t) => !t.met);
 * ```
 */
export function checkTargets(run: {
  readonly stages: readonly StageResult[];
  readonly wholePaths: readonly WholePathResult[];
  readonly parquet: ParquetComparison;
  readonly coldStarts: readonly ColdStartResult[];
  readonly peakRss: readonly PeakRssResult[];
}): TargetCheck[] {
  const checks: TargetCheck[] = [];
  // The stages run on the clean batch: its ceiling is stated once, and other batches refer to it.
  const ceiling = floorCeiling(run.stages);
  run.wholePaths.forEach((w, i) => {
    if (w.floorRatio === undefined) return;
    const met = w.floorRatio >= TARGETS.floorRatio;
    const why = i === 0 ? ceiling : ceiling && `below the clean batch's ceiling above, with each bad record also decoded again by the generic path for its reason`;
    checks.push({
      target: `whole path / naive floor (${w.workload})`,
      goal: `>= ${TARGETS.floorRatio.toFixed(1)}`,
      measured: w.floorRatio.toFixed(2),
      met,
      ...(met || !why ? {} : { why }),
    });
  });
  // Both sides with SNAPPY is the like-for-like figure (parquetjs has no ZSTD); as shipped,
  // sluice also pays for ZSTD's smaller files, so that figure is checked and shown too.
  const zstdOverSnappy = run.parquet.sameCodecRatio / run.parquet.asShippedRatio;
  checks.push(
    {
      target: 'sluice Parquet writing / parquetjs (same codec: SNAPPY)',
      goal: `>= ${TARGETS.parquetjsRatio}x`,
      measured: `${run.parquet.sameCodecRatio.toFixed(1)}x`,
      met: run.parquet.sameCodecRatio >= TARGETS.parquetjsRatio,
    },
    {
      target: 'sluice Parquet writing / parquetjs (as shipped: ZSTD vs SNAPPY)',
      goal: `>= ${TARGETS.parquetjsRatio}x`,
      measured: `${run.parquet.asShippedRatio.toFixed(1)}x`,
      met: run.parquet.asShippedRatio >= TARGETS.parquetjsRatio,
      ...(run.parquet.asShippedRatio >= TARGETS.parquetjsRatio
        ? {}
        : { why: `sluice's ZSTD takes ${zstdOverSnappy.toFixed(1)}x its SNAPPY time for files ${sizeSaving(run.parquet)} smaller; parquetjs cannot write ZSTD at all` }),
    },
  );
  const warm = run.wholePaths[0];
  for (const c of run.coldStarts) {
    const met = c.wallMs < TARGETS.coldStartMs;
    const before = c.bootMs + c.loadMs + c.eventMs + c.wasmMs;
    checks.push({
      target: `cold start to first batch written (${c.records} records)`,
      goal: `< ${TARGETS.coldStartMs} ms`,
      measured: `${c.wallMs.toFixed(0)} ms`,
      met,
      ...(met
        ? {}
        : {
            why:
              `Node's boot, the bundle's load, the event's parse and wasm init take ${before.toFixed(0)} ms before the batch starts; ` +
              `the batch then takes ${c.firstBatchMs.toFixed(0)} ms cold` +
              (warm && warm.userRecords === c.records ? ` (${warm.handler.ms.toFixed(0)} ms warm: a cold process runs its first records unoptimised)` : ''),
          }),
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

/** How much smaller sluice's ZSTD file is than its SNAPPY one, as a percentage. */
function sizeSaving(parquet: ParquetComparison): string {
  const size = (name: string): number | undefined => parquet.writers.find((w) => w.name === name)?.bytes;
  const [zstd, snappy] = [size('sluice ZSTD'), size('sluice SNAPPY')];
  return zstd === undefined || snappy === undefined ? 'much' : `${((1 - zstd / snappy) * 100).toFixed(0)} %`;
}

/**
 * The best whole / floor the path could reach with this run's stage times if steps, row
 * checks, columns and file writes cost nothing: the floor over what the handler cannot skip
 * (the event's records, decoding them, encoding the Parquet), all from the same interleaved rounds.
 */
function floorCeiling(stages: readonly StageResult[]): string | undefined {
  const ms = (role: StageRole): number | undefined => stages.find((s) => s.role === role)?.throughput.ms;
  const [floor, records, decode, encode] = [ms(StageRole.NaiveFloor), ms(StageRole.EventRecords), ms(StageRole.Decode), ms(StageRole.ParquetEncode)];
  if (floor === undefined || records === undefined || decode === undefined || encode === undefined) return undefined;
  return (
    `in the stage rounds the floor takes ${floor.toFixed(0)} ms per batch; event records (${records.toFixed(0)} ms) + decode (${decode.toFixed(0)} ms) + ` +
    `Parquet encode (${encode.toFixed(0)} ms) alone allow at most ${(floor / (records + decode + encode)).toFixed(2)}, ` +
    `even if everything else were free; Parquet encoding alone is ${((encode / floor) * 100).toFixed(0)} % of the floor`
  );
}
