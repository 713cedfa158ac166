import { createConsola, type ConsolaInstance } from 'consola';

/**
 * The CLI's log: human lines on stderr (stdout is kept for results and `--json`), fancy on
 * a terminal and plain otherwise.
 *
 * @example
 * ```ts
 * const log = createCliLogger({ quiet: false });
 * log.info('produced 20000 records');
 * ```
 */
export function createCliLogger(options: { quiet?: boolean } = {}): ConsolaInstance {
  return createConsola({
    level: options.quiet ? 0 : 3,
    stdout: process.stderr,
    stderr: process.stderr,
    fancy: process.stderr.isTTY === true && !process.env['CI'],
  });
}

export type CliLogger = ConsolaInstance;
