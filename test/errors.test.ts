import { describe, expect, it } from 'vitest';
import * as chaos from '../src/runtime/chaos.ts';
import * as errors from '../src/errors.ts';

// The Lambda bundle is minified without esbuild's keepNames, so an error class that took its
// name from the class (new.target.name) would log as a mangled two-letter name. Each names itself.
type ErrorClass = new (...args: unknown[]) => errors.SluiceError;
const isErrorClass = (value: unknown): value is ErrorClass =>
  typeof value === 'function' && (value === errors.SluiceError || value.prototype instanceof errors.SluiceError);
const errorClasses: Array<[string, ErrorClass]> = Object.entries({ ...errors, ...chaos }).flatMap(([name, value]) =>
  isErrorClass(value) ? [[name, value] as [string, ErrorClass]] : [],
);

describe('error classes', () => {
  it('finds every error class sluice exports', () => {
    expect(errorClasses.map(([name]) => name)).toEqual(expect.arrayContaining(['SluiceError', 'JobDefinitionError', 'CompactionError', 'ChaosFailure', 'WorkerCrash']));
    expect(errorClasses.length).toBeGreaterThanOrEqual(16);
  });

  it.each(errorClasses)('%s names itself, whatever a minifier does to the class', (exported, Class) => {
    const error = new Class('a', { code: errors.ErrorCode.Usage }, 'c');
    expect(error.name).toBe(exported);
    expect(error.code).toMatch(/^SLUICE_/);
    expect(String(error)).toMatch(new RegExp(`^${exported}: `));
  });
});
