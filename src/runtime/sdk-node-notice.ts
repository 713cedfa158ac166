/**
 * The AWS SDK warns on every process that its 2027 releases will need Node 22. Lambda runs
 * nodejs24.x; local runs support Node 20 until then, so the notice is only noise there.
 * Other warnings pass through untouched.
 *
 * @example
 * ```ts
 * silenceSdkNodeVersionNotice(); // first thing in the CLI and the test setup
 * ```
 */
export function silenceSdkNodeVersionNotice(): void {
  const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (String(warning).startsWith('NodeVersionSupportWarning')) return;
    emitWarning(warning, ...rest);
  }) as typeof process.emitWarning;
}
