import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { LocalFolderStore } from '../../src/store/local-folder-store.ts';
import { MemoryObjectStore } from '../../src/store/memory-object-store.ts';
import { describeObjectStoreContract } from '../contracts/object-store-contract.ts';

describeObjectStoreContract('local folder', async () => {
  const root = await mkdtemp(join(tmpdir(), 'sluice-store-'));
  return { store: new LocalFolderStore({ root }), cleanup: () => rm(root, { recursive: true, force: true }) };
});

it('leaves no temp file behind and gives absolute locations', async () => {
  const root = await mkdtemp(join(tmpdir(), 'sluice-store-'));
  try {
    const store = new LocalFolderStore({ root, durable: true });
    await store.put('t/a.parquet', new Uint8Array([1, 2, 3]));
    expect(await readdir(join(root, 't'))).toEqual(['a.parquet']);
    expect(store.locationOf('t')).toBe(join(root, 't'));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

describeObjectStoreContract('memory', async () => ({ store: new MemoryObjectStore(), cleanup: async () => undefined }));
