import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * `sluice` (the package's own name, as jobs/ import it) and its subpaths resolve to src/ in the
 * tests, never to a built dist/: the `sluice-source` targets of package.json's `exports`, as
 * aliases, so they hold wherever the importing file is (tests link the sample jobs into temp
 * projects, outside the package, where Node's own self-reference would not reach).
 */
const exportsMap = (JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { exports: Record<string, string | Record<string, string>> }).exports;
const alias = Object.entries(exportsMap).flatMap(([subpath, target]) => {
  const source = typeof target === 'object' ? target['sluice-source'] : undefined;
  return source === undefined ? [] : [{ find: new RegExp(`^${`sluice${subpath.slice(1)}`.replaceAll('/', '\\/')}$`), replacement: fileURLToPath(new URL(source, import.meta.url)) }];
});

export default defineConfig({
  resolve: { alias },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // vitest's default is one worker per core minus one: a single worker on a 2-core machine. Most
    // test files wait on child processes, Ceph, DuckDB or the browser, so two share the cores well.
    maxWorkers: 2,
    setupFiles: ['test/setup/silence-sdk-notice.ts'],
    // The handlers' CloudWatch logs (Powertools Logger, JSON on stdout) would bury the test report;
    // tests assert on what handlers return and write, not on their log lines.
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
    // One S3 server (Ceph radosgw on loopback) for the whole run, started in the background.
    globalSetup: ['test/setup/s3-server.ts', 'test/setup/chromium.ts'],
  },
});
