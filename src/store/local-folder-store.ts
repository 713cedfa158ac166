import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { ObjectStoreError } from '../errors.ts';
import { assertSafeKey } from './object-key.ts';
import type { ObjectInfo, ObjectStore } from './object-store.ts';

export interface LocalFolderStoreOptions {
  /** The warehouse folder; created on first write. */
  readonly root: string;
  /** fsync each file before it is renamed into place (survives power loss, costs time). */
  readonly durable?: boolean;
}

// Temp files start with a dot so listings and reader globs (`*.parquet`) never see them.
const TEMP_PREFIX = '.sluice-tmp-';

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
export class LocalFolderStore implements ObjectStore {
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
    const temp = join(dirname(target), `${TEMP_PREFIX}${randomBytes(6).toString('hex')}`);
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

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.pathOf(key)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new ObjectStoreError(`could not read ${key}: ${(error as Error).message}`, error);
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
      else if (entry.isFile() && !entry.name.startsWith(TEMP_PREFIX)) {
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

  locationOf(key: string): string {
    if (key === '') return this.root;
    assertSafeKey(key);
    return join(this.root, ...key.split('/'));
  }
}
