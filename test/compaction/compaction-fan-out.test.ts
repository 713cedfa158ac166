/**
 * A deployed run, step by step: the state machine's own definition (deploy/), run in this
 * process by a States Language runner, invoking the compaction function's handler for each
 * step with JSON in and out, as Step Functions invokes Lambda.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compactionDefinition, runSecondsOf } from '../../deploy/compaction-state-machine.ts';
import { openQueryEngine } from '../../src/catalog/query-engine.ts';
import { compactTable } from '../../src/compaction/compact-table.ts';
import { CompactionError } from '../../src/errors.ts';
import type { CompactionMetrics } from '../../src/observability/compaction-metrics.ts';
import { createCompactionHandler, type CompactionSummary } from '../../src/runtime/lambda/compaction-handler.ts';
import { canonicalRows } from './canonical-rows.ts';
import { keysUnder, localPorts, readingsJob, seedReadings, type LocalPorts } from './compaction-fixtures.ts';
import { runStateMachine, StatesError } from './state-machine-runner.ts';

const FUNCTION = 'arn:aws:lambda:us-east-1:123456789012:function:sluice-compaction-readings-dev-compact';
const HOURS = ['2026-11-20T06', '2026-11-20T07'];
/** The execution starts well after the seeded hours and files: all of them are settled. */
const startedAt = () => new Date(Date.now() + 2 * 3_600_000);

describe('a run of the compaction state machine', () => {
  let ports: LocalPorts;
  let runs: CompactionMetrics[];
  beforeEach(async () => {
    ports = await localPorts();
    runs = [];
    await seedReadings(ports, { hours: HOURS, batches: 6, perBatch: 30 });
  });
  afterEach(() => ports.cleanup());

  const visibleRows = async () => {
    const engine = await openQueryEngine({ catalog: ports.catalog });
    try {
      return canonicalRows((await engine.query('SELECT * FROM lab.readings')).rows);
    } finally {
      engine.close();
    }
  };
  /** The function as deployed: one handler for every step, adapters built once. */
  const handlerWith = (options: { targetBytes?: number } = {}) =>
    createCompactionHandler(readingsJob, { adapters: () => ports, onRun: (run) => runs.push(run), ...options });
  const execute = (handler: ReturnType<typeof handlerWith>, options: { startTime?: Date; runSeconds?: number } = {}) =>
    runStateMachine(compactionDefinition({ functionArn: FUNCTION, runSeconds: options.runSeconds ?? runSecondsOf('rate(1 hour)') }), {}, {
      startTime: options.startTime ?? startedAt(),
      invoke: async (name, payload) => {
        expect(name).toBe(FUNCTION);
        return handler(payload as never, { getRemainingTimeInMillis: () => 900_000 });
      },
    });

  it('plans, writes every unit, commits each partition and reports: readers see the same rows in fewer files', async () => {
    const before = await visibleRows();
    const baseBytes = (await Promise.all((await keysUnder(ports.store, 'lab/readings/')).map(async (key) => (await ports.store.get(key))!.byteLength))).reduce((a, b) => a + b, 0);
    // About three units per hour.
    const handler = handlerWith({ targetBytes: Math.ceil(baseBytes / 2 / 3) });

    const output = (await execute(handler)) as { summary: CompactionSummary };

    expect(output.summary).toMatchObject({ table: 'lab.readings', partitions: { seen: 2, compacted: 2, skipped: 0, failed: 0 }, files: { before: 12 }, rows: { before: 180, after: 180 }, unreached: 0 });
    expect(output.summary.files.after).toBeGreaterThanOrEqual(5);
    expect(await visibleRows()).toEqual(before);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ partitionsCompacted: 2, partitionsFailed: 0, filesIn: 12, filesOut: output.summary.files.after });

    // The same partitions compacted in one process come out the same: the steps are the local run's, fanned out.
    const again = (await execute(handler)) as { summary: CompactionSummary };
    expect(again.summary.partitions).toEqual({ seen: 2, compacted: 0, skipped: 2, failed: 0 });
    expect(await visibleRows()).toEqual(before);
  });

  it('reports a partition whose unit fails as failed, commits the other, and fails the execution', async () => {
    const [broken] = await keysUnder(ports.store, 'lab/readings/year=2026/month=11/day=20/hour=07/');
    await ports.store.put(broken!, new TextEncoder().encode('not parquet'));

    const failure = await execute(handlerWith()).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(StatesError);
    expect((failure as StatesError).error).toBe('CompactionError');
    expect((failure as StatesError).cause).toMatch(/1 partition\(s\) of lab\.readings could not be compacted.*hour=07: .*not a readable Parquet file/);
    expect(runs[0]).toMatchObject({ partitionsCompacted: 1, partitionsFailed: 1 });
    const locations = Object.fromEntries((await ports.catalog.listPartitions({ database: 'lab', name: 'readings' })).map((p) => [p.values[3], p.location]));
    expect(locations['06']).toContain('_compacted');
    expect(locations['07']).not.toContain('_compacted');
    expect((await keysUnder(ports.store, 'lab/_compacted/readings/year=2026/month=11/day=20/hour=07/')).filter((key) => key.endsWith('_state.json'))).toEqual([]);
  });

  it('writes nothing past the run deadline: a late unit or commit fails, and the next run compacts', async () => {
    const before = await visibleRows();
    const start = startedAt();
    // The units run when the run's deadline (a minute after its start) has passed: each refuses to write.
    const lateHandler = createCompactionHandler(readingsJob, { adapters: () => ports, onRun: (run) => runs.push(run), now: () => new Date(start.getTime() + 10 * 60_000) });
    const late = await execute(lateHandler, { startTime: start, runSeconds: 60 }).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(StatesError);
    expect((late as StatesError).cause).toMatch(/2 partition\(s\).*could not be compacted.*deadline/);
    expect((await keysUnder(ports.store, 'lab/_compacted/')).filter((key) => key.endsWith('.parquet'))).toEqual([]);
    expect(await visibleRows()).toEqual(before);

    const next = (await execute(handlerWith())) as { summary: CompactionSummary };
    expect(next.summary.partitions.compacted).toBe(2);
    expect(await visibleRows()).toEqual(before);
  });

  it('gives the same table as a run in one process', async () => {
    const fannedOut = await visibleRows();
    await execute(handlerWith());
    const other = await localPorts();
    try {
      await seedReadings(other, { hours: HOURS, batches: 6, perBatch: 30 });
      await compactTable({ job: readingsJob, store: other.store, catalog: other.catalog, now: startedAt() });
      const engine = await openQueryEngine({ catalog: other.catalog });
      try {
        expect(canonicalRows((await engine.query('SELECT * FROM lab.readings')).rows)).toEqual(fannedOut);
      } finally {
        engine.close();
      }
      const parts = async (p: LocalPorts) => (await keysUnder(p.store, 'lab/_compacted/')).map((key) => key.slice('lab/_compacted/'.length));
      expect(await parts(other)).toEqual(await parts(ports));
    } finally {
      await other.cleanup();
    }
  });

  it('refuses a step event it cannot act on, saying the definition and the code disagree', async () => {
    const handler = handlerWith();
    await expect(handler({ step: 'unit', run: { now: 'yesterday' } } as never)).rejects.toThrow(CompactionError);
    await expect(handler({ step: 'unit', run: { now: 'yesterday' } } as never)).rejects.toThrow(/step event it cannot act on.*deploy them together/);
  });
});
