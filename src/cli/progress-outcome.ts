/**
 * How work a progress report follows ended: its last line says so, so a run that was
 * stopped or failed never ends on "done".
 *
 * @example
 * ```ts
 * progress.done(undefined, { outcome: ProgressOutcome.Stopped }); // 'sensor-readings: stopped (1200 records)'
 * ```
 */
export const ProgressOutcome = {
  Done: 'done',
  Stopped: 'stopped',
  Failed: 'failed',
} as const;
export type ProgressOutcome = (typeof ProgressOutcome)[keyof typeof ProgressOutcome];

/**
 * Options of {@link Progress.done}.
 *
 * @example
 * ```ts
 * const options: DoneOptions = { outcome: ProgressOutcome.Failed };
 * ```
 */
export interface DoneOptions {
  /** `done` unless given. */
  readonly outcome?: ProgressOutcome;
}
