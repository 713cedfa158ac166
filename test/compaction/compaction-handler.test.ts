import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CompactionError } from '../../src/errors.ts';
import { createCompactionHandler } from '../../src/runtime/lambda/compaction-handler.ts';
import { keysUnder, localPorts, readingsJob, seedReadings, settledClock, type LocalPorts } from './compaction-fixtures.ts';

describe('the scheduled compaction handler', () => {
  let ports: LocalPorts;
  let store: LocalPorts['store'];
  let catalog: LocalPorts['catalog'];
  beforeEach(async () => {
    ports = await localPorts();
    ({ store, catalog } = ports);
    await seedReadings({ store, catalog }, { hours: ['2026-11-20T06', '2026-11-20T07'], batches: 3, perBatch: 10 });
  });
  afterEach(() => ports.cleanup());
  const later = settledClock;

  it('compacts the table with the invocation clock and answers the totals', async () => {
    let built = 0;
    const handler = createCompactionHandler(readingsJob, { adapters: () => ({ store, catalog: (built++, catalog) }), now: later });
    const summary = await handler({ 'detail-type': 'Scheduled Event' }, { getRemainingTimeInMillis: () => 900_000 });
    expect(summary).toMatchObject({ table: 'lab.readings', partitions: { seen: 2, compacted: 2, skipped: 0, failed: 0 }, files: { before: 6, after: 2 }, unreached: 0 });
    expect(summary).not.toHaveProperty('details');
    expect((await handler({}, { getRemainingTimeInMillis: () => 900_000 })).partitions.compacted).toBe(0);
    expect(built).toBe(1);
  });

  it('takes no partition once the function is within a minute of its timeout; the next run does', async () => {
    const handler = createCompactionHandler(readingsJob, { adapters: () => ({ store, catalog }), now: later });
    const starved = await handler({}, { getRemainingTimeInMillis: () => 59_000 });
    expect(starved).toMatchObject({ partitions: { seen: 0, compacted: 0 }, unreached: 2 });
    expect(await keysUnder(store, 'lab/_compacted/')).toEqual([]);
    expect((await handler({}, { getRemainingTimeInMillis: () => 900_000 })).partitions.compacted).toBe(2);
  });

  it('throws CompactionError naming a partition that failed, after compacting the others', async () => {
    const [broken] = await keysUnder(store, 'lab/readings/year=2026/month=11/day=20/hour=07/');
    await store.put(broken!, new TextEncoder().encode('not parquet'));
    const handler = createCompactionHandler(readingsJob, { adapters: () => ({ store, catalog }), now: later });
    const error = await handler({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CompactionError);
    expect((error as Error).message).toMatch(/1 partition\(s\) of lab\.readings could not be compacted.*hour=07: .*not a readable Parquet file/);
    expect((await keysUnder(store, 'lab/_compacted/readings/year=2026/month=11/day=20/hour=06/g-000001/')).filter((key) => key.endsWith('.parquet'))).toHaveLength(1);
  });
});
