import type { Catalog, PartitionDescriptor, TableRef } from '../catalog/catalog.ts';
import { messageOf } from '../error-message.ts';
import { CompactionError } from '../errors.ts';
import { rowsToArrowTable } from '../format/arrow-table.ts';
import { parquetRowCount, parquetRows } from '../format/parquet-decode.ts';
import { encodeParquet } from '../format/parquet-encode.ts';
import type { Compression } from '../job/table.ts';
import type { Column } from '../schema/column-model.ts';
import type { ObjectInfo, ObjectStore } from '../store/object-store.ts';
import type { CompactionLayout } from './compaction-layout.ts';
import { planPartition, type CompactAction } from './compaction-plan.ts';
import { PartitionStatus, UNCHANGED, type PartitionOutcome } from './compaction-report.ts';
import type { CompactionSettings } from './compaction-settings.ts';
import { parseState, serializeState, type CompactionState } from './compaction-state.ts';
import { outputSplit } from './output-split.ts';

type Rows = Record<string, unknown>[];

/**
 * Everything a partition's compaction works with: the ports, the table's shape, the run's
 * settings and clock.
 *
 * @example
 * ```ts
 * const context: PartitionContext = { store, catalog, table: { database: 'iot', name: 'sensor_readings' },
 *   columns: job.output.dataColumns, compression: 'zstd', layout, settings, now, merge: compactionMergeFor(job) };
 * ```
 */
export interface PartitionContext {
  readonly store: ObjectStore;
  readonly catalog: Catalog;
  readonly table: TableRef;
  /** The columns stored in the files. */
  readonly columns: readonly Column[];
  readonly compression: Compression;
  readonly layout: CompactionLayout;
  readonly settings: CompactionSettings;
  /** The run's clock. */
  readonly now: Date;
  /** Merges a partition's rows (partial aggregates into final rows); rows are kept as they are without it. */
  readonly merge?: ((rows: Rows) => Rows) | undefined;
}

/**
 * A registered partition and where it lives.
 *
 * @example
 * ```ts
 * const partition: PartitionToCompact = { values: ['2026', '11', '23', '08'], location, path: 'year=2026/month=11/day=23/hour=08',
 *                                          hourEnd: new Date('2026-11-23T09:00:00Z') };
 * ```
 */
export interface PartitionToCompact extends PartitionDescriptor {
  /** Escaped `key=value/...` path. */
  readonly path: string;
  /** When the partition's hour ends. */
  readonly hourEnd: Date;
}

const PARQUET = 'application/vnd.apache.parquet';

/**
 * Compacts one partition (see {@link planPartition} for what is merged and what waits):
 *
 * 1. reads the state; if the catalog points elsewhere than the state says, points it there
 *    (a run that crashed after its commit point);
 * 2. deletes the files of retired entries whose grace period is over, then forgets them;
 * 3. reads the inputs (the current generation's files and the settled base files), merges
 *    them with `merge` when given, deletes what a crashed attempt left in the new
 *    generation's folder, and writes the rows as files near the target size;
 * 4. commits: writes the state with the new generation and location, the inputs retired;
 * 5. points the catalog at the new generation's folder.
 *
 * Readers see the old set of files or the new one, never both or neither: the catalog moves
 * from one folder to the other in one call, and replaced files stay until the grace period
 * is over. A crash anywhere leaves the partition readable as before (or as after, past the
 * commit point), and the next run finishes or redoes the work; nothing is merged twice.
 * Not for concurrent runs on one table: one compactor at a time. Rejects with the port's
 * error (`ObjectStoreError`, `CatalogError`) or `CompactionError`.
 *
 * @example
 * ```ts
 * const outcome = await compactPartition(context, { ...partition, path, hourEnd });
 * outcome.status; // 'compacted' | 'skipped'
 * ```
 */
export async function compactPartition(context: PartitionContext, partition: PartitionToCompact): Promise<PartitionOutcome> {
  const { store, layout, now } = context;
  const stateKey = layout.stateKey(partition.path);
  const state = parseState(await store.get(stateKey), stateKey);
  const baseFolder = `${layout.baseFolder(partition.path)}/`;
  const baseFiles = (await listAll(store, baseFolder)).filter((f) => f.key.endsWith('.parquet') && !f.key.slice(baseFolder.length).includes('/'));
  const compactedFiles = (await listAll(store, `${layout.partitionFolder(partition.path)}/`)).filter((f) => f.key !== stateKey);
  const plan = planPartition({
    snapshot: { path: partition.path, hourEnd: partition.hourEnd, catalogLocation: partition.location, state, baseFiles, compactedFiles },
    layout,
    settings: context.settings,
    now,
  });

  if (plan.rollForward !== undefined) await setLocation(context, partition, plan.rollForward);
  if (plan.expired.length > 0) await store.delete(plan.expired);
  const outcome = {
    partition: partition.path,
    generation: state?.generation ?? 0,
    ...UNCHANGED,
    filesDeleted: plan.expired.length,
    waiting: plan.action.waiting,
    rolledForward: plan.rollForward !== undefined,
  };
  if (plan.action.kind === 'skip') {
    // Forget the deleted files; a crash before this only means deleting them again next time.
    if (state !== undefined && plan.expired.length > 0) await writeState(context, stateKey, { ...state, retired: plan.retired });
    return { ...outcome, status: PartitionStatus.Skipped, reason: plan.action.reason };
  }
  const written = await writeGeneration(context, partition, plan.action);
  const next: CompactionState = {
    generation: plan.action.generation,
    location: store.locationOf(layout.generationFolder(partition.path, plan.action.generation)),
    retired: [...plan.retired, { keys: plan.action.inputs.map((f) => f.key), retiredAt: now }],
  };
  await writeState(context, stateKey, next);
  await setLocation(context, partition, next.location);
  return {
    ...outcome,
    status: PartitionStatus.Compacted,
    generation: next.generation,
    filesBefore: plan.action.inputs.length,
    bytesBefore: sumOf(plan.action.inputs),
    filesAfter: written.files,
    bytesAfter: written.bytes,
    rowsBefore: written.rowsIn,
    rowsAfter: written.rowsOut,
  };
}

interface Written {
  readonly files: number;
  readonly bytes: number;
  readonly rowsIn: number;
  readonly rowsOut: number;
}

/**
 * Reads the inputs and writes the new generation. Without a merge, rows stream through: one
 * input file decoded at a time, an output file written as soon as it is full. With a merge,
 * every row is read first, as merging needs the whole partition.
 */
async function writeGeneration(context: PartitionContext, partition: PartitionToCompact, action: CompactAction): Promise<Written> {
  const { store, layout, columns, merge } = context;
  const inputs: Uint8Array[] = [];
  for (const file of action.inputs) inputs.push(await read(store, file));
  const counts = inputs.map((bytes, i) => {
    try {
      return parquetRowCount(bytes);
    } catch (error) {
      const key = action.inputs[i]!.key;
      throw new CompactionError(
        `${key} is not a readable Parquet file (${messageOf(error)}); readers cannot read it either: move it out of the ` +
          `table's folders, then run compaction again`,
        error,
      );
    }
  });
  const rowsIn = counts.reduce((a, b) => a + b, 0);
  const merged = merge === undefined ? undefined : merge((await Promise.all(inputs.map((bytes) => parquetRows(bytes, columns)))).flat());
  const rowsOut = merged?.length ?? rowsIn;
  const split = outputSplit({ inputBytes: sumOf(action.inputs), inputRows: rowsIn, outputRows: rowsOut, targetBytes: context.settings.targetBytes });

  // Nothing reads the new generation's folder before the commit point: a crashed attempt's files are safe to drop.
  if (action.stale.length > 0) await store.delete(action.stale);
  let files = 0;
  let bytes = 0;
  const flush = async (rows: Rows) => {
    const encoded = encodeParquet(rowsToArrowTable(rows, columns), { compression: context.compression });
    await store.put(layout.partKey(partition.path, action.generation, files), encoded, { contentType: PARQUET });
    files += 1;
    bytes += encoded.byteLength;
  };
  if (merged !== undefined) {
    for (let start = 0; start < merged.length; start += split.rowsPerFile) await flush(merged.slice(start, start + split.rowsPerFile));
  } else {
    let pending: Rows = [];
    for (let i = 0; i < inputs.length; i++) {
      const input = inputs[i]!;
      // Let each input's bytes go once decoded: a partition's inputs can be large.
      inputs[i] = new Uint8Array(0);
      for (const row of await parquetRows(input, columns)) {
        pending.push(row);
        if (pending.length === split.rowsPerFile) {
          await flush(pending);
          pending = [];
        }
      }
    }
    if (pending.length > 0) await flush(pending);
  }
  return { files, bytes, rowsIn, rowsOut };
}

async function read(store: ObjectStore, file: ObjectInfo): Promise<Uint8Array> {
  const bytes = await store.get(file.key);
  if (bytes === undefined) {
    throw new CompactionError(
      `${file.key} was listed but is gone: another compactor may be running on the same table; run one compactor at a time, then run again`,
    );
  }
  return bytes;
}

async function writeState(context: PartitionContext, key: string, state: CompactionState): Promise<void> {
  await context.store.put(key, serializeState(state), { contentType: 'application/json' });
}

async function setLocation(context: PartitionContext, partition: PartitionToCompact, location: string): Promise<void> {
  await context.catalog.setPartitionLocations(context.table, [{ values: partition.values, location }]);
}

async function listAll(store: ObjectStore, prefix: string): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const info of store.list(prefix)) out.push(info);
  return out;
}

function sumOf(files: readonly ObjectInfo[]): number {
  return files.reduce((total, file) => total + file.size, 0);
}
