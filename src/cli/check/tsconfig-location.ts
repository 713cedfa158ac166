import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

/**
 * Where the compiler settings of job modules come from, and which compiler: answered without
 * loading the compiler itself (a quarter of a second), so `sluice run` can tell whether its
 * cached type-check still holds at no cost.
 */

/**
 * The nearest tsconfig.json at or above `folder` (as `tsc` looks for it), or undefined.
 *
 * @example
 * ```ts
 * findTsconfig('/p/jobs'); // '/p/tsconfig.json'
 * ```
 */
export function findTsconfig(folder: string): string | undefined {
  for (let dir = resolve(folder); ; dir = dirname(dir)) {
    const candidate = join(dir, 'tsconfig.json');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The version of the `typescript` package sluice checks with.
 *
 * @example
 * ```ts
 * typescriptVersion(); // '5.9.3'
 * ```
 */
export function typescriptVersion(): string {
  return (createRequire(import.meta.url)('typescript/package.json') as { version: string }).version;
}
