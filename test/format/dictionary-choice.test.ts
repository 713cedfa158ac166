/**
 * Dictionary encoding where values repeat, plain encoding where they do not, statistics on
 * every column either way: read back from the files' footers, and the values read back by
 * DuckDB whatever the encoding.
 */
import { describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetMetadata } from 'hyparquet';
import { rowsToArrowTable } from '../../src/format/arrow-table.ts';
import { dictionaryChoice } from '../../src/format/dictionary-choice.ts';
import { encodeParquet } from '../../src/format/parquet-encode.ts';
import type { Column } from '../../src/schema/column-model.ts';

const columns: Column[] = [
  { name: 'device', type: { kind: 'string', dictionary: true }, nullable: false },
  { name: 'unique_device', type: { kind: 'string', dictionary: true }, nullable: false },
  { name: 'uuid', type: { kind: 'string', dictionary: false }, nullable: false },
  { name: 'activity', type: { kind: 'string', dictionary: false }, nullable: true },
  { name: 'reading', type: { kind: 'double' }, nullable: false },
  { name: 'angle', type: { kind: 'double' }, nullable: false },
  { name: 'seq', type: { kind: 'int64' }, nullable: false },
  { name: 'small', type: { kind: 'int32' }, nullable: false },
  { name: 'second', type: { kind: 'timestamp', source: 'date' }, nullable: false },
  { name: 'arrival', type: { kind: 'timestamp', source: 'date' }, nullable: false },
  { name: 'flag', type: { kind: 'boolean' }, nullable: false },
  { name: 'pose', type: { kind: 'struct', fields: [{ name: 'pitch', type: { kind: 'double' }, nullable: false }] }, nullable: false },
];

const ROWS = 3_000;
const START = Date.parse('2026-11-20T06:00:00Z');
const rows = Array.from({ length: ROWS }, (_, i) => ({
  device: `rpi-${i % 50}`,
  unique_device: `rpi-${i}`,
  uuid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  activity: i % 7 === 0 ? null : ['walking', 'running', 'still'][i % 3],
  reading: Math.round(Math.sin(i) * 40) / 4,
  angle: (i * 7.31) % 360,
  seq: Math.floor(i / 50),
  small: i,
  second: new Date(START + Math.floor(i / 50) * 1_000),
  arrival: new Date(START + i * 3 + 7),
  flag: i % 2 === 0,
  pose: { pitch: (i * 1.77) % 180 },
}));

type ChunkMeta = { path_in_schema: string[]; encodings: string[]; statistics?: { min_value?: unknown; max_value?: unknown } };

function chunksOf(bytes: Uint8Array): Map<string, ChunkMeta> {
  const meta = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  const chunks = meta.row_groups.flatMap((g) => g.columns.map((c) => c.meta_data as unknown as ChunkMeta));
  return new Map(chunks.map((c) => [c.path_in_schema.join('.'), c]));
}

const dictionaryEncoded = (chunk: ChunkMeta): boolean => chunk.encodings.includes('RLE_DICTIONARY');

describe('dictionary encoding', () => {
  const table = rowsToArrowTable(rows, columns);
  const bytes = encodeParquet(table, { compression: 'zstd' });
  const chunks = chunksOf(bytes);

  it('is chosen where values repeat, and for every column declared low-cardinality', () => {
    const encoded = Object.fromEntries([...chunks].map(([path, chunk]) => [path, dictionaryEncoded(chunk)]));
    expect(encoded).toEqual({
      device: true,
      unique_device: true,
      uuid: false,
      activity: true,
      reading: true,
      angle: false,
      seq: true,
      small: false,
      second: true,
      arrival: false,
      flag: false,
      'pose.pitch': false,
    });
  });

  it('covers nested fields with one setting: on when any of them repeats', () => {
    const repeating = rows.map((r) => ({ ...r, pose: { pitch: r.seq % 4 } }));
    expect(dictionaryChoice(rowsToArrowTable(repeating, columns)).nested).toBe(true);
    expect(dictionaryChoice(table).nested).toBe(false);
  });

  it('keeps min/max statistics on every column, whatever the encoding', () => {
    for (const [path, chunk] of chunks) {
      if (path === 'flag') continue;
      expect(chunk.statistics?.min_value, path).toBeDefined();
      expect(chunk.statistics?.max_value, path).toBeDefined();
    }
  });

  it('is read back by DuckDB to the same values', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-dict-'));
    try {
      const file = join(dir, 'mixed.parquet');
      await writeFile(file, bytes);
      const db = await DuckDBInstance.create(':memory:');
      const c = await db.connect();
      const got = (
        await c.runAndReadAll(
          `SELECT device, uuid, activity, reading, angle, seq, epoch_ms(second) AS second, epoch_ms(arrival) AS arrival, pose.pitch AS pitch FROM read_parquet('${file}')`,
        )
      ).getRowObjectsJS();
      c.closeSync();
      db.closeSync();
      expect(got.map((g) => [g['device'], g['uuid'], g['activity'], g['reading'], g['angle'], Number(g['seq']), Number(g['second']), Number(g['arrival']), g['pitch']])).toEqual(
        rows.map((r) => [r.device, r.uuid, r.activity, r.reading, r.angle, r.seq, r.second.getTime(), r.arrival.getTime(), r.pose.pitch]),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
