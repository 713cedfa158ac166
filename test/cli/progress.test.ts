import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { startProgress } from '../../src/cli/progress.ts';
import { ProgressOutcome } from '../../src/cli/progress-outcome.ts';

/** A stream that keeps what was written, posing as a terminal or a pipe. */
class FakeStream extends Writable {
  readonly chunks: string[] = [];
  constructor(readonly isTTY: boolean, readonly columns = 120) {
    super({
      write: (chunk: Buffer | string, _encoding, callback) => {
        this.chunks.push(chunk.toString());
        callback();
      },
    });
  }
  get text(): string {
    return this.chunks.join('');
  }
  get lines(): string[] {
    return this.text.split('\n').filter((line) => line !== '');
  }
}

let stdout: MockInstance<typeof process.stdout.write>;
beforeEach(() => {
  stdout = vi.spyOn(process.stdout, 'write');
});
afterEach(() => {
  expect(stdout).not.toHaveBeenCalled();
  stdout.mockRestore();
  vi.unstubAllEnvs();
  vi.useRealTimers();
});

describe('progress as log lines (not a terminal)', () => {
  it('writes a line at the start, one per 10 % step and one at done', () => {
    const stream = new FakeStream(false);
    const progress = startProgress({ label: 'producing', total: 20, unit: 'records', stream });
    for (let i = 0; i < 20; i++) progress.advance();
    progress.done('put 20 records on iot-sensor');
    expect(stream.lines).toEqual([
      '[info] producing: 0/20 records',
      ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((step) => `[info] producing: ${step * 10}% (${step * 2}/20 records)`),
      '[info] producing: done (20/20 records) - put 20 records on iot-sensor',
    ]);
  });

  it('writes one line for an advance that crosses several steps, none within a step', () => {
    const stream = new FakeStream(false);
    const progress = startProgress({ label: 'compacting', total: 100, unit: 'files', stream });
    progress.advance(35, 'hour=03');
    progress.advance(4);
    progress.advance(1, 'hour=04');
    progress.advance(100);
    expect(stream.lines).toEqual([
      '[info] compacting: 0/100 files',
      '[info] compacting: 35% (35/100 files) - hour=03',
      '[info] compacting: 40% (40/100 files) - hour=04',
      '[info] compacting: 100% (140/100 files)',
    ]);
  });

  it('done is idempotent and advances after it are ignored', () => {
    const stream = new FakeStream(false);
    const progress = startProgress({ label: 'producing', total: 4, stream });
    progress.advance(2);
    progress.done('half');
    progress.done('again');
    progress.advance(2);
    expect(stream.lines).toEqual(['[info] producing: 0/4 items', '[info] producing: 50% (2/4 items)', '[info] producing: done (2/4 items) - half']);
  });

  it('a report that stopped or failed ends on that, as a warning, never on "done"', () => {
    for (const outcome of [ProgressOutcome.Stopped, ProgressOutcome.Failed]) {
      const stream = new FakeStream(false);
      const progress = startProgress({ label: 'sensor-readings', unit: 'records', stream });
      progress.advance(3);
      progress.done(undefined, { outcome });
      expect(stream.lines.at(-1)).toBe(`[warn] sensor-readings: ${outcome} (3 records)`);
      expect(stream.text).not.toContain('done');
    }
  });

  it('without a total, counts with a line at 1, 2, 5, 10, 20, 50, 100…, never one per item', () => {
    const stream = new FakeStream(false);
    const progress = startProgress({ label: 'processing', unit: 'records', stream });
    for (let i = 0; i < 120; i++) progress.advance();
    progress.advance(880, 'shardId-000000000001');
    progress.done();
    expect(stream.lines).toEqual([
      '[info] processing: 0 records',
      ...[1, 2, 5, 10, 20, 50, 100].map((n) => `[info] processing: ${n} records`),
      '[info] processing: 1000 records - shardId-000000000001',
      '[info] processing: done (1000 records)',
    ]);
  });

  it('a total of 0 reports start and done only', () => {
    const stream = new FakeStream(false);
    const progress = startProgress({ label: 'compacting', total: 0, unit: 'files', stream });
    progress.done('nothing to compact');
    expect(stream.lines).toEqual(['[info] compacting: 0/0 files', '[info] compacting: done (0/0 files) - nothing to compact']);
  });

  it('uses log lines on a terminal when CI is set, or when told not to be interactive', () => {
    vi.stubEnv('CI', '1');
    const inCi = new FakeStream(true);
    startProgress({ label: 'producing', total: 10, stream: inCi }).done();
    vi.stubEnv('CI', '');
    const notInteractive = new FakeStream(true);
    startProgress({ label: 'producing', total: 10, stream: notInteractive, interactive: false }).done();
    for (const stream of [inCi, notInteractive]) {
      expect(stream.text).not.toContain('\x1b');
      expect(stream.lines).toHaveLength(2);
      expect(stream.lines[1]).toContain('producing: done (0/10 items)');
    }
  });

  it('interrupt just runs the write', () => {
    const stream = new FakeStream(false);
    const progress = startProgress({ label: 'processing', stream });
    progress.interrupt(() => stream.write('a warning\n'));
    expect(stream.lines).toEqual(['[info] processing: 0 items', 'a warning']);
  });
});

describe('progress as a bar (a terminal)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.stubEnv('CI', '');
  });

  it('draws label and value/total on the stream, redraws on its timer, and done stops it', () => {
    const stream = new FakeStream(true);
    const progress = startProgress({ label: 'compacting', total: 5, unit: 'files', stream });
    expect(stream.text).toContain('compacting');
    expect(stream.text).toContain('0/5 files');
    expect(stream.text).toContain('\x1b['); // drawn with cursor control: one line, redrawn in place

    progress.advance(3, 'hour=03');
    vi.advanceTimersByTime(100);
    expect(stream.text).toMatch(/compacting \[[^\]]+\] 60% \| 3\/5 files \| .* \| hour=03/);

    progress.advance(2);
    progress.done('5 files into 1');
    expect(stream.text).toContain('100% | 5/5 files');
    expect(stream.lines.at(-1)).toContain('compacting: 5 files into 1');
    expect(vi.getTimerCount()).toBe(0);

    const written = stream.chunks.length;
    progress.advance();
    progress.done('again');
    vi.advanceTimersByTime(10_000);
    expect(stream.chunks).toHaveLength(written);
  });

  it('a bar that stopped says so after it, with the count', () => {
    const stream = new FakeStream(true);
    const progress = startProgress({ label: 'sensor-readings', unit: 'records', stream });
    progress.advance(7);
    progress.done(undefined, { outcome: ProgressOutcome.Stopped });
    expect(stream.lines.at(-1)).toContain('sensor-readings: stopped (7 records)');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('without a total shows the count, not a bar', () => {
    const stream = new FakeStream(true);
    const progress = startProgress({ label: 'processing', unit: 'records', stream });
    progress.advance(700, 'shardId-000000000000');
    progress.done();
    expect(stream.text).toMatch(/processing 700 records \| .* \| shardId-000000000000/);
    expect(stream.text).not.toMatch(/%|ETA/);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('interrupt clears the bar line, lets the write through, and redraws the bar after it', () => {
    const stream = new FakeStream(true);
    const progress = startProgress({ label: 'processing', total: 10, unit: 'records', stream });
    const before = stream.chunks.length;
    progress.interrupt(() => stream.write('a warning\n'));
    const after = stream.chunks.slice(before);
    const warning = after.indexOf('a warning\n');
    expect(after.slice(0, warning)).toContain('\x1b[2K');
    // The cursor is saved again at the bar's new line, so done's restore lands there, not above the warning.
    expect(after.slice(warning + 1).join('')).toMatch(/^\x1b7.*0\/10 records/);
    progress.done();
  });
});
