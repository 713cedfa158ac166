import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertSluiceInstalled, BUNDLE_CONDITIONS, BUNDLE_PLUGINS_PATH, lambdaHandler } from '../../deploy/package-paths.ts';
import { RUNNING_FROM_SOURCE, SLUICE_PACKAGE_ROOT } from '../../src/runtime/sluice-package.ts';

// The installed side (node_modules/sluice/dist/...) is tested by packing and installing sluice: test/package/.
describe('where a bundle is built from, in this repository', () => {
  it('runs from the sources of this checkout', () => {
    expect(RUNNING_FROM_SOURCE).toBe(true);
    expect(SLUICE_PACKAGE_ROOT).toBe(resolve(import.meta.dirname, '../..'));
  });

  it("bundles the sources' entries and resolves the jobs' `sluice` to them", () => {
    expect(lambdaHandler('bundle-entry', 'handler')).toBe('src/runtime/lambda/bundle-entry.handler');
    expect(lambdaHandler('compaction-entry', 'compact')).toBe('src/runtime/lambda/compaction-entry.compact');
    expect(BUNDLE_PLUGINS_PATH).toBe('deploy/bundle-plugins.cjs');
    expect(BUNDLE_CONDITIONS).toEqual(['sluice-source']);
  });

  it('needs no node_modules/sluice in the project', () => {
    expect(() => assertSluiceInstalled('/nonexistent')).not.toThrow();
  });
});
