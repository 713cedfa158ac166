/**
 * `runBatch` (compiled decoder, compiled row check, cached partition values and files, no
 * metadata without steps) gives exactly what the plain path gives (`referenceRunBatch`:
 * decodeRecord, zod's safeParse, everything computed per row): the same files with the same
 * keys, values, paths and rows, the same reject files with the same records, stages and
 * reasons. Batches mix good and bad records of several kinds, plain and KPL-aggregated
 * (some corrupt), over hours of event and arrival time; jobs cover event-hour and
 * arrival-hour partitioning, an extra partition key, no steps, flatMap and failing rows.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runBatch } from '../../src/pipeline/run-batch.ts';
import { exactText } from '../helpers/exact-text.ts';
import { batchOf, batchSpec, JOBS } from './random-batches.ts';
import { referenceRunBatch } from './reference-run-batch.ts';

describe('runBatch = the plain path', () => {
  it('gives the same files, rows and rejects for random batches of good and bad records, plain and KPL-aggregated', async () => {
    let rows = 0;
    let rejects = 0;
    await fc.assert(
      fc.asyncProperty(batchSpec, async (spec) => {
        const records = await batchOf(spec);
        for (const job of JOBS) {
          const fast = runBatch(job, records);
          const plain = referenceRunBatch(job, records);
          expect(exactText(fast)).toBe(exactText(plain));
          rows += fast.rows;
          rejects += fast.rejects;
        }
      }),
      { numRuns: 150 },
    );
    // The batches exercised both outcomes, many times.
    expect(rows).toBeGreaterThan(400);
    expect(rejects).toBeGreaterThan(1500);
  });
});
