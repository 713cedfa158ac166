import { clearLine, cursorTo } from 'node:readline';
import cliProgress from 'cli-progress';
import type { CliLogger } from './logger.ts';
import type { Progress, ProgressStream } from './progress.ts';
import { ProgressOutcome } from './progress-outcome.ts';

/**
 * What {@link startProgressBar} reports on.
 *
 * @example
 * ```ts
 * const settings: ProgressBarSettings = { label: 'producing', total: 1000, unit: 'records', log, stream: process.stderr };
 * ```
 */
export interface ProgressBarSettings {
  readonly label: string;
  readonly total: number | undefined;
  readonly unit: string;
  readonly log: CliLogger;
  readonly stream: ProgressStream;
}

const SAVE_CURSOR = '\x1b7';

/** Without a total there is nothing to fill a bar or estimate an end with: count and rate only. */
const FORMATS = {
  known: '{label} [{bar}] {percentage}% | {value}/{total} {unit} | {rate} | ETA {eta_formatted}{detail}',
  unknown: '{label} {value} {unit} | {rate} | {duration_formatted}{detail}',
} as const;

/**
 * Progress as a single redrawn terminal line (label, bar, value/total, unit, rate, ETA and
 * the latest detail), drawn with cli-progress on `stream`. `done` stops the redraw timer and
 * leaves the final bar on its line, followed by the summary as a log line.
 *
 * @example
 * ```ts
 * const progress = startProgressBar({ label: 'producing', total: 1000, unit: 'records', log, stream: process.stderr });
 * progress.advance(500, 'shardId-000000000001');
 * progress.done('1000 records on iot-sensor');
 * ```
 */
export function startProgressBar(settings: ProgressBarSettings): Progress {
  const { label, total, unit, log, stream } = settings;
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: FORMATS[total === undefined ? 'unknown' : 'known'],
      // Leave the terminal's own wrapping alone (a killed run must not leave it off) and
      // let the bar truncate itself to the width instead.
      linewrap: true,
      // cli-progress skips drawing an unchanged line, but after `interrupt` cleared it the
      // same line must be drawn again.
      forceRedraw: true,
      barsize: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  const startedAt = Date.now();
  let value = 0;
  let finished = false;
  const rate = (): string => {
    const seconds = (Date.now() - startedAt) / 1000;
    return seconds > 0 ? `${Math.round(value / seconds)} ${unit}/s` : `- ${unit}/s`;
  };

  bar.start(total ?? 0, 0, { label, unit, rate: rate(), detail: '' });
  return {
    advance(by = 1, detail) {
      if (finished) return;
      value += by;
      bar.increment(by, { rate: rate(), ...(detail === undefined ? {} : { detail: ` | ${detail}` }) });
    },
    done(summary, options) {
      if (finished) return;
      finished = true;
      bar.update({ rate: rate() });
      bar.stop();
      const outcome = options?.outcome ?? ProgressOutcome.Done;
      if (outcome !== ProgressOutcome.Done) log.warn(`${label}: ${outcome} (${value} ${unit})${summary ? ` - ${summary}` : ''}`);
      else if (summary) log.info(`${label}: ${summary}`);
    },
    interrupt(write) {
      if (finished) return write();
      cursorTo(stream, 0);
      clearLine(stream, 0);
      write();
      // cli-progress saved the cursor where the bar started and restores it on stop; after
      // lines pushed the bar down, that spot is above it, so save the bar's new line instead.
      stream.write(SAVE_CURSOR);
      bar.render();
    },
  };
}
