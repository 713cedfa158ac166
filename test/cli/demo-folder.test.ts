/**
 * `sluice demo` keeps out of the project's own state: it runs in `.sluice/demo`, which it
 * clears before each run, so a user's streams, tables and checkpoints in `.sluice` survive it;
 * a folder named with `--dir` that holds anything the demo did not make is refused, naming
 * what is there. From a clean clone it prints its query results, and the README's follow-up
 * queries read its tables.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLocalEnvironment } from '../../src/runtime/local-environment.ts';
import { streamNames } from '../../src/kinesis/stream-admin.ts';
import { readingsJob, SAMPLE_JOBS, tempProject, type TempProject } from './temp-project.ts';

const DEMO_QUERY_HEAD = "SELECT device_id,\n       date_trunc('hour', event_time) AS hour,";

describe('sluice demo and the project state folder', () => {
  let user: TempProject;
  let clean: TempProject;
  beforeAll(async () => {
    [user, clean] = await Promise.all([tempProject('sluice-demo-user-'), tempProject('sluice-demo-clean-')]);
  });
  afterAll(async () => {
    await Promise.all([user.remove(), clean.remove()]);
  });

  it('from a clean clone: prints the query results, and the tables are there for the README\'s queries', async () => {
    const demo = await clean.sluice(['demo', '--records', '400'], { jobsDir: SAMPLE_JOBS });
    expect(demo.code, demo.stderr).toBe(0);
    expect(demo.stdout).toContain(DEMO_QUERY_HEAD);
    expect(demo.stdout).toMatch(/│ rpi-sensehat-001 │/);
    expect(demo.stderr).toContain('try: npx sluice --dir .sluice/demo query');
    const byDevice = await clean.sluice(['--dir', '.sluice/demo', 'query', '--json', 'SELECT count(*) AS n FROM iot.sensor_readings'], { jobsDir: SAMPLE_JOBS });
    const hourly = await clean.sluice(['--dir', '.sluice/demo', 'query', '--json', 'SELECT sum(readings) AS n FROM iot.sensor_hourly'], { jobsDir: SAMPLE_JOBS });
    expect(byDevice.code, byDevice.stderr).toBe(0);
    expect(hourly.code, hourly.stderr).toBe(0);
    const { n } = (JSON.parse(byDevice.stdout) as Array<{ n: number }>)[0]!;
    expect(n).toBeGreaterThan(390);
    expect(JSON.parse(hourly.stdout)).toEqual([{ n }]);

    // Again: the demo clears its own folder, so the counts are this run's, not twice as many.
    const again = await clean.sluice(['demo', '--records', '300', '--json'], { jobsDir: SAMPLE_JOBS });
    expect(again.code, again.stderr).toBe(0);
    const result = JSON.parse(again.stdout) as { records: number; rows: number; rejects: number; warehouse: string };
    expect(result.records).toBe(300);
    expect(result.rows + result.rejects).toBe(300);
    expect(result.warehouse).toBe(join(clean.root, '.sluice', 'demo', 'warehouse'));
  }, 180_000);

  it("never clears a user's streams, tables and checkpoints", async () => {
    await user.writeJob('my-readings', readingsJob({ name: 'my-readings', stream: 'my-stream', database: 'mine', table: 'readings' }));
    const lines = Array.from({ length: 20 }, (_, i) => JSON.stringify({ device: `d-${i % 3}`, at: `2026-11-23 0${i % 4}:00:00`, temperature: 20 + i }));
    await writeFile(join(user.root, 'mine.ndjson'), lines.join('\n'));
    expect((await user.sluice(['produce', '--stream', 'my-stream', '--create', '--file', join(user.root, 'mine.ndjson')])).code).toBe(0);
    const ran = await user.sluice(['run', 'my-readings', '--until-caught-up', '--json']);
    expect(ran.code, ran.stderr).toBe(0);
    expect(JSON.parse(ran.stdout)).toMatchObject({ rows: 20 });

    const demo = await user.sluice(['demo', '--records', '300']);
    expect(demo.code, demo.stderr).toBe(0);
    expect(demo.stdout).toContain(DEMO_QUERY_HEAD);

    // The user's table, checkpoints and stream are as they were.
    const mine = await user.sluice(['query', '--json', 'SELECT count(*) AS n FROM mine.readings']);
    expect(JSON.parse(mine.stdout)).toEqual([{ n: 20 }]);
    const resumed = await user.sluice(['run', 'my-readings', '--until-caught-up', '--json']);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ records: 0 });
    const env = await openLocalEnvironment({ dir: user.stateDir });
    try {
      expect(await streamNames(env.kinesis)).toEqual(['my-stream']);
    } finally {
      await env.close();
    }

    // Told to run in the user's own folder, the demo refuses and names what it found.
    const refused = await user.sluice(['--dir', '.sluice', 'demo', '--records', '300']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/refusing to clear \.sluice for the demo: the demo did not make it, and it holds tables mine\.readings, mine\.readings_rejects; checkpoints of jobs my-readings; an embedded Kinesis store/);
    const still = await user.sluice(['query', '--json', 'SELECT count(*) AS n FROM mine.readings']);
    expect(JSON.parse(still.stdout)).toEqual([{ n: 20 }]);
  }, 180_000);
});
