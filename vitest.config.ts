import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    setupFiles: ['test/setup/silence-sdk-notice.ts'],
    // The handlers' CloudWatch logs (Powertools Logger, JSON on stdout) would bury the test report;
    // tests assert on what handlers return and write, not on their log lines.
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
    // One S3 server (Ceph radosgw on loopback) for the whole run, started in the background.
    globalSetup: ['test/setup/s3-server.ts'],
  },
});
