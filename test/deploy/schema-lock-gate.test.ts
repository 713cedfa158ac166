/**
 * Packaging refuses an incompatible schema change, offline: serverlessStack (what
 * serverless.yml evaluates) checks the job's table against schemas/lock/ before building.
 */
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serverlessStack } from '../../deploy/serverless-stack.ts';

const ROOT = resolve(import.meta.dirname, '../..');
let project: string;

beforeEach(async () => {
  project = await mkdtemp(join(tmpdir(), 'sluice-lock-gate-'));
  // The project as packaging sees it: code linked, the lock copied so the test can change it.
  for (const linked of ['jobs', 'src', 'node_modules']) await symlink(join(ROOT, linked), join(project, linked));
  await cp(join(ROOT, 'schemas'), join(project, 'schemas'), { recursive: true });
});
afterEach(() => rm(project, { recursive: true, force: true }));

describe('schema lock at package time', () => {
  it('builds the stack when the job matches its lock', async () => {
    const stack = await serverlessStack({ params: ['job=sensor-readings'], region: 'us-east-1', stage: 'dev', projectDir: project, runId: 'gate' });
    expect(stack.service).toBe('sluice-sensor-readings');
  });

  it('refuses a type change of a deployed column, naming it and saying why', async () => {
    const file = join(project, 'schemas', 'lock', 'iot.sensor_readings.json');
    const lock = JSON.parse(await readFile(file, 'utf8')) as { columns: Array<{ name: string; type: unknown }> };
    // The deployed table had reading_seq as a string: the job now says bigint.
    lock.columns.find((c) => c.name === 'reading_seq')!.type = { kind: 'string', dictionary: false };
    await writeFile(file, JSON.stringify(lock));
    await expect(serverlessStack({ params: ['job=sensor-readings'], region: 'us-east-1', stage: 'dev', projectDir: project, runId: 'gate' })).rejects.toThrow(/reading_seq/);
  });

  it('records a new table in the lock', async () => {
    await rm(join(project, 'schemas', 'lock', 'iot.device_activity.json'));
    await serverlessStack({ params: ['job=device-activity'], region: 'us-east-1', stage: 'dev', projectDir: project, runId: 'gate' });
    const lock = JSON.parse(await readFile(join(project, 'schemas', 'lock', 'iot.device_activity.json'), 'utf8')) as { columns: Array<{ name: string }> };
    expect(lock.columns.map((c) => c.name)).toEqual(['event_id', 'device_id', 'event_time', 'device_temp', 'track_id']);
  });
});
