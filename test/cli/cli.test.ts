/**
 * The `sluice` command line as a user runs it: separate processes sharing one state folder,
 * a run killed with SIGKILL mid-stream and resumed, files produced with and without base64.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin', 'sluice.js');

let work: string;
let dir: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'sluice-cli-'));
  dir = join(work, 'state');
});
afterAll(() => rm(work, { recursive: true, force: true }));

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `sluice ...args`; `killWhen` sends SIGKILL once stderr matches it. */
function sluice(args: string[], options: { killWhen?: RegExp } = {}): Promise<Finished> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, '--dir', dir, '--jobs', join(ROOT, 'jobs'), ...args], { cwd: work, env: { ...process.env, CI: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
      if (options.killWhen?.test(stderr)) child.kill('SIGKILL');
    });
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code, signal, stdout, stderr }));
  });
}

const json = <T>(f: Finished): T => {
  expect(f.code, f.stderr).toBe(0);
  return JSON.parse(f.stdout) as T;
};

describe('sluice CLI', () => {
  it('produce (simulated fleet) -> run killed mid-stream -> run resumes -> query: every valid record once', async () => {
    const produced = await sluice(['produce', '--job', 'device-activity', '--simulate', 'activity', '--devices', '4', '--records', '3000', '--hours', '3', '--start', '2026-11-20T00:00:00Z', '--malformed', '0.01', '--create', '--shards', '3']);
    expect(produced.code, produced.stderr).toBe(0);
    expect(produced.stderr).toContain('put 3000 records on iot-activity (3 shards)');

    // A run that follows the stream, killed without warning after a few batches.
    const killed = await sluice(['run', 'device-activity', '--batch-size', '100', '--batch-window', '0'], { killWhen: /(shardId-\d+: \d+ records[^\n]*\n[^]*){4}/ });
    expect(killed.signal).toBe('SIGKILL');

    const resumed = json<{ records: number; rows: number; rejects: number }>(await sluice(['run', 'device-activity', '--until-caught-up', '--json']));
    expect(resumed.records).toBeGreaterThan(0);
    expect(resumed.records).toBeLessThan(3000);

    const [counts] = json<Array<{ n: number; d: number; types: number }>>(
      await sluice(['query', '--json', 'SELECT count(*) AS n, count(DISTINCT event_id) AS d, count(DISTINCT activity_type) AS types FROM iot.device_activity']),
    );
    expect(counts).toEqual({ n: 2970, d: 2970, types: 5 });

    const [rejects] = json<Array<{ n: number }>>(
      await sluice(['query', '--json', `SELECT count(*) AS n FROM read_json_auto('${join(dir, 'warehouse', 'iot', '_rejects', 'device_activity')}/**/*.ndjson')`]),
    );
    expect(rejects!.n).toBe(30);
  });

  it('produce --file and --base64 -> run -> query; bad lines become rejects', async () => {
    const good = (n: number) => JSON.stringify({ client_id: 'file-dev', timestamp: `2026-11-21 0${n}:00:00`, humidity: null, temperature: 20 + n, pressure: 1000, pitch: 0, roll: 0, yaw: 0, count: n });
    await writeFile(join(work, 'lines.ndjson'), [good(1), '', good(2), '{"broken": ', 'plain text'].join('\n'));
    await writeFile(join(work, 'lines.b64'), [Buffer.from(good(3)).toString('base64'), Buffer.from([0xff, 0x00, 0xfe]).toString('base64')].join('\n'));
    const lines = await sluice(['produce', '--stream', 'iot-sensor', '--create', '--file', join(work, 'lines.ndjson')]);
    expect(lines.stderr).toContain('put 4 records');
    expect(lines.stderr).toMatch(/skipped 1 line of .*lines\.ndjson:\s+line 2: blank line/);
    expect((await sluice(['produce', '--stream', 'iot-sensor', '--file', join(work, 'lines.b64'), '--base64'])).stderr).toContain('put 2 records');
    const run = json<{ records: number; rows: number; rejects: number }>(await sluice(['run', 'sensor-readings', '--until-caught-up', '--json']));
    expect(run).toMatchObject({ records: 6, rows: 3, rejects: 3 });
    const rows = json<Array<{ reading_seq: number; hour: string; humidity: null }>>(
      await sluice(['query', '--json', "SELECT reading_seq, hour, humidity FROM iot.sensor_readings WHERE device_id = 'file-dev' ORDER BY 1"]),
    );
    expect(rows).toEqual([
      { reading_seq: 1, hour: '01', humidity: null },
      { reading_seq: 2, hour: '02', humidity: null },
      { reading_seq: 3, hour: '03', humidity: null },
    ]);
  });

  it('says what went wrong and exits non-zero', async () => {
    const missing = await sluice(['run', 'no-such-job']);
    expect(missing.code).toBe(1);
    // The samples are among the jobs listed, whatever jobs a user has added beside them.
    expect(missing.stderr).toMatch(/no job 'no-such-job' in .*available: /);
    const available = /available: ([^)]*)\)/.exec(missing.stderr)![1]!.split(', ');
    expect(available).toEqual(expect.arrayContaining(['device-activity', 'sensor-hourly', 'sensor-readings']));
    const badSql = await sluice(['query', 'SELECT * FROM iot.nope']);
    expect(badSql.code).toBe(1);
    expect(badSql.stderr).toContain('Available tables:');
    const usage = await sluice(['produce', '--stream', 's']);
    expect(usage.code).toBe(1);
    expect(usage.stderr).toContain('--file <path> or --simulate <fleet>');
  });
});
