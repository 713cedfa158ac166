import { assertByteRange } from './byte-range.ts';
import { assertSafeKey } from './object-key.ts';
import type { ByteRange, ObjectInfo, PutStreamOptions, StreamingObjectStore } from './object-store.ts';
import { throwIfAborted } from './write-abort.ts';

/**
 * ObjectStore in memory: for unit tests of jobs and for simulations. Follows the same
 * contract as the folder and S3 adapters (whole-object puts, ordered listing).
 *
 * @example
 * ```ts
 * const store = new MemoryObjectStore();
 * const process = createBatchProcessor({ job, store, catalog });
 * ```
 */
export class MemoryObjectStore implements StreamingObjectStore {
  private readonly objects = new Map<string, { readonly body: Uint8Array; readonly lastModified: Date }>();

  async put(key: string, body: Uint8Array): Promise<void> {
    assertSafeKey(key);
    this.objects.set(key, { body: body.slice(), lastModified: new Date() });
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    assertSafeKey(key);
    return this.objects.get(key)?.body.slice();
  }

  async putStream(key: string, chunks: AsyncIterable<Uint8Array>, options: PutStreamOptions = {}): Promise<{ readonly bytes: number }> {
    assertSafeKey(key);
    const parts: Uint8Array[] = [];
    for await (const chunk of chunks) parts.push(chunk.slice());
    throwIfAborted(options.signal, `memory://${key}`);
    const body = new Uint8Array(parts.reduce((total, part) => total + part.byteLength, 0));
    let offset = 0;
    for (const part of parts) {
      body.set(part, offset);
      offset += part.byteLength;
    }
    this.objects.set(key, { body, lastModified: new Date() });
    return { bytes: body.byteLength };
  }

  async getRange(key: string, range: ByteRange): Promise<Uint8Array | undefined> {
    assertSafeKey(key);
    assertByteRange(key, range);
    return this.objects.get(key)?.body.slice(range.start, range.end);
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    assertSafeKey(prefix, { allowPrefix: true });
    const keys = [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
    for (const key of keys) {
      const object = this.objects.get(key);
      if (object) yield { key, size: object.body.byteLength, lastModified: new Date(object.lastModified) };
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.objects.delete(key);
  }

  locationOf(key: string): string {
    return `memory://${key}`;
  }
}
