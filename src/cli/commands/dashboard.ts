import type { Command } from 'commander';
import { messageOf } from '../../error-message.ts';
import { loadEveryJob } from '../../runtime/jobs-folder.ts';
import { openLocalEnvironment } from '../../runtime/local-environment.ts';
import { openBrowser } from '../dashboard/open-browser.ts';
import { startDashboard } from '../dashboard/server.ts';
import { createCliLogger } from '../logger.ts';
import { wholeNumber } from '../option-parsers.ts';
import { stopSignal } from '../stop-signal.ts';
import { endpointFlags } from './run.ts';

/**
 * The dashboard's port unless `--port` says otherwise: fixed, so a bookmark keeps working.
 *
 * @example
 * ```ts
 * `http://127.0.0.1:${DEFAULT_DASHBOARD_PORT}/`; // 'http://127.0.0.1:4917/'
 * ```
 */
export const DEFAULT_DASHBOARD_PORT = 4917;

interface DashboardFlags {
  readonly dir: string;
  readonly jobs: string;
  readonly endpoint?: string;
  readonly region?: string;
  readonly port: number;
  readonly open: boolean;
}

/**
 * `sluice dashboard`: a page on 127.0.0.1 that follows the project's pipelines live (per-shard
 * throughput and lag, rejects, files per partition) and charts SQL over the tables. Prints
 * the URL on stdout; serves until Ctrl-C.
 *
 * @example
 * ```sh
 * npx sluice dashboard --port 0 --no-open
 * ```
 */
export function registerDashboard(program: Command): void {
  program
    .command('dashboard')
    .description('serve a live dashboard on 127.0.0.1: throughput and lag per shard, rejects, files per partition, charts of SQL over the tables')
    .option('--port <n>', 'port on 127.0.0.1 (0: any free port)', wholeNumber({ max: 65_535 }), DEFAULT_DASHBOARD_PORT)
    .option('--no-open', 'do not open a browser (it opens only when stdout is a terminal anyway)')
    .action(async (flags: DashboardFlags) => {
      const log = createCliLogger();
      const folder = await loadEveryJob({ jobsDir: flags.jobs });
      for (const failure of folder.failures) log.warn(`job '${failure.name}' does not load and is left out: ${messageOf(failure.error)}`);
      const env = await openLocalEnvironment({ dir: flags.dir, ...endpointFlags(flags) });
      const stop = stopSignal();
      try {
        const dashboard = await startDashboard({ env, folder, port: flags.port });
        try {
          // The URL alone on stdout, so scripts and tests can read it; the rest goes to stderr.
          process.stdout.write(`${dashboard.url}\n`);
          log.info(`dashboard of ${env.paths.root} at ${dashboard.url} (Ctrl-C stops)`);
          if (flags.open && process.stdout.isTTY) openBrowser(dashboard.url);
          await new Promise<void>((done) => stop.signal.addEventListener('abort', () => done(), { once: true }));
        } finally {
          await dashboard.close();
        }
      } finally {
        stop.dispose();
        await env.close();
      }
    });
}
