import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectStoreError } from '../../src/errors.ts';
import type { ObjectInfo, StreamingObjectStore } from '../../src/store/object-store.ts';

export interface ObjectStoreFixture {
  readonly store: StreamingObjectStore;
  cleanup(): Promise<void>;
}

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array | undefined) => (data === undefined ? undefined : new TextDecoder().decode(data));

const collect = async (iterable: AsyncIterable<ObjectInfo>) => {
  const out: ObjectInfo[] = [];
  for await (const item of iterable) out.push(item);
  return out;
};
/** Key and size only, for comparing listings whose times are the store's own. */
const keyAndSize = (objects: readonly ObjectInfo[]) => objects.map(({ key, size }) => ({ key, size }));
/** S3 keeps whole seconds (and a server's clock may lag ours a little): how far a listed time may be off. */
const CLOCK_SLACK_MS = 2_000;

/** The chunks given, one at a time; `pause` runs before the chunk it names (a reader looks while the stream is open). */
async function* chunksOf(parts: readonly Uint8Array[], pause?: { before: number; run: () => Promise<void> }): AsyncIterable<Uint8Array> {
  for (let i = 0; i < parts.length; i++) {
    if (pause?.before === i) await pause.run();
    yield parts[i]!;
  }
}

/**
 * The ObjectStore contract (src/store/object-store.ts), streamed writes and ranged reads
 * included, run against every adapter.
 *
 * @example
 * ```ts
 * describeObjectStoreContract('local folder', async () => ({ store: new LocalFolderStore({ root }), cleanup }));
 * ```
 */
export function describeObjectStoreContract(name: string, makeStore: () => Promise<ObjectStoreFixture>): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let fixture: ObjectStoreFixture;
    beforeAll(async () => {
      fixture = await makeStore();
    });
    afterAll(async () => {
      await fixture?.cleanup();
    });

    it('put then get returns the same bytes; a missing key is undefined', async () => {
      const { store } = fixture;
      await store.put('a/b/one.parquet', bytes('one'));
      expect(text(await store.get('a/b/one.parquet'))).toBe('one');
      expect(await store.get('a/b/absent.parquet')).toBeUndefined();
    });

    it('put replaces the whole object and is idempotent', async () => {
      const { store } = fixture;
      await store.put('replace/x.bin', bytes('a much longer first version'));
      await store.put('replace/x.bin', bytes('short'));
      await store.put('replace/x.bin', bytes('short'));
      expect(text(await store.get('replace/x.bin'))).toBe('short');
      expect(keyAndSize(await collect(store.list('replace/')))).toEqual([{ key: 'replace/x.bin', size: 5 }]);
    });

    it('lists when each object was last written; a put moves it forward', async () => {
      const { store } = fixture;
      const before = Date.now();
      await store.put('times/a.bin', bytes('first'));
      const after = Date.now();
      const [first] = await collect(store.list('times/'));
      expect(first?.lastModified).toBeInstanceOf(Date);
      expect(first!.lastModified.getTime()).toBeGreaterThanOrEqual(before - CLOCK_SLACK_MS);
      expect(first!.lastModified.getTime()).toBeLessThanOrEqual(after + CLOCK_SLACK_MS);
      // Past S3's one-second resolution, so a rewrite cannot keep the old time by rounding.
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      await store.put('times/a.bin', bytes('second'));
      const [second] = await collect(store.list('times/'));
      expect(second!.lastModified.getTime()).toBeGreaterThan(first!.lastModified.getTime());
    });

    it('concurrent puts of one key leave one whole version', async () => {
      const { store } = fixture;
      const versions = Array.from({ length: 8 }, (_, i) => `version-${i}-${'x'.repeat(1000 * i)}`);
      await Promise.all(versions.map((v) => store.put('race/k.bin', bytes(v))));
      expect(versions).toContain(text(await store.get('race/k.bin')));
    });

    it('lists every key under a prefix, in key order, across many objects', async () => {
      const { store } = fixture;
      const keys = Array.from({ length: 1205 }, (_, i) => `many/p=${String(i % 3)}/f-${String(i).padStart(5, '0')}.bin`);
      for (let i = 0; i < keys.length; i += 100) await Promise.all(keys.slice(i, i + 100).map((k) => store.put(k, bytes('z'))));
      const listed = await collect(store.list('many/'));
      expect(listed.map((o) => o.key)).toEqual([...keys].sort());
      expect(listed.every((o) => o.size === 1)).toBe(true);
      expect((await collect(store.list('many/p=1/'))).length).toBe(402);
      expect(await collect(store.list('nothing-here/'))).toEqual([]);
    });

    it('lists by a partial last segment', async () => {
      const { store } = fixture;
      await store.put('partial/shard-1-a.bin', bytes('1'));
      await store.put('partial/shard-2-a.bin', bytes('2'));
      expect((await collect(store.list('partial/shard-1'))).map((o) => o.key)).toEqual(['partial/shard-1-a.bin']);
    });

    it('deletes keys; absent keys are not an error', async () => {
      const { store } = fixture;
      await store.put('del/a', bytes('a'));
      await store.put('del/b', bytes('b'));
      await store.delete(['del/a', 'del/never-existed']);
      expect(await store.get('del/a')).toBeUndefined();
      expect(text(await store.get('del/b'))).toBe('b');
    });

    it('refuses keys that could leave the store', async () => {
      const { store } = fixture;
      for (const key of ['../x', 'a/../../x', '/abs', 'a//b', 'a/./b']) {
        await expect(store.put(key, bytes('no'))).rejects.toBeInstanceOf(ObjectStoreError);
      }
    });

    it('reads a range of an object: fewer bytes at its end, none past it, undefined for a missing key', async () => {
      const { store } = fixture;
      await store.put('range/r.bin', bytes('0123456789'));
      expect(text(await store.getRange('range/r.bin', { start: 2, end: 5 }))).toBe('234');
      expect(text(await store.getRange('range/r.bin', { start: 0, end: 10 }))).toBe('0123456789');
      expect(text(await store.getRange('range/r.bin', { start: 7, end: 100 }))).toBe('789');
      expect(text(await store.getRange('range/r.bin', { start: 10, end: 20 }))).toBe('');
      expect(text(await store.getRange('range/r.bin', { start: 4, end: 4 }))).toBe('');
      expect(await store.getRange('range/absent.bin', { start: 0, end: 4 })).toBeUndefined();
      await expect(store.getRange('range/r.bin', { start: 5, end: 2 })).rejects.toBeInstanceOf(ObjectStoreError);
      await expect(store.getRange('range/r.bin', { start: -1, end: 2 })).rejects.toBeInstanceOf(ObjectStoreError);
    });

    it('writes a stream as one object, which readers see only once the stream has ended', async () => {
      const { store } = fixture;
      await store.put('stream/s.bin', bytes('old'));
      const seenMidway: Array<string | undefined> = [];
      const written = await store.putStream('stream/s.bin', chunksOf(['new ', 'object ', 'in ', 'four parts'].map(bytes), {
        before: 2,
        run: async () => {
          seenMidway.push(text(await store.get('stream/s.bin')));
        },
      }));
      expect(seenMidway).toEqual(['old']);
      expect(written).toEqual({ bytes: 'new object in four parts'.length });
      expect(text(await store.get('stream/s.bin'))).toBe('new object in four parts');
      expect(keyAndSize(await collect(store.list('stream/')))).toEqual([{ key: 'stream/s.bin', size: written.bytes }]);
      expect(await store.putStream('stream/empty.bin', chunksOf([]))).toEqual({ bytes: 0 });
      expect(text(await store.get('stream/empty.bin'))).toBe('');
    });

    it('writes nothing when the stream fails (rejecting with its error) or the signal is aborted', async () => {
      const { store } = fixture;
      await store.put('failing/kept.bin', bytes('kept'));
      const broken = new Error('the writer failed');
      async function* failing(): AsyncIterable<Uint8Array> {
        yield bytes('half of ');
        throw broken;
      }
      await expect(store.putStream('failing/kept.bin', failing())).rejects.toBe(broken);
      await expect(store.putStream('failing/new.bin', failing())).rejects.toBe(broken);
      const stop = new AbortController();
      const aborted = store.putStream('failing/aborted.bin', chunksOf([bytes('a'), bytes('b')], { before: 1, run: async () => stop.abort(new Error('deadline')) }), { signal: stop.signal });
      await expect(aborted).rejects.toBeInstanceOf(ObjectStoreError);
      expect(text(await store.get('failing/kept.bin'))).toBe('kept');
      expect((await collect(store.list('failing/'))).map((o) => o.key)).toEqual(['failing/kept.bin']);
    });

    it('gives readers a location for keys and prefixes', () => {
      const { store } = fixture;
      const location = store.locationOf('iot/sensor_readings');
      expect(location.endsWith('iot/sensor_readings')).toBe(true);
    });
  });
}
