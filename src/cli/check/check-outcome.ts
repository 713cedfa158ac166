import { relative } from 'node:path';
import type { TypeDiagnostic } from './type-check.ts';

/**
 * A job's type-check outcome, as `sluice run` reports it and caches it.
 *
 * @example
 * ```ts
 * const outcome: CheckOutcome = { job: 'draft', errors: 2, first: "jobs/draft.ts(12,30): error TS2551: Property 'temprature' ..." };
 * ```
 */
export interface CheckOutcome {
  readonly job: string;
  readonly errors: number;
  /** The first error as one line, when there is one. */
  readonly first?: string;
}

/**
 * A compiler message on one line, as `tsc` prints it without `--pretty`:
 * `<file>(<line>,<column>): error TS<code>: <message>`, the file relative to the current folder.
 *
 * @example
 * ```ts
 * oneLine({ file: '/p/jobs/x.ts', line: 12, column: 30, code: 2551, message: "Property 'temprature' does not exist ..." });
 * // "jobs/x.ts(12,30): error TS2551: Property 'temprature' does not exist ..."
 * ```
 */
export function oneLine(error: TypeDiagnostic): string {
  const where = error.file === undefined ? '' : `${relative(process.cwd(), error.file)}(${error.line},${error.column}): `;
  return `${where}error TS${error.code}: ${error.message.split('\n')[0]}`;
}

/**
 * The outcome of a job's check from the compiler's errors.
 *
 * @example
 * ```ts
 * outcomeOf('draft', result.errors); // { job: 'draft', errors: 2, first: 'jobs/draft.ts(12,30): error TS2551: ...' }
 * ```
 */
export function outcomeOf(job: string, errors: readonly TypeDiagnostic[]): CheckOutcome {
  return { job, errors: errors.length, ...(errors[0] === undefined ? {} : { first: oneLine(errors[0]) }) };
}
