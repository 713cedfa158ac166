import { describe, expect, it } from 'vitest';
import { compactionLayout } from '../../src/compaction/compaction-layout.ts';
import { planPartition, SkipReason, type PartitionSnapshot } from '../../src/compaction/compaction-plan.ts';
import { CompactionDefaults, compactionSettings, type CompactionSettings } from '../../src/compaction/compaction-settings.ts';
import { initialState, parseState, serializeState, type CompactionState } from '../../src/compaction/compaction-state.ts';
import { sliceRows, splitByBytes, unitsFor } from '../../src/compaction/unit-split.ts';
import { CompactionError } from '../../src/errors.ts';
import type { ObjectInfo } from '../../src/store/object-store.ts';
import { defineReadingsJob, readingsJob } from './compaction-fixtures.ts';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const layout = compactionLayout({ prefix: 'lab', table: 'readings' });
const path = 'year=2026/month=11/day=20/hour=06';
const hourEnd = new Date('2026-11-20T07:00:00Z');
const settings: CompactionSettings = { targetBytes: 1000, horizonMs: HOUR, graceMs: 30 * MINUTE };
const base = (name: string, writtenAt: string, size = 100): ObjectInfo => ({ key: `${layout.baseFolder(path)}/${name}.parquet`, size, lastModified: new Date(writtenAt) });
const other = (key: string): ObjectInfo => ({ key, size: 10, lastModified: new Date('2026-11-20T09:00:00Z') });
const part = (generation: number, index: number, size = 300): ObjectInfo => ({ key: layout.partKey(path, generation, index), size, lastModified: new Date('2026-11-20T09:00:00Z') });
const snapshot = (overrides: Partial<PartitionSnapshot> = {}): PartitionSnapshot => ({
  path,
  hourEnd,
  catalogLocation: `/w/${layout.baseFolder(path)}`,
  state: undefined,
  baseFiles: [],
  compactedFiles: [],
  ...overrides,
});
const plan = (at: string, overrides: Partial<PartitionSnapshot> = {}) => planPartition({ snapshot: snapshot(overrides), layout, settings, now: new Date(at) });

describe('compactionLayout', () => {
  it('keeps state and generations under <prefix>/_compacted/<table>/<partition path>', () => {
    expect(layout.baseFolder(path)).toBe('lab/readings/year=2026/month=11/day=20/hour=06');
    expect(layout.stateKey(path)).toBe('lab/_compacted/readings/year=2026/month=11/day=20/hour=06/_state.json');
    expect(layout.generationFolder(path, 12)).toBe('lab/_compacted/readings/year=2026/month=11/day=20/hour=06/g-000012');
    expect(layout.partKey(path, 3, 7)).toBe('lab/_compacted/readings/year=2026/month=11/day=20/hour=06/g-000003/part-00007.parquet');
  });
});

describe('planPartition', () => {
  it('consumes the base files older than the horizon into generation 1, and lets younger ones wait', () => {
    const old = [base('shard-2', '2026-11-20T06:50:00Z'), base('shard-1', '2026-11-20T06:10:00Z')];
    const young = base('shard-3', '2026-11-20T08:30:01Z');
    const result = plan('2026-11-20T09:30:00Z', { baseFiles: [...old, young] });
    expect(result.rollForward).toBeUndefined();
    expect(result.expired).toEqual([]);
    expect(result.action).toEqual({
      kind: 'compact',
      generation: 1,
      inputs: [old[1], old[0]],
      consumed: [old[1], old[0]],
      retire: [old[1]!.key, old[0]!.key],
      stale: [],
      waiting: 1,
    });
  });

  it('takes a file written exactly the horizon ago, and skips an hour that ended less than the horizon ago', () => {
    const file = base('shard-1', '2026-11-20T06:30:00Z');
    expect(plan('2026-11-20T07:30:00Z', { baseFiles: [file] }).action).toEqual({ kind: 'skip', reason: SkipReason.HourWithinHorizon, waiting: 1 });
    expect(plan('2026-11-20T08:00:00Z', { baseFiles: [file] }).action.kind).toBe('compact');
  });

  it('merges the current generation with new base files, never files already retired, and drops a crashed attempt\'s files', () => {
    const retiredBase = base('shard-1', '2026-11-20T06:10:00Z');
    const late = base('shard-9', '2026-11-20T07:40:00Z');
    const state: CompactionState = {
      generation: 2,
      location: `/w/${layout.generationFolder(path, 2)}`,
      retired: [{ keys: [retiredBase.key, part(1, 0).key], retiredAt: new Date('2026-11-20T09:00:00Z') }],
    };
    const result = plan('2026-11-20T09:10:00Z', {
      state,
      catalogLocation: state.location,
      baseFiles: [retiredBase, late],
      compactedFiles: [part(1, 0), part(2, 1), part(2, 0), part(3, 0), ...[layout.planKey(path, 2), layout.unitKey(path, 2, 0), layout.planKey(path, 3)].map(other)],
    });
    expect(result.action).toEqual({
      kind: 'compact',
      generation: 3,
      // Generation 2's plan and units are not inputs, but are retired with them.
      inputs: [part(2, 0), part(2, 1), late],
      consumed: [late],
      retire: [part(2, 0).key, part(2, 1).key, late.key, layout.planKey(path, 2), layout.unitKey(path, 2, 0)],
      stale: [part(3, 0).key, layout.planKey(path, 3)],
      waiting: 0,
    });
    expect(result.retired).toEqual(state.retired);
  });

  it('says why it skips: nothing new, or only files within the horizon', () => {
    const retired = base('shard-1', '2026-11-20T06:10:00Z');
    const state: CompactionState = { generation: 1, location: `/w/${layout.generationFolder(path, 1)}`, retired: [{ keys: [retired.key], retiredAt: new Date('2026-11-20T09:00:00Z') }] };
    const common = { state, catalogLocation: state.location };
    expect(plan('2026-11-20T09:10:00Z', { ...common, baseFiles: [retired] }).action).toEqual({ kind: 'skip', reason: SkipReason.NothingNew, waiting: 0 });
    const late = base('shard-9', '2026-11-20T09:05:00Z');
    expect(plan('2026-11-20T09:10:00Z', { ...common, baseFiles: [retired, late] }).action).toEqual({ kind: 'skip', reason: SkipReason.FilesWithinHorizon, waiting: 1 });
  });

  it('expires retired entries once the grace period is over, keeping the others', () => {
    const first = { keys: ['a', 'b'], retiredAt: new Date('2026-11-20T09:00:00Z') };
    const second = { keys: ['c'], retiredAt: new Date('2026-11-20T09:20:00Z') };
    const state: CompactionState = { generation: 2, location: '/w/g2', retired: [first, second] };
    expect(plan('2026-11-20T09:29:59.999Z', { state, catalogLocation: '/w/g2' })).toMatchObject({ expired: [], retired: [first, second] });
    expect(plan('2026-11-20T09:30:00Z', { state, catalogLocation: '/w/g2' })).toMatchObject({ expired: ['a', 'b'], retired: [second] });
  });

  it('rolls the catalog forward to the committed location, and never touches it without a state', () => {
    const state: CompactionState = { generation: 1, location: '/w/g1', retired: [] };
    expect(plan('2026-11-20T09:30:00Z', { state, catalogLocation: '/w/base' }).rollForward).toBe('/w/g1');
    expect(plan('2026-11-20T09:30:00Z', { state, catalogLocation: '/w/g1' }).rollForward).toBeUndefined();
    expect(plan('2026-11-20T09:30:00Z', { catalogLocation: '/somewhere/else' }).rollForward).toBeUndefined();
  });
});

describe('unit split', () => {
  it('asks for ceil(input bytes / target) units, at least one', () => {
    expect([unitsFor(300, 128), unitsFor(256, 128), unitsFor(1, 128), unitsFor(0, 128)]).toEqual([3, 2, 1, 1]);
  });

  it('cuts the inputs laid end to end into runs of equal bytes, sharing a file across a boundary', () => {
    expect(splitByBytes([{ key: 'a', size: 100 }, { key: 'b', size: 100 }], 3)).toEqual([
      [{ key: 'a', size: 100, start: 0, end: 66 }],
      [{ key: 'a', size: 100, start: 66, end: 100 }, { key: 'b', size: 100, start: 0, end: 33 }],
      [{ key: 'b', size: 100, start: 33, end: 100 }],
    ]);
    // A large file alone is cut too: no unit reads more than its share.
    expect(splitByBytes([{ key: 'big', size: 1000 }], 4).map((unit) => unit.map((s) => [s.start, s.end]))).toEqual([[[0, 250]], [[250, 500]], [[500, 750]], [[750, 1000]]]);
    expect(splitByBytes([{ key: 'a', size: 10 }], 1)).toEqual([[{ key: 'a', size: 10, start: 0, end: 10 }]]);
  });

  it('gives every byte, and so every row, to exactly one unit, whatever the sizes', () => {
    const sizes = [7, 1, 300, 42, 42, 5, 1000, 3];
    const inputs = sizes.map((size, i) => ({ key: `f${i}`, size }));
    for (const units of [1, 2, 3, 5, 8, 13, 40]) {
      const split = splitByBytes(inputs, units);
      expect(split).toHaveLength(units);
      for (const [i, size] of sizes.entries()) {
        const slices = split.flat().filter((s) => s.key === `f${i}`);
        // Contiguous, in order, covering the file.
        expect(slices[0]!.start).toBe(0);
        expect(slices.at(-1)!.end).toBe(size);
        for (let k = 1; k < slices.length; k++) expect(slices[k]!.start).toBe(slices[k - 1]!.end);
        const rows = 17;
        const ranges = slices.map((slice) => sliceRows(slice, rows));
        expect(ranges[0]!.rowStart).toBe(0);
        expect(ranges.at(-1)!.rowEnd).toBe(rows);
        for (let k = 1; k < ranges.length; k++) expect(ranges[k]!.rowStart).toBe(ranges[k - 1]!.rowEnd);
      }
      const bytes = split.map((unit) => unit.reduce((total, s) => total + s.end - s.start, 0));
      expect(Math.max(...bytes) - Math.min(...bytes)).toBeLessThanOrEqual(1);
    }
  });
});

describe('compaction state', () => {
  it('round-trips through its file', () => {
    const state: CompactionState = { generation: 3, location: 's3://b/p/g-000003', retired: [{ keys: ['x', 'y'], retiredAt: new Date('2026-11-20T09:00:00.123Z') }] };
    expect(parseState(serializeState(state), 'k')).toEqual(state);
    expect(JSON.parse(new TextDecoder().decode(serializeState(state)))).toEqual({
      generation: 3,
      location: 's3://b/p/g-000003',
      retired: [{ keys: ['x', 'y'], retiredAt: '2026-11-20T09:00:00.123Z' }],
    });
    expect(parseState(undefined, 'k')).toBeUndefined();
    expect(initialState('/w/base')).toEqual({ generation: 0, location: '/w/base', retired: [] });
  });

  it('refuses a file that is not a state, naming it and saying what is at stake', () => {
    const bytes = (text: string) => new TextEncoder().encode(text);
    expect(() => parseState(bytes('{not json'), 'lab/_compacted/readings/x/_state.json')).toThrow(CompactionError);
    expect(() => parseState(bytes('{not json'), 'lab/_compacted/readings/x/_state.json')).toThrow(/lab\/_compacted\/readings\/x\/_state.json is not JSON.*lose the rows/);
    expect(() => parseState(bytes('{"generation":-1,"location":"x","retired":[]}'), 'k')).toThrow(/k is not a sluice compaction state \(generation: /);
  });
});

describe('compactionSettings', () => {
  it("defaults the horizon to the job's maximum record age plus 15 minutes", () => {
    expect(compactionSettings(readingsJob)).toEqual({ targetBytes: 128 * 1024 * 1024, horizonMs: 60_000 + 15 * MINUTE, graceMs: HOUR });
    expect(compactionSettings(readingsJob, { horizonMs: 0, graceMs: 5, targetBytes: 7 })).toEqual({ targetBytes: 7, horizonMs: 0, graceMs: 5 });
    expect(CompactionDefaults.horizonMarginMs).toBe(15 * MINUTE);
  });

  it('needs a horizon given for a job whose retries have no age limit, and refuses nonsense', () => {
    const forever = defineReadingsJob({ retry: { maxRecordAgeSeconds: -1 } });
    expect(() => compactionSettings(forever)).toThrow(/no age limit.*--horizon/);
    expect(compactionSettings(forever, { horizonMs: 7 * HOUR }).horizonMs).toBe(7 * HOUR);
    expect(() => compactionSettings(readingsJob, { targetBytes: 0 })).toThrow(CompactionError);
    expect(() => compactionSettings(readingsJob, { graceMs: -1 })).toThrow(/grace period -1 ms/);
  });
});

