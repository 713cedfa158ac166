import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { ObjectStoreError } from '../errors.ts';
import { assertByteRange } from './byte-range.ts';
import { assertSafeKey } from './object-key.ts';
import { isWarehouseTemp, removeAbandonedTempFiles, warehouseTemps, warehouseTempName } from './temp-files.ts';
import type { ByteRange, ObjectInfo, PutStreamOptions, StreamingObjectStore } from './object-store.ts';
import { throwIfAborted } from './write-abort.ts';

export interface LocalFolderStoreOptions {
  /** The warehouse folder; created on first write. */
  readonly root: string;
  /** fsync each file before it is renamed into place (survives power loss, costs time). */
  readonly durable?: boolean;
}

/**
 * ObjectStore on a local folder: the embedded default. A put writes a temp file beside
 * the target and renames it into place, so readers never see a partial file.
 *
 * @example
 * ```ts
 * const store = new LocalFolderStore({ root: '.sluice/warehouse' });
 * await store.put('iot/t/a.parquet', bytes);
 * store.locationOf('iot/t'); // '/abs/path/.sluice/warehouse/iot/t'
 * ```
 */
export class LocalFolderStore implements StreamingObjectStore {
  readonly root: string;
  private readonly durable: boolean;

  constructor(options: LocalFolderStoreOptions) {
    this.root = resolve(options.root);
    this.durable = options.durable ?? false;
  }

  private pathOf(key: string): string {
    assertSafeKey(key);
    return join(this.root, ...key.split('/'));
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    const target = this.pathOf(key);
    const temp = join(dirname(target), warehouseTempName());
    try {
      await mkdir(dirname(target), { recursive: true });
      const handle = await open(temp, 'w');
      try {
        await handle.writeFile(body);
        if (this.durable) await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => undefined);
      throw new ObjectStoreError(`could not write ${target}: ${(error as Error).message}`, error);
    }
  }

  /**
   * Writes the chunks to a temp file beside the target as they come, then renames it into
   * place: one chunk in memory at a time, and readers never see a partial file.
   *
   * @example
   * ```ts
   * await store.putStream('t/big.parquet', parquetChunks);
   * ```
   */
  async putStream(key: string, chunks: AsyncIterable<Uint8Array>, options: PutStreamOptions = {}): Promise<{ readonly bytes: number }> {
    const target = this.pathOf(key);
    const temp = join(dirname(target), warehouseTempName());
    let bytes = 0;
    let fromSource = false;
    try {
      await mkdir(dirname(target), { recursive: true });
      const handle = await open(temp, 'w');
      try {
        const iterator = chunks[Symbol.asyncIterator]();
        for (;;) {
          fromSource = true;
          const next = await iterator.next();
          fromSource = false;
          if (next.done) break;
          throwIfAborted(options.signal, target);
          // A write may take fewer bytes than given: write the rest until the chunk is down.
          for (let at = 0; at < next.value.byteLength; ) at += (await handle.write(next.value, at)).bytesWritten;
          bytes += next.value.byteLength;
        }
        if (this.durable) await handle.sync();
      } finally {
        await handle.close();
      }
      throwIfAborted(options.signal, target);
      await rename(temp, target);
      return { bytes };
    } catch (error) {
      await rm(temp, { force: true }).catch(() => undefined);
      // The source's own failure (a Parquet writer's, a reader's) is the caller's to interpret.
      if (fromSource || error instanceof ObjectStoreError) throw error;
      throw new ObjectStoreError(`could not write ${target}: ${(error as Error).message}`, error);
    }
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.pathOf(key)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new ObjectStoreError(`could not read ${key}: ${(error as Error).message}`, error);
    }
  }

  async getRange(key: string, range: ByteRange): Promise<Uint8Array | undefined> {
    const path = this.pathOf(key);
    assertByteRange(key, range);
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new ObjectStoreError(`could not read ${key}: ${(error as Error).message}`, error);
    }
    try {
      const buffer = new Uint8Array(range.end - range.start);
      let filled = 0;
      // A read may return fewer bytes than asked for; zero means the file ended.
      while (filled < buffer.length) {
        const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, range.start + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return filled === buffer.length ? buffer : buffer.subarray(0, filled);
    } catch (error) {
      throw new ObjectStoreError(`could not read bytes [${range.start}, ${range.end}) of ${key}: ${(error as Error).message}`, error);
    } finally {
      await handle.close();
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    assertSafeKey(prefix, { allowPrefix: true });
    // Walk from the deepest folder the prefix names, then filter by the full prefix.
    const folderKey = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    const start = folderKey ? join(this.root, ...folderKey.split('/')) : this.root;
    const keys: ObjectInfo[] = [];
    await this.walk(start, keys);
    keys.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const info of keys) if (info.key.startsWith(prefix)) yield info;
  }

  private async walk(folder: string, into: ObjectInfo[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new ObjectStoreError(`could not list ${folder}: ${(error as Error).message}`, error);
    }
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await this.walk(path, into);
      else if (entry.isFile() && !isWarehouseTemp(entry.name)) {
        const stats = await stat(path);
        into.push({ key: relative(this.root, path).split(sep).join('/'), size: stats.size, lastModified: stats.mtime });
      }
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      try {
        await rm(this.pathOf(key), { force: true });
      } catch (error) {
        throw new ObjectStoreError(`could not delete ${key}: ${(error as Error).message}`, error);
      }
    }
  }

  /**
   * Removes the temp files of puts a killed process never renamed into place (only sluice's
   * temp names, only of processes that are gone); returns their paths.
   *
   * @example
   * ```ts
   * await store.removeAbandonedTempFiles(); // ['/p/.sluice/warehouse/iot/t/year=2026/.../.sluice-tmp-4242-9f86d081884c']
   * ```
   */
  removeAbandonedTempFiles(): Promise<string[]> {
    return removeAbandonedTempFiles(this.root, { kind: warehouseTemps });
  }

  locationOf(key: string): string {
    if (key === '') return this.root;
    assertSafeKey(key);
    return join(this.root, ...key.split('/'));
  }
}
