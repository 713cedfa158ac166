import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Workload } from '../workload.ts';
import { buildLambdaBundle, type LambdaBundleFiles } from './build-bundle.ts';

/** A temp folder with the built bundle, each batch's event as JSON text, and a warehouse per run. */
export interface ChildEnvironment {
  readonly files: LambdaBundleFiles;
  /** The event file of a batch given to {@link childEnvironment}. */
  readonly eventFile: (batch: Workload) => string;
  /** A fresh, empty warehouse folder: every child starts like a new container. */
  readonly warehouse: () => Promise<string>;
  readonly dispose: () => Promise<void>;
}

/**
 * Builds the bundle and writes the events the children will read.
 *
 * @example
 * ```ts
 * const env = await childEnvironment([clean, small]);
 * try { ... } finally { await env.dispose(); }
 * ```
 */
export async function childEnvironment(batches: readonly Workload[]): Promise<ChildEnvironment> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-bench-lambda-'));
  const files = await buildLambdaBundle(dir);
  const eventFiles = new Map<Workload, string>();
  for (const [i, batch] of batches.entries()) {
    const file = join(dir, `event-${i}.json`);
    await writeFile(file, JSON.stringify(batch.event));
    eventFiles.set(batch, file);
  }
  let runs = 0;
  return {
    files,
    eventFile: (batch) => {
      const file = eventFiles.get(batch);
      if (!file) throw new Error(`no event file for batch '${batch.name}'`);
      return file;
    },
    warehouse: async () => {
      const folder = join(dir, `warehouse-${++runs}`);
      await mkdir(folder);
      return folder;
    },
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
