import type { AsyncBuffer, FileMetaData } from 'hyparquet';
import { messageOf } from '../error-message.ts';
import { CompactionError, SluiceError } from '../errors.ts';
import { parquetBytesSource, parquetFileMetadata, parquetRowChunks } from '../format/parquet-decode.ts';
import type { Column } from '../schema/column-model.ts';
import type { StreamingObjectStore } from '../store/object-store.ts';
import type { UnitLimits } from './unit-limits.ts';
import { sliceRows, type InputSlice } from './unit-split.ts';

/** Rows as the Parquet reader gives them back. */
type Row = Record<string, unknown>;

/** An input opened for reading: its bytes (or ranged access to them) and its footer. */
interface OpenedInput {
  readonly slice: InputSlice;
  readonly file: AsyncBuffer;
  readonly metadata: FileMetaData;
}

/**
 * The rows of the slices, in order, in chunks of at most `limits.chunkRows` rows. Inputs are
 * opened ahead of the one being read (up to `readAheadFiles` and `readAheadBytes`), so a unit
 * of many small files waits on one request at a time at most, not on each in turn; small
 * inputs are fetched whole, large ones through ranged reads of their footer and row groups.
 * An input that is gone or not Parquet fails the unit with a `CompactionError` saying what to do.
 *
 * @example
 * ```ts
 * for await (const rows of sliceRowChunks(store, unit.slices, columns, limits)) writer.append(rows);
 * ```
 */
export async function* sliceRowChunks(
  store: StreamingObjectStore,
  slices: readonly InputSlice[],
  columns: readonly Column[],
  limits: UnitLimits,
): AsyncGenerator<Row[]> {
  const opening: Array<{ readonly bytes: number; readonly input: Promise<OpenedInput> }> = [];
  let next = 0;
  const fill = () => {
    let held = opening.reduce((total, o) => total + o.bytes, 0);
    while (next < slices.length && (opening.length === 0 || (opening.length < limits.readAheadFiles && held + fetchedBytes(slices[next]!, limits) <= limits.readAheadBytes))) {
      const slice = slices[next++]!;
      const input = openInput(store, slice, limits);
      // Read ahead, awaited in turn below: a failure surfaces when its turn comes, not as an unhandled rejection.
      input.catch(() => undefined);
      opening.push({ bytes: fetchedBytes(slice, limits), input });
      held += fetchedBytes(slice, limits);
    }
  };
  fill();
  while (opening.length > 0) {
    const { input } = opening.shift()!;
    fill();
    const { slice, file, metadata } = await input;
    const { rowStart, rowEnd } = sliceRows(slice, Number(metadata.num_rows));
    if (rowStart >= rowEnd) continue;
    try {
      yield* parquetRowChunks(file, columns, { metadata, rowStart, rowEnd, chunkRows: limits.chunkRows });
    } catch (error) {
      throw unreadable(slice.key, error);
    }
  }
}

/** What opening a slice's file holds until it is read: the whole file when small, else about its footer. */
function fetchedBytes(slice: InputSlice, limits: UnitLimits): number {
  return slice.size <= limits.wholeFileBytes ? slice.size : 64 * 1024;
}

async function openInput(store: StreamingObjectStore, slice: InputSlice, limits: UnitLimits): Promise<OpenedInput> {
  let file: AsyncBuffer;
  if (slice.size <= limits.wholeFileBytes) {
    file = parquetBytesSource(present(slice.key, await store.get(slice.key)));
  } else {
    file = rangedSource(store, slice, limits.rangeCacheBytes);
  }
  try {
    return { slice, file, metadata: await parquetFileMetadata(file) };
  } catch (error) {
    throw unreadable(slice.key, error);
  }
}

function present(key: string, bytes: Uint8Array | undefined): Uint8Array {
  if (bytes === undefined) {
    throw new CompactionError(
      `${key} was listed but is gone: another compactor may be running on the same table; run one compactor at a time, then run again`,
    );
  }
  return bytes;
}

function unreadable(key: string, error: unknown): Error {
  // The store's failures (and our own) say what they are; only the reader's mean the file is bad.
  if (error instanceof SluiceError) return error;
  return new CompactionError(
    `${key} is not a readable Parquet file (${messageOf(error)}); readers cannot read it either: move it out of the ` +
      `table's folders, then run compaction again`,
    error,
  );
}

/**
 * An `AsyncBuffer` over a large input: each slice hyparquet asks for is one ranged read,
 * remembered (oldest first out, up to `cacheBytes`) because reading a row group chunk by
 * chunk asks for the same column ranges again.
 */
function rangedSource(store: StreamingObjectStore, slice: InputSlice, cacheBytes: number): AsyncBuffer {
  const cache = new Map<string, Promise<ArrayBuffer>>();
  const sizes = new Map<string, number>();
  let held = 0;
  return {
    byteLength: slice.size,
    slice(start, end = slice.size) {
      const id = `${start}-${end}`;
      const known = cache.get(id);
      if (known !== undefined) return known;
      const read = (async () => {
        const bytes = present(slice.key, await store.getRange(slice.key, { start, end }));
        if (bytes.byteLength !== end - start) {
          throw new CompactionError(`${slice.key} is shorter than when it was listed (${slice.size} bytes): it was rewritten; run compaction again`);
        }
        return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      })();
      cache.set(id, read);
      sizes.set(id, end - start);
      held += end - start;
      for (const [oldest, size] of sizes) {
        if (held <= cacheBytes || oldest === id) break;
        cache.delete(oldest);
        sizes.delete(oldest);
        held -= size;
      }
      // A failed read is not remembered: the unit fails, and a retry reads again.
      read.catch(() => {
        if (cache.get(id) === read) {
          cache.delete(id);
          held -= sizes.get(id) ?? 0;
          sizes.delete(id);
        }
      });
      return read;
    },
  };
}
