import type { CliLogger } from './logger.ts';
import type { Progress } from './progress.ts';
import { ProgressOutcome } from './progress-outcome.ts';

/**
 * What {@link startProgressLines} reports on.
 *
 * @example
 * ```ts
 * const settings: ProgressLinesSettings = { label: 'producing', total: 1000, unit: 'records', log };
 * ```
 */
export interface ProgressLinesSettings {
  readonly label: string;
  readonly total: number | undefined;
  readonly unit: string;
  readonly log: CliLogger;
}

const STEPS = 10;

/**
 * Progress as log lines, for logs and pipes where a redrawn bar would be noise: one line at
 * the start, at most one per 10 % step (an advance that crosses several steps writes one),
 * one at `done`. Without a total, a line each time the count passes 1, 2, 5, 10, 20, 50…,
 * so a long run logs a few lines per tenfold, never one per item. Lines are driven by the
 * count alone, never a timer, so the same work always logs the same lines.
 *
 * @example
 * ```ts
 * const progress = startProgressLines({ label: 'producing', total: 1000, unit: 'records', log });
 * progress.advance(500); // producing: 50% (500/1000 records)
 * progress.done();       // producing: done (1000/1000 records)... once
 * ```
 */
export function startProgressLines(settings: ProgressLinesSettings): Progress {
  const { label, total, unit, log } = settings;
  let value = 0;
  let finished = false;
  let reported = 0;
  const counted = (): string => (total === undefined ? `${value} ${unit}` : `${value}/${total} ${unit}`);
  const suffix = (text: string | undefined): string => (text ? ` - ${text}` : '');

  // Which mark a count has reached: the 10 % step, or the 1-2-5 milestone without a total.
  const markOf = total === undefined ? milestoneReached : (n: number) => (total > 0 ? Math.min(STEPS, Math.floor((n * STEPS) / total)) : 0);
  const lineAt = total === undefined ? () => `${label}: ${counted()}` : () => `${label}: ${percentOf(value, total)}% (${counted()})`;

  log.info(`${label}: ${counted()}`);
  return {
    advance(by = 1, detail) {
      if (finished) return;
      value += by;
      const mark = markOf(value);
      if (mark <= reported) return;
      reported = mark;
      log.info(`${lineAt()}${suffix(detail)}`);
    },
    done(summary, options) {
      if (finished) return;
      finished = true;
      const outcome = options?.outcome ?? ProgressOutcome.Done;
      const line = `${label}: ${outcome} (${counted()})${suffix(summary)}`;
      if (outcome === ProgressOutcome.Done) log.info(line);
      else log.warn(line);
    },
    interrupt(write) {
      write();
    },
  };
}

function percentOf(value: number, total: number): number {
  return total > 0 ? Math.min(100, Math.floor((value * 100) / total)) : 100;
}

/** The largest of 1, 2, 5, 10, 20, 50, … that `n` has reached; 0 below 1. */
function milestoneReached(n: number): number {
  if (n < 1) return 0;
  const decade = 10 ** Math.floor(Math.log10(n));
  const mantissa = [5, 2, 1].find((m) => n >= m * decade) ?? 1;
  return mantissa * decade;
}
