import { describe, expect, it } from 'vitest';
import { createConsola } from 'consola';
import { runEventLog } from '../../src/cli/run-events.ts';
import type { RunEvent } from '../../src/runtime/local-runner.ts';

/** A logger that keeps its lines. */
function keptLog() {
  const lines: string[] = [];
  const log = createConsola({ level: 3, reporters: [{ log: (entry) => lines.push(`[${entry.type}] ${entry.args.join(' ')}`) }] });
  return { log, lines };
}

const failure = (attempts: number, error: string): RunEvent => ({
  type: 'handler-error',
  shardId: 'shardId-000000000000',
  first: '100',
  last: '199',
  error: new Error(error),
  failing: { job: 'j', shardId: 'shardId-000000000000', first: '100', last: '199', attempts, since: 0, at: attempts, error },
});

describe('run event log', () => {
  it('reports a batch that keeps failing once per distinct error, then at a growing interval', () => {
    const { log, lines } = keptLog();
    const describeEvent = runEventLog(log);
    for (let attempt = 1; attempt <= 1000; attempt++) describeEvent(failure(attempt, 'ENOTDIR: not a directory'));
    // Attempts 1, 2, 4, 8, ... 512: 10 lines for 1000 failures, each with the range and the error.
    expect(lines).toHaveLength(10);
    expect(lines[0]).toBe('[warn] shardId-000000000000 100..199: batch failed, retrying from 100: ENOTDIR: not a directory');
    expect(lines.at(-1)).toContain('failing for 512 attempts since 1970-01-01T00:00:00.000Z');

    describeEvent(failure(1001, 'AccessDenied'));
    expect(lines).toHaveLength(11);
    expect(lines.at(-1)).toContain('AccessDenied');
    describeEvent(failure(1002, 'AccessDenied'));
    expect(lines).toHaveLength(11);
  });
});
