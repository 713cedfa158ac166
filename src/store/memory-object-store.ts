import { assertSafeKey } from './object-key.ts';
import type { ObjectInfo, ObjectStore } from './object-store.ts';

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
export class MemoryObjectStore implements ObjectStore {
  private readonly objects = new Map<string, Uint8Array>();

  async put(key: string, body: Uint8Array): Promise<void> {
    assertSafeKey(key);
    this.objects.set(key, body.slice());
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    assertSafeKey(key);
    return this.objects.get(key)?.slice();
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    assertSafeKey(prefix, { allowPrefix: true });
    const keys = [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
    for (const key of keys) {
      const body = this.objects.get(key);
      if (body) yield { key, size: body.byteLength };
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.objects.delete(key);
  }

  locationOf(key: string): string {
    return `memory://${key}`;
  }
}
