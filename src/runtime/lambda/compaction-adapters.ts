import type { Catalog } from '../../catalog/catalog.ts';
import { CompactionError } from '../../errors.ts';
import type { ObjectStore, StreamingObjectStore } from '../../store/object-store.ts';
import type { HandlerAdapters } from './kinesis-handler.ts';

/**
 * The adapters compaction runs on: a store with ranged reads and streamed writes (every
 * adapter sluice ships), and the catalog.
 *
 * @example
 * ```ts
 * const adapters: CompactionAdapters = { store: new S3ObjectStore({ client, bucket }), catalog: new GlueCatalog({ client: glue }) };
 * ```
 */
export interface CompactionAdapters {
  readonly store: StreamingObjectStore;
  readonly catalog: Catalog;
}

/**
 * A handler's adapters as compaction's, once their store is known to stream. Throws
 * `CompactionError` for a store without ranged reads and streamed writes: compaction would
 * otherwise hold whole files in memory.
 *
 * @example
 * ```ts
 * const { store, catalog } = compactionAdapters(awsAdaptersFromEnvironment());
 * ```
 */
export function compactionAdapters(adapters: HandlerAdapters | CompactionAdapters): CompactionAdapters {
  const { store, catalog } = adapters;
  if (!isStreaming(store)) {
    throw new CompactionError('the compaction function was given a store without getRange and putStream: use S3ObjectStore, LocalFolderStore or MemoryObjectStore, which stream');
  }
  return { store, catalog };
}

function isStreaming(store: ObjectStore): store is StreamingObjectStore {
  const candidate = store as Partial<StreamingObjectStore>;
  return typeof candidate.getRange === 'function' && typeof candidate.putStream === 'function';
}
