/**
 * Temp files a killed process left behind (a warehouse object, a checkpoint or a catalog
 * file written but never renamed into place) are removed when the local environment next
 * opens: only files named as sluice names its temp files, only of processes that are gone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLocalEnvironment } from '../../src/runtime/local-environment.ts';
import { siblingTempPath, siblingTemps, warehouseTempName, warehouseTemps } from '../../src/store/temp-files.ts';

const ROOT = resolve(import.meta.dirname, '../..');

/** A process that ran and is gone: its pid names no process now. */
function deadPid(): Promise<number> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['-e', '']);
    child.on('error', fail);
    child.on('exit', () => done(child.pid!));
  });
}

/** Every file under `root`, relative. */
async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(root, join(e.parentPath, e.name))).sort();
}

describe('temp files left by a killed process', () => {
  let dir: string;
  let live: ChildProcess;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-temp-files-'));
    live = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60_000)']);
    await new Promise((done) => live.once('spawn', done));
  });
  afterAll(async () => {
    live.kill();
    await rm(dir, { recursive: true, force: true });
  });

  it('names every adapter writes are recognised, with the writer\'s pid', () => {
    expect(warehouseTemps(warehouseTempName())).toBe(process.pid);
    expect(siblingTemps(siblingTempPath('/x/checkpoints/job/stream.json', 7).split('/').at(-1)!)).toBe(process.pid);
    expect(warehouseTemps('.sluice-tmp-9f86d081884c')).toBeNull();
    for (const name of ['.sluice-tmp-notes', 'a.parquet', '.sluice-tmp-12-xyz', 'stream.json.tmp']) expect(warehouseTemps(name)).toBeUndefined();
    for (const name of ['stream.json.tmp', 'stream.json.12.tmp', 'notes.12.3.tmp', 'stream.json.12.3.tmp.bak']) expect(siblingTemps(name)).toBeUndefined();
  });

  it('the next start removes those of processes that are gone, and nothing else', async () => {
    const gone = await deadPid();
    const partition = join(dir, 'warehouse', 'iot', 'sensor_readings', 'year=2026', 'month=11', 'day=23', 'hour=08');
    const checkpoints = join(dir, 'checkpoints', 'sensor-readings');
    const catalog = join(dir, 'catalog', 'iot');
    for (const folder of [partition, checkpoints, catalog]) await mkdir(folder, { recursive: true });
    const files = {
      // A process killed between its write and its rename, as the adapters name their temp files.
      removed: [
        join(partition, `.sluice-tmp-${gone}-0123456789ab`),
        join(checkpoints, `iot-sensor.json.${gone}.3.tmp`),
        join(catalog, `sensor_readings.json.${gone}.1.tmp`),
        // Written by a sluice before names carried the pid: removed once an hour old.
        join(partition, '.sluice-tmp-ba9876543210'),
      ],
      kept: [
        // Writes in flight: another live process's, and this process's own.
        join(partition, `.sluice-tmp-${live.pid}-0123456789ab`),
        join(partition, `.sluice-tmp-${process.pid}-0123456789ab`),
        join(checkpoints, `iot-sensor.json.${live.pid}.4.tmp`),
        join(partition, '.sluice-tmp-aaaaaaaaaaaa'),
        // Anything not named as sluice's temp files.
        join(partition, 'shardId-000000000000-1.parquet'),
        join(partition, '.sluice-tmp-notes'),
        join(partition, `notes.json.${gone}.1.tmp`),
        join(checkpoints, 'iot-sensor.json'),
        join(checkpoints, 'iot-sensor.json.tmp'),
        join(checkpoints, `iot-sensor.json.${gone}.3.tmp.bak`),
        join(dir, `user-notes.json.${gone}.1.tmp`),
      ],
    };
    for (const file of [...files.removed, ...files.kept]) await writeFile(file, 'x');
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    await utimes(join(partition, '.sluice-tmp-ba9876543210'), twoHoursAgo, twoHoursAgo);

    // An endpoint of its own: no embedded Kinesis server is needed to open the folders.
    const env = await openLocalEnvironment({ dir, endpoint: 'http://127.0.0.1:9' });
    await env.close();

    const left = await filesUnder(dir);
    for (const file of files.removed) expect(left).not.toContain(relative(dir, file));
    for (const file of files.kept) expect(left).toContain(relative(dir, file));
  });

  it('a real killed write: a child writes a warehouse temp file, is killed before its rename, and the next start removes it', async () => {
    const folder = join(dir, 'warehouse', 'iot', 'killed');
    await mkdir(folder, { recursive: true });
    const script = `const { warehouseTempName } = await import(${JSON.stringify(join(ROOT, 'src', 'store', 'temp-files.ts'))});
const { writeFileSync } = await import('node:fs');
writeFileSync(${JSON.stringify(folder)} + '/' + warehouseTempName(), 'half a parquet file');
process.kill(process.pid, 'SIGKILL');`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT });
    const signal = await new Promise((done) => child.on('exit', (_code, s) => done(s)));
    expect(signal).toBe('SIGKILL');
    expect(await readdir(folder)).toEqual([expect.stringMatching(new RegExp(`^\\.sluice-tmp-${child.pid}-[0-9a-f]{12}$`))]);
    const env = await openLocalEnvironment({ dir, endpoint: 'http://127.0.0.1:9' });
    await env.close();
    expect(await readdir(folder)).toEqual([]);
  });
});
