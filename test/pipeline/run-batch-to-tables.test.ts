/**
 * `runBatchToTables` (each validated row appended to its file's columns as its record
 * completes, no row kept) writes what the plain path writes: for random batches of good and
 * bad records, plain and KPL-aggregated, and every job of `random-batches.ts`, the same
 * files (keys, partition values, paths), the same reject files (records, stages, reasons)
 * and counts as `referenceRunBatch`, and for each file the same Parquet bytes as the
 * reference rows through the previous Arrow builder (`referenceRowsToArrowTable`).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { z } from 'zod';
import { arrivalHour, defineJob, kinesisStream, table } from '../../src/index.ts';
import { rowsToArrowTable } from '../../src/format/arrow-table.ts';
import { streamRecords } from '../helpers/records.ts';
import { encodeParquet } from '../../src/format/parquet-encode.ts';
import { runBatchToTables } from '../../src/pipeline/run-batch-to-tables.ts';
import { exactText } from '../helpers/exact-text.ts';
import { referenceRowsToArrowTable } from '../format/reference-arrow-table.ts';
import { batchOf, batchSpec, JOBS } from './random-batches.ts';
import { referenceRunBatch } from './reference-run-batch.ts';

const place = (file: { values: readonly string[]; path: string; key: string }) => ({ values: file.values, path: file.path, key: file.key });

describe('runBatchToTables = the plain path, written', () => {
  it('gives the same files, Parquet bytes and rejects for random batches of good and bad records', async () => {
    let rows = 0;
    let rejects = 0;
    let files = 0;
    await fc.assert(
      fc.asyncProperty(batchSpec, async (spec) => {
        const records = await batchOf(spec);
        for (const job of JOBS) {
          const columns = job.output.dataColumns;
          const compression = job.output.compression;
          const fast = runBatchToTables(job, records);
          const plain = referenceRunBatch(job, records);
          expect(fast.files.map(place)).toEqual(plain.files.map(place));
          expect(exactText(fast.rejectFiles)).toBe(exactText(plain.rejectFiles));
          expect([fast.records, fast.rows, fast.rejects]).toEqual([plain.records, plain.rows, plain.rejects]);
          fast.files.forEach((file, i) => {
            const expected = plain.files[i]!.rows;
            expect(file.table.numRows).toBe(expected.length);
            const written = Buffer.from(encodeParquet(file.table, { compression }));
            expect(written.equals(Buffer.from(encodeParquet(referenceRowsToArrowTable(expected, columns), { compression })))).toBe(true);
          });
          rows += fast.rows;
          rejects += fast.rejects;
          files += fast.files.length;
        }
      }),
      { numRuns: 120 },
    );
    // The batches exercised both outcomes, and many files, many times.
    expect(rows).toBeGreaterThan(400);
    expect(rejects).toBeGreaterThan(1500);
    expect(files).toBeGreaterThan(300);
  });
});

describe('runBatchToTables with steps that reuse their objects', () => {
  it('writes each output as it was when it was emitted, as zod copies it, even when a later step changes it', () => {
    const shared = { id: '', k: 0 };
    const job = defineJob({
      name: 'reuse',
      source: kinesisStream({ stream: 's', records: z.object({ id: z.string() }) }),
      steps: (s) =>
        s
          // One object for every output of every record, as a step written to spare allocations would do.
          .flatMap((m) => [m.id, m.id])
          .map((id) => {
            shared.id = id;
            shared.k += 1;
            return shared;
          }),
      output: table({ database: 'd', name: 'reuse', rows: z.object({ id: z.string(), k: z.number().int() }), partitionBy: arrivalHour() }),
    });
    const records = streamRecords([{ id: 'a' }, { id: 'b' }]);
    const [file] = runBatchToTables(job, records).files;
    shared.k = 0;
    const [plain] = referenceRunBatch(job, records).files;
    expect(plain!.rows.map((r) => r['k'])).toEqual([1, 2, 3, 4]);
    expect(Buffer.from(encodeParquet(file!.table, { compression: 'zstd' })).equals(Buffer.from(encodeParquet(rowsToArrowTable(plain!.rows, job.output.dataColumns), { compression: 'zstd' })))).toBe(true);
  });
});
