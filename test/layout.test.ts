/**
 * DESIGN.md §2: the pure core (job, schema, pipeline, partition, format, decode) imports no AWS
 * SDK, no Kinesis I/O module and no Node I/O module; only runtime, cli and deploy wire adapters.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../src');
const CORE = ['job', 'schema', 'pipeline', 'partition', 'format', 'decode'];
const FORBIDDEN = [/^@aws-sdk\//, /^@smithy\//, /\/kinesis\//, /\/runtime\//, /\/cli\//, /\/store\//, /\/catalog\//, /\/checkpoint\//, /^node:(fs|net|http|https|child_process)/];

/** Loading code is not data I/O: parquet-wasm's module reads its own .wasm file once. */
const ALLOWED = new Set(['format/parquet-wasm-module.ts imports node:fs']);

async function filesOf(folder: string): Promise<string[]> {
  const entries = await readdir(join(SRC, folder), { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => join(e.parentPath, e.name));
}

describe('layout', () => {
  it('the pure core imports no I/O module', async () => {
    const offending: string[] = [];
    for (const folder of CORE) {
      for (const file of await filesOf(folder)) {
        const text = await readFile(file, 'utf8');
        for (const [, spec] of text.matchAll(/^\s*import\s[^'"]*['"]([^'"]+)['"]/gm)) {
          const line = `${file.slice(SRC.length + 1)} imports ${spec}`;
          if (FORBIDDEN.some((pattern) => pattern.test(spec!)) && !ALLOWED.has(line)) offending.push(line);
        }
      }
    }
    expect(offending).toEqual([]);
  });

  it('decoding and the Kinesis I/O live apart', async () => {
    expect((await filesOf('decode')).length).toBeGreaterThan(5);
    expect((await filesOf('kinesis')).length).toBeGreaterThan(5);
    await expect(readdir(join(SRC, 'source'))).rejects.toThrow();
  });
});
