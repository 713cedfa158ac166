import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import kinesalite from 'kinesalite';
import { SourceError } from '../errors.ts';

/**
 * Options for {@link startEmbeddedKinesis}.
 *
 * @example
 * ```ts
 * const options: EmbeddedKinesisOptions = { path: '.sluice/kinesis' };
 * ```
 */
export interface EmbeddedKinesisOptions {
  /** LevelDB folder that keeps streams and records across restarts; in memory when absent. */
  readonly path?: string;
}

/**
 * A running embedded Kinesis API server.
 *
 * @example
 * ```ts
 * const kinesis = await startEmbeddedKinesis();
 * const client = createKinesisClient({ endpoint: kinesis.endpoint });
 * ```
 */
export interface EmbeddedKinesis {
  /** `http://127.0.0.1:<port>`: pass it as the client's endpoint. */
  readonly endpoint: string;
  /** Stops serving, drops open connections and closes the store; safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts kinesalite in this process on a free loopback port. Streams become ACTIVE at once
 * (create, delete and reshard take 0 ms) so local runs and tests never wait on fake
 * provisioning. With `path`, the LevelDB store persists there; only one process may hold it.
 *
 * @example
 * ```ts
 * const kinesis = await startEmbeddedKinesis({ path: '.sluice/kinesis' });
 * try { ... } finally { await kinesis.close(); }
 * ```
 */
export async function startEmbeddedKinesis(options: EmbeddedKinesisOptions = {}): Promise<EmbeddedKinesis> {
  if (options.path !== undefined) await claimStoreFolder(options.path);
  const server = kinesalite({
    ...(options.path === undefined ? {} : { path: options.path }),
    createStreamMs: 0,
    deleteStreamMs: 0,
    updateStreamMs: 0,
    shardLimit: 100,
  });
  await listenOnLoopback(server);
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => (closing ??= closeServer(server)),
  };
}

interface LevelDown {
  open(callback: (error?: Error | null) => void): void;
  close(callback: (error?: Error | null) => void): void;
}

/**
 * kinesalite opens its LevelDB without a callback, so a locked folder surfaces as an
 * unhandled 'error' event that kills the process. Opening (and closing) the folder first
 * turns that into an error we can explain. The leveldown used is kinesalite's own copy.
 */
async function claimStoreFolder(path: string): Promise<void> {
  await mkdir(path, { recursive: true });
  const requireFromKinesalite = createRequire(createRequire(import.meta.url).resolve('kinesalite'));
  const leveldown = requireFromKinesalite('leveldown') as (location: string) => LevelDown;
  const db = leveldown(path);
  const openError = await new Promise<Error | undefined>((resolve) => db.open((error) => resolve(error ?? undefined)));
  if (openError !== undefined) {
    if (/\block\b/i.test(openError.message)) {
      throw new SourceError(
        `the embedded Kinesis folder '${path}' is in use by another sluice process (its LevelDB lock is held): ` +
          'stop that process, or pass --endpoint to use the Kinesis API it serves',
        openError,
      );
    }
    throw new SourceError(`cannot open the embedded Kinesis folder '${path}': ${openError.message}`, openError);
  }
  await new Promise<void>((resolve, reject) => db.close((error) => (error ? reject(error) : resolve())));
}

function listenOnLoopback(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => reject(new SourceError(`the embedded Kinesis server could not listen on 127.0.0.1: ${error.message}`, error));
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', fail);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(new SourceError(`closing the embedded Kinesis server failed: ${error.message}`, error)) : resolve()));
    // Keep-alive sockets of clients the caller forgot to destroy would hold close() open forever.
    server.closeAllConnections();
  });
}
