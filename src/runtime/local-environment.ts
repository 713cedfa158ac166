import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { LocalCatalog } from '../catalog/local-catalog.ts';
import { LocalFileCheckpointStore } from '../checkpoint/local-file-checkpoint-store.ts';
import { createKinesisClient } from '../kinesis/kinesis-client.ts';
import { LocalFolderStore } from '../store/local-folder-store.ts';
import { LocalMetricsLog } from './local-metrics-log.ts';
import { startEmbeddedKinesis, type EmbeddedKinesis } from './embedded-kinesis.ts';

/** Marks a folder as sluice's local state (`sluice demo` clears only folders with its own marker, `DEMO_MARKER`). */
export const STATE_MARKER = '.sluice-state';

/**
 * The embedded Kinesis server's endpoint while a sluice process serves it, so that other
 * commands on the same state folder (`status`, `dashboard`, `produce` while `run` works) use
 * that server instead of failing on its locked LevelDB folder.
 */
const SERVED_ENDPOINT = 'kinesis.endpoint.json';

/** The endpoint another live sluice process serves the project's embedded stream on, if any. */
async function servedEndpoint(paths: ProjectPaths): Promise<string | undefined> {
  let served: { endpoint: string; pid: number };
  try {
    served = JSON.parse(await readFile(join(paths.root, SERVED_ENDPOINT), 'utf8')) as { endpoint: string; pid: number };
  } catch {
    return undefined;
  }
  if (served.pid === process.pid) return undefined;
  try {
    // Signal 0 only asks whether the process exists; a killed server's file is stale.
    process.kill(served.pid, 0);
    return served.endpoint;
  } catch {
    return undefined;
  }
}

/** Where local state lives inside the project folder (`.sluice/` by default). */
export interface ProjectPaths {
  readonly root: string;
  /** The embedded Kinesis server's LevelDB. */
  readonly kinesis: string;
  /** The local warehouse: table files and rejects, laid out as in S3. */
  readonly warehouse: string;
  readonly catalog: string;
  readonly checkpoints: string;
  /** The local on-failure destination: ranges the event source mapping gave up on, per job. */
  readonly failures: string;
  /** The metrics log: committed batches, failing shards and compaction runs, per job. */
  readonly metrics: string;
}

/**
 * The folders of a project's local state.
 *
 * @example
 * ```ts
 * projectPaths('.sluice').warehouse; // '/abs/.sluice/warehouse'
 * ```
 */
export function projectPaths(dir: string): ProjectPaths {
  const root = resolve(dir);
  return {
    root,
    kinesis: join(root, 'kinesis'),
    warehouse: join(root, 'warehouse'),
    catalog: join(root, 'catalog'),
    checkpoints: join(root, 'checkpoints'),
    failures: join(root, 'failures'),
    metrics: join(root, 'metrics'),
  };
}

export interface LocalEnvironmentOptions {
  /** Project state folder. */
  readonly dir: string;
  /** A Kinesis-compatible endpoint; the embedded server (persisted in the project folder) when absent. */
  readonly endpoint?: string;
  readonly region?: string;
}

/** The adapters a local run uses, wired to one project folder. */
export interface LocalEnvironment {
  readonly paths: ProjectPaths;
  readonly kinesis: KinesisClient;
  /** Endpoint of the Kinesis API in use. */
  readonly endpoint: string;
  readonly store: LocalFolderStore;
  readonly catalog: LocalCatalog;
  readonly checkpoints: LocalFileCheckpointStore;
  readonly metricsLog: LocalMetricsLog;
  close(): Promise<void>;
}

/**
 * Opens the local environment: the embedded Kinesis server (unless an endpoint is given),
 * the warehouse folder, the catalog file and the checkpoint files, all under `dir`, so
 * separate `produce`, `run` and `query` invocations see the same data.
 *
 * @example
 * ```ts
 * const env = await openLocalEnvironment({ dir: '.sluice' });
 * try { ... } finally { await env.close(); }
 * ```
 */
export async function openLocalEnvironment(options: LocalEnvironmentOptions): Promise<LocalEnvironment> {
  const paths = projectPaths(options.dir);
  await mkdir(paths.root, { recursive: true });
  await writeFile(join(paths.root, STATE_MARKER), 'sluice local state: safe to delete\n');
  const store = new LocalFolderStore({ root: paths.warehouse });
  const catalog = new LocalCatalog({ dir: paths.catalog });
  const checkpoints = new LocalFileCheckpointStore({ dir: paths.checkpoints });
  // A process killed between writing a temp file and renaming it left the temp file behind:
  // each start removes those of processes that are gone (and nothing else).
  await Promise.all([store.removeAbandonedTempFiles(), catalog.removeAbandonedTempFiles(), checkpoints.removeAbandonedTempFiles()]);
  let embedded: EmbeddedKinesis | undefined;
  let endpoint = options.endpoint ?? (await servedEndpoint(paths));
  if (endpoint === undefined) {
    embedded = await startEmbeddedKinesis({ path: paths.kinesis });
    endpoint = embedded.endpoint;
    await writeFile(join(paths.root, SERVED_ENDPOINT), JSON.stringify({ endpoint, pid: process.pid }));
  }
  const kinesis = createKinesisClient({ endpoint, ...(options.region ? { region: options.region } : {}) });
  return {
    paths,
    kinesis,
    endpoint,
    store,
    catalog,
    checkpoints,
    metricsLog: new LocalMetricsLog({ dir: paths.metrics }),
    close: async () => {
      kinesis.destroy();
      if (embedded) {
        await rm(join(paths.root, SERVED_ENDPOINT), { force: true });
        await embedded.close();
      }
    },
  };
}
