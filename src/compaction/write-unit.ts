import type { CompactionMerge } from '../aggregate/compaction-merge.ts';
import { CompactionError } from '../errors.ts';
import { parquetByteStream } from '../format/parquet-stream-writer.ts';
import type { Compression } from '../job/table.ts';
import type { Column } from '../schema/column-model.ts';
import type { StreamingObjectStore } from '../store/object-store.ts';
import { parseReceipt, parseUnit, serializeReceipt, type UnitDocument, type UnitReceipt } from './compaction-documents.ts';
import type { CompactionLayout } from './compaction-layout.ts';
import { sliceRowChunks } from './unit-input.ts';
import type { UnitLimits } from './unit-limits.ts';

type Row = Record<string, unknown>;

const PARQUET = 'application/vnd.apache.parquet';
const JSON_TYPE = 'application/json';

/**
 * What a unit works with: the store, the table's shape, its merge (aggregate tables), the
 * memory limits, and the run's deadline.
 *
 * @example
 * ```ts
 * const context: UnitContext = { store, columns: job.output.dataColumns, compression: 'zstd', layout, merge: compactionMergeFor(job), limits: UnitLimitDefaults };
 * ```
 */
export interface UnitContext {
  readonly store: StreamingObjectStore;
  readonly columns: readonly Column[];
  readonly compression: Compression;
  readonly layout: CompactionLayout;
  readonly merge?: CompactionMerge | undefined;
  readonly limits: UnitLimits;
  /** Once aborted (the run's deadline), the unit completes no write: a late unit never lands beside a newer run's. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * One unit of a planned generation.
 *
 * @example
 * ```ts
 * const unit: UnitRef = { path: 'year=2026/month=11/day=23/hour=08', generation: 2, index: 0, planId };
 * ```
 */
export interface UnitRef {
  /** Escaped `key=value/...` path. */
  readonly path: string;
  readonly generation: number;
  readonly index: number;
  /** The plan the unit belongs to: a unit of another plan at the same key is not this one. */
  readonly planId: string;
}

/**
 * Runs one unit: reads its slices a chunk at a time (for an aggregate table, keeps the partial
 * rows of its windows and merges them), writes its output file with a streamed upload, then
 * its receipt. Idempotent: a unit whose receipt names its plan is done and answers the
 * receipt again; one that crashed before its receipt is redone, writing the same bytes at the
 * same key. Rejects with `CompactionError` (the plan changed, an input is gone or unreadable)
 * or the store's `ObjectStoreError`; nothing a reader sees changes either way.
 *
 * @example
 * ```ts
 * const receipt = await runUnit(context, { path, generation: 2, index: 0, planId });
 * receipt.rowsOut;
 * ```
 */
export async function runUnit(context: UnitContext, ref: UnitRef): Promise<UnitReceipt> {
  const { store, layout } = context;
  const receiptKey = layout.receiptKey(ref.path, ref.generation, ref.index);
  const done = parseReceipt(await store.get(receiptKey), receiptKey);
  if (done?.planId === ref.planId) return done;
  const unitKey = layout.unitKey(ref.path, ref.generation, ref.index);
  const unit = parseUnit(await store.get(unitKey), unitKey);
  if (unit?.planId !== ref.planId) {
    throw new CompactionError(
      `unit ${ref.index} of generation ${ref.generation} of ${ref.path} ${unit === undefined ? 'is gone' : 'belongs to another plan'}: ` +
        `another compaction run planned the partition again; run one compactor at a time, and the next run finishes it`,
    );
  }
  context.signal?.throwIfAborted();
  const counted = { rowsIn: 0, rowsOut: 0 };
  const rows = firstNonEmpty(countOut(rowsOf(context, unit, counted), counted));
  const head = await rows.next();
  let bytes = 0;
  if (!head.done) {
    const written = await store.putStream(unit.output, parquetByteStream(resumed(head.value, rows), { columns: context.columns, compression: context.compression, rowGroupRows: context.limits.rowGroupRows }), {
      contentType: PARQUET,
      ...(context.signal === undefined ? {} : { signal: context.signal }),
    });
    bytes = written.bytes;
  }
  const receipt: UnitReceipt = { planId: ref.planId, index: ref.index, output: head.done ? null : unit.output, bytes, ...counted };
  context.signal?.throwIfAborted();
  await store.put(receiptKey, serializeReceipt(receipt), { contentType: JSON_TYPE });
  return receipt;
}

/**
 * The unit's rows: its slices as they are, or (aggregate tables) the partials of its slices
 * merged, written out whenever the merge holds `mergeRows` windows and groups, and at the end.
 */
async function* rowsOf(context: UnitContext, unit: UnitDocument, counted: { rowsIn: number }): AsyncGenerator<Row[]> {
  const chunks = sliceRowChunks(context.store, unit.slices, context.columns, context.limits);
  const { merge, limits } = context;
  if (!unit.merge) {
    for await (const rows of chunks) {
      counted.rowsIn += rows.length;
      yield rows;
    }
    return;
  }
  if (merge === undefined) {
    throw new CompactionError(`unit ${unit.index} (${unit.output}) merges partial aggregates, but the table has no aggregate: the job changed since the plan; run compaction again`);
  }
  const merger = merge.merger();
  const drain = function* (): Generator<Row[]> {
    const merged = merger.finish();
    for (let start = 0; start < merged.length; start += limits.chunkRows) yield merged.slice(start, start + limits.chunkRows);
  };
  for await (const rows of chunks) {
    counted.rowsIn += rows.length;
    merger.add(rows);
    if (merger.size >= limits.mergeRows) yield* drain();
  }
  yield* drain();
}

async function* countOut(chunks: AsyncIterable<Row[]>, counted: { rowsOut: number }): AsyncGenerator<Row[]> {
  for await (const rows of chunks) {
    counted.rowsOut += rows.length;
    yield rows;
  }
}

/** The chunks with empty ones dropped, so the first one tells whether there is anything to write. */
async function* firstNonEmpty(chunks: AsyncIterable<Row[]>): AsyncGenerator<Row[]> {
  for await (const rows of chunks) if (rows.length > 0) yield rows;
}

/** `head`, then the rest of `rest`. */
async function* resumed(head: Row[], rest: AsyncIterator<Row[]>): AsyncGenerator<Row[]> {
  yield head;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}
