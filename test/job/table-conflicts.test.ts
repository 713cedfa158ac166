import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { aggregateTable, defineJob, hourOf, kinesisStream, table, tumbling, type Job } from '../../src/index.ts';
import { describeConflict, tableConflicts } from '../../src/job/table-conflicts.ts';

const Row = z.object({ device: z.string(), at: z.date(), t: z.number() });
const job = (name: string, output: { database: string; name: string; prefix?: string }): Job =>
  defineJob({ name, source: kinesisStream({ stream: 's', records: Row }), steps: (s) => s, output: table({ ...output, rows: Row, partitionBy: hourOf('at') }) }) as unknown as Job;
const aggregate = (name: string, output: { database: string; name: string }): Job =>
  defineJob({
    name,
    source: kinesisStream({ stream: 's', records: Row }),
    steps: (s) => s,
    output: aggregateTable({ ...output, rows: Row, window: tumbling('5 minutes', { on: 'at' }), groupBy: ['device'], measures: (m) => ({ n: m.count() }) }),
  }) as unknown as Job;

describe('tableConflicts', () => {
  it('none when every job has its own table, view and folder', () => {
    expect(tableConflicts([job('a', { database: 'd', name: 'x' }), job('b', { database: 'd', name: 'y' }), aggregate('c', { database: 'd', name: 'z' })])).toEqual([]);
  });

  it('the same table names both jobs', () => {
    const conflicts = tableConflicts([job('a', { database: 'd', name: 'x' }), job('b', { database: 'd', name: 'x' })]);
    expect(conflicts).toEqual([{ jobs: ['a', 'b'], what: ['table d.x', 'table d.x'] }]);
    expect(describeConflict(conflicts[0]!)).toBe(
      "jobs 'a' and 'b' both declare table d.x; each would overwrite the other's files and partitions: give one of them its own output name, database or prefix",
    );
  });

  it("a table named as another job's view or rejects table, or written to its folder, collides too", () => {
    expect(tableConflicts([aggregate('agg', { database: 'd', name: 'hourly' }), job('rows', { database: 'd', name: 'hourly' })])).toEqual([
      { jobs: ['agg', 'rows'], what: ['view d.hourly', 'table d.hourly'] },
    ]);
    expect(tableConflicts([job('a', { database: 'd', name: 'x' }), job('b', { database: 'd', name: 'x_rejects' })])).toEqual([
      { jobs: ['a', 'b'], what: ['rejects table d.x_rejects', 'table d.x_rejects'] },
    ]);
    expect(tableConflicts([job('a', { database: 'one', name: 'x', prefix: 'lake' }), job('b', { database: 'two', name: 'x', prefix: 'lake' })])).toEqual([
      { jobs: ['a', 'b'], what: ['warehouse folder lake/x/', 'warehouse folder lake/x/'] },
    ]);
  });
});
