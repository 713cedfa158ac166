import { createConsola } from 'consola';
import type { CliLogger } from './logger.ts';
import { startProgressBar } from './progress-bar.ts';
import { startProgressLines } from './progress-lines.ts';
import type { DoneOptions } from './progress-outcome.ts';

/**
 * Where progress goes: any writable, read as a terminal when it says `isTTY` (tests pass
 * a fake one; the CLI passes `process.stderr`).
 *
 * @example
 * ```ts
 * const stream: ProgressStream = process.stderr;
 * ```
 */
export type ProgressStream = NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number };

/**
 * What {@link startProgress} reports on.
 *
 * @example
 * ```ts
 * const options: ProgressOptions = { label: 'producing', total: 20_000, unit: 'records' };
 * ```
 */
export interface ProgressOptions {
  /** Names the work on every line, e.g. `compacting iot.sensor_readings`. */
  readonly label: string;
  /** How many units the work has; `undefined` when it is not known up front (a stream). */
  readonly total?: number;
  /** What is counted, plural: `records`, `files`. Defaults to `items`. */
  readonly unit?: string;
  /** Defaults to `process.stderr`: stdout carries command results (`--json`), never progress. */
  readonly stream?: ProgressStream;
  /**
   * Draw a bar (`true`) or write log lines (`false`). Defaults to a bar on a terminal
   * outside CI. A bar needs a terminal, so a stream that is not one always gets log lines.
   */
  readonly interactive?: boolean;
  /** Logger for the log lines and the summary; defaults to a plain one on `stream`. */
  readonly logger?: CliLogger;
}

/**
 * A running progress report.
 *
 * @example
 * ```ts
 * progress.advance(500, 'shardId-000000000001');
 * progress.done('20000 records on iot-sensor');
 * ```
 */
export interface Progress {
  /** Counts `by` more units done (1 by default); `detail` says what was just done. */
  advance(by?: number, detail?: string): void;
  /** Ends the report (as done, stopped or failed), with an optional closing summary; calling it again does nothing. */
  done(summary?: string, options?: DoneOptions): void;
  /**
   * Runs `write` (which logs something) with the bar lifted off its line, so other log
   * lines do not land in the middle of the bar; with log lines it just runs `write`.
   */
  interrupt(write: () => void): void;
}

/**
 * Starts reporting progress: a one-line bar (label, bar, value/total, unit, rate, ETA,
 * detail) on a terminal, and otherwise plain log lines: one at the start, one per 10 %
 * step crossed, one at `done`. Without a total it counts, with a line at 1, 2, 5, 10,
 * 20, 50… units. Call `done` when the work ends, also on failure: the bar redraws on a
 * timer until then.
 *
 * @example
 * ```ts
 * const progress = startProgress({ label: 'producing', total: records.length, unit: 'records', logger: log });
 * try {
 *   await putRecords(kinesis, { stream, records }, { onProgress: ({ written }) => progress.advance(written - sent) });
 * } finally {
 *   progress.done();
 * }
 * ```
 */
export function startProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const bar = (options.interactive ?? !process.env['CI']) && stream.isTTY === true;
  const log = options.logger ?? plainLogger(stream, { fancy: bar });
  const settings = { label: options.label, total: options.total, unit: options.unit ?? 'items', log };
  return bar ? startProgressBar({ ...settings, stream }) : startProgressLines(settings);
}

function plainLogger(stream: ProgressStream, options: { fancy: boolean }): CliLogger {
  // consola only calls write (and reads columns), which every ProgressStream has.
  const out = stream as NodeJS.WriteStream;
  return createConsola({ level: 3, stdout: out, stderr: out, fancy: options.fancy });
}
