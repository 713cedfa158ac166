import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { aggregateViews } from '../../aggregate/aggregate-views.ts';
import { CompactionDefaults } from '../../compaction/compaction-settings.ts';
import { messageOf } from '../../error-message.ts';
import { SluiceError, UsageError } from '../../errors.ts';
import { streamName } from '../../job/source.ts';
import { describeConflict } from '../../job/table-conflicts.ts';
import { readPipelineStatus, type PipelineStatus } from '../../observability/pipeline-status.ts';
import type { JobsFolderContents } from '../../runtime/jobs-folder.ts';
import type { LocalEnvironment } from '../../runtime/local-environment.ts';
import { batchSeries } from './batch-series.ts';
import { dataVersion } from './data-version.ts';
import { defaultQuery } from './default-query.ts';
import { loadPageAssets, type PageAsset } from './page-assets.ts';
import { partitionFiles } from './partition-files.ts';
import { QueryService } from './query-service.ts';
import { rejectSample } from './reject-sample.ts';
import { singleFlight } from './single-flight.ts';

/**
 * The header every API call must carry. A page of another site can make a browser send a
 * form or a simple request to 127.0.0.1, but not one with a custom header (that needs a CORS
 * preflight, which this server never grants), so it cannot run SQL or read data here.
 *
 * @example
 * ```ts
 * await fetch('/api/summary', { headers: { [API_HEADER]: '1' } });
 * ```
 */
export const API_HEADER = 'x-sluice';

/** How often the page polls for new commits. */
const REFRESH_MS = 2000;
/** Rows of one query the page gets at most: a chart of more points says nothing more. */
const MAX_ROWS = 10_000;
/** Points per time-series chart at most. */
const MAX_POINTS = 120;
const MAX_SQL_LENGTH = 100_000;

/**
 * What the page may load and run, and nothing else: scripts and styles from this server only
 * (no inline script, no eval), no plugins, no framing, no forms, and Trusted Types enforced so
 * that assigning a string to innerHTML (or any other HTML sink) throws instead of parsing it.
 */
const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  frameAncestors: ["'none'"],
  formAction: ["'none'"],
  requireTrustedTypesFor: ["'script'"],
  trustedTypes: ["'none'"],
};

/**
 * Options of {@link startDashboard}.
 *
 * @example
 * ```ts
 * const options: DashboardOptions = { env, folder: await loadEveryJob({ jobsDir: 'jobs' }), port: 4917 };
 * ```
 */
export interface DashboardOptions {
  /** The project's local state: metrics log, warehouse, catalog, checkpoints, Kinesis. */
  readonly env: LocalEnvironment;
  /** The jobs folder, loaded: jobs that do not load and tables two jobs declare are named on the page. */
  readonly folder: JobsFolderContents;
  /** Port on 127.0.0.1; 0 takes any free port. */
  readonly port: number;
}

/**
 * A running dashboard.
 *
 * @example
 * ```ts
 * const dashboard: Dashboard = await startDashboard(options);
 * console.log(dashboard.url); // 'http://127.0.0.1:4917/'
 * await dashboard.close();
 * ```
 */
export interface Dashboard {
  readonly url: string;
  readonly port: number;
  /** Stops serving and frees the query engine (the environment stays open: its opener closes it). */
  close(): Promise<void>;
}

/**
 * Serves the dashboard on 127.0.0.1: the page (index.html, its script and style, uPlot) and
 * a JSON API the page polls, read from the project's local state. Rejects with `UsageError`
 * when the port is taken.
 *
 * @example
 * ```ts
 * const env = await openLocalEnvironment({ dir: '.sluice' });
 * const dashboard = await startDashboard({ env, folder: await loadEveryJob({ jobsDir: 'jobs' }), port: 0 });
 * ```
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const queries = new QueryService({ catalog: options.env.catalog, views: aggregateViews(options.folder.jobs), maxRows: MAX_ROWS });
  let allowedHosts: ReadonlySet<string> = new Set();
  const app = dashboardApp({ env: options.env, folder: options.folder, queries, assets: await loadPageAssets(), allowedHosts: () => allowedHosts });
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  const port = await listen(server, options.port);
  allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    close: async () => {
      await new Promise<void>((done) => {
        server.close(() => done());
        // A browser keeps its connection alive between polls: without this, close waits for it.
        server.closeAllConnections();
      });
      await queries.close();
    },
  };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new UsageError(`port ${port} on 127.0.0.1 is in use (another dashboard?): give another with --port <n>, or --port 0 for any free port`)
          : error,
      ),
    );
    // Loopback only: the API runs SQL and shows raw records, for this machine's user alone.
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

interface AppParts {
  readonly env: LocalEnvironment;
  readonly folder: JobsFolderContents;
  readonly queries: QueryService;
  readonly assets: ReadonlyMap<string, PageAsset>;
  /** `host:port` values the Host header may have; read per request (the port is known only once listening). */
  readonly allowedHosts: () => ReadonlySet<string>;
}

/**
 * The dashboard's routes (exported for tests that call `app.request` without a socket).
 *
 * @example
 * ```ts
 * const app = dashboardApp({ env, folder, queries, assets: await loadPageAssets(), allowedHosts: () => new Set(['localhost:4917']) });
 * const response = await app.request('http://localhost:4917/api/summary', { headers: { 'x-sluice': '1' } });
 * ```
 */
export function dashboardApp(parts: AppParts): Hono {
  const { env, folder, queries } = parts;
  const jobs = folder.jobs;
  const status = singleFlight(() => readPipelineStatus({ sources: env, jobs }));
  const version = () => dataVersion({ jobs, metricsLog: env.metricsLog });
  const app = new Hono();

  // A page on another site can point its own host name at 127.0.0.1 (DNS rebinding) and then
  // call this server as same-origin: its requests still carry its own host name, refused here.
  app.use('*', async (c, next) => {
    if (!parts.allowedHosts().has(c.req.header('host') ?? '')) return c.text('unknown host: open the dashboard at the URL sluice printed', 403);
    await next();
  });
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: CONTENT_SECURITY_POLICY,
      crossOriginResourcePolicy: 'same-origin',
      crossOriginOpenerPolicy: 'same-origin',
      referrerPolicy: 'no-referrer',
      xFrameOptions: 'DENY',
      // Plain http on loopback: HSTS would only confuse other servers a browser meets on localhost.
      strictTransportSecurity: false,
    }),
  );
  app.use('/api/*', async (c, next) => {
    if (c.req.header(API_HEADER) !== '1') return c.json({ error: `API calls need the header ${API_HEADER}: 1` }, 403);
    c.header('cache-control', 'no-store');
    await next();
  });

  for (const [path, asset] of parts.assets) {
    app.get(path, (c) => c.body(asset.body as Uint8Array<ArrayBuffer>, 200, { 'content-type': asset.contentType, 'cache-control': 'no-cache' }));
  }

  app.get('/api/overview', (c) =>
    c.json({
      jobs: jobs.map((job) => ({
        name: job.name,
        stream: streamName(job.source.stream),
        table: `${job.output.database}.${job.output.name}`,
        view: job.output.aggregate ? `${job.output.aggregate.view.database}.${job.output.aggregate.view.name}` : null,
      })),
      problems: [
        ...folder.failures.map((f) => `job '${f.name}' does not load and is left out: ${messageOf(f.error)}`),
        ...folder.conflicts.map(describeConflict),
      ],
      defaultQuery: defaultQuery(jobs),
      refreshMs: REFRESH_MS,
      smallFileBytes: CompactionDefaults.targetBytes,
    }),
  );

  app.get('/api/summary', async (c) => {
    const [current, read] = await Promise.all([version(), status().then(pageStatus, (error: unknown) => ({ error: messageOf(error) }))]);
    return c.json({ version: current, ...('error' in read ? { status: null, statusError: read.error } : { status: read }) });
  });

  app.get('/api/jobs/:name', async (c) => {
    const job = jobs.find((j) => j.name === c.req.param('name'));
    if (!job) return c.json({ error: `no job '${c.req.param('name')}' in the jobs folder` }, 404);
    const [batches, files] = await Promise.all([
      env.metricsLog.batches(job.name),
      partitionFiles({ job, store: env.store, catalog: env.catalog, smallFileBytes: CompactionDefaults.targetBytes }),
    ]);
    return c.json({ series: batchSeries(batches, { maxPoints: MAX_POINTS, now: Date.now() }), files });
  });

  app.post('/api/query', async (c) => {
    if (!(c.req.header('content-type') ?? '').startsWith('application/json')) return c.json({ error: 'send the query as JSON: {"sql": "..."}' }, 415);
    const body = (await c.req.json().catch(() => undefined)) as { sql?: unknown } | undefined;
    const sql = body?.sql;
    if (typeof sql !== 'string' || sql.trim() === '' || sql.length > MAX_SQL_LENGTH) {
      return c.json({ error: `give the query as {"sql": "..."}, at most ${MAX_SQL_LENGTH} characters` }, 400);
    }
    const current = await version();
    return c.json({ version: current, ...(await queries.query(sql, { version: current })) });
  });

  app.notFound((c) => c.json({ error: 'not found' }, 404));
  app.onError((error, c) => errorResponse(c, error));
  return app;
}

/** The status as the page gets it: each job's latest reject as escaped text, never as the record's raw bytes. */
function pageStatus(status: PipelineStatus) {
  return { ...status, jobs: status.jobs.map(({ latestReject, ...job }) => ({ ...job, latestReject: latestReject === null ? null : rejectSample(latestReject) })) };
}

/** A sluice error is the user's to fix (bad SQL): its message, as a 400. Anything else is ours. */
function errorResponse(c: Context, error: Error): Response {
  if (error instanceof SluiceError) return c.json({ error: error.message, code: error.code }, 400);
  process.stderr.write(`sluice dashboard: ${error.stack ?? messageOf(error)}\n`);
  return c.json({ error: `internal error: ${messageOf(error)}` }, 500);
}
