/**
 * What `sluice run` tells a user about a job that runs but cannot be right: every record of
 * a batch rejected at one stage (warned with the stage and the top reason, once and then at
 * a growing interval, and `--until-caught-up` exits 1 when nothing was written), a job that
 * does not type-check (the compiler runs beside the run), and partition keys with so many
 * values per batch that each batch writes hundreds of files.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readingsJob, tempProject, type TempProject } from './temp-project.ts';

const warnings = (stderr: string, pattern: RegExp) => stderr.split('\n').filter((line) => pattern.test(line));

describe('sluice run warnings', () => {
  let project: TempProject;
  beforeAll(async () => {
    project = await tempProject('sluice-run-warnings-');
    // A misspelled field: tsx runs the step anyway, and every row lacks temperature_c.
    await project.writeJob(
      'typo',
      readingsJob({ name: 'typo', stream: 'typo-stream', database: 'typo', table: 'readings', map: '({ device: m.device, event_time: parseDeviceTime(m.at), temperature_c: m.temprature })' }),
    );
    await project.writeJob('many-keys', readingsJob({ name: 'many-keys', stream: 'many-stream', database: 'many', table: 'readings', extra: ", partitionKeys: ['device']" }));
  });
  afterAll(() => project.remove());

  it('a typo\'d field: warned with the stage and reason at a growing interval, the type error named, and exit 1 for no rows', async () => {
    const lines = Array.from({ length: 100 }, (_, i) => JSON.stringify({ device: `d-${i % 5}`, at: '2026-11-23 08:00:00', temperature: 20 + i }));
    await writeFile(join(project.root, 'typo.ndjson'), lines.join('\n'));
    expect((await project.sluice(['produce', '--stream', 'typo-stream', '--create', '--shards', '1', '--file', join(project.root, 'typo.ndjson')])).code).toBe(0);

    const run = await project.sluice(['run', 'typo', '--until-caught-up', '--batch-size', '10', '--json']);
    expect(run.code).toBe(1);
    const summary = JSON.parse(run.stdout) as { batches: number; rows: number; rejects: number };
    expect(summary).toMatchObject({ batches: 10, rows: 0, rejects: 100 });

    // Ten batches, each rejected whole for the same reason: lines at the 1st, 2nd, 4th and 8th, not ten.
    const rejected = warnings(run.stderr, /no rows from a batch of 10 records/);
    expect(rejected).toHaveLength(4);
    for (const line of rejected) {
      expect(line).toContain("10 rejected at stage 'row', most for: output #");
      expect(line).toContain('temperature_c: Invalid input: expected number, received undefined');
      expect(line).toContain('a misspelled or missing field is the usual cause (npx sluice check typo)');
    }
    expect(rejected.slice(1).map((l) => /\((\d+) such batches in this run\)/.exec(l)?.[1])).toEqual(['2', '4', '8']);

    expect(warnings(run.stderr, /does not type-check/)).toEqual([
      expect.stringMatching(/job 'typo' does not type-check \(1 type error, the first: jobs\/typo\.ts\(\d+,\d+\): error TS2551: Property 'temprature' does not exist on type .*Did you mean 'temperature'\?\)/),
    ]);
    expect(run.stderr).toMatch(/sluice: job 'typo' wrote no rows: 100 of the 100 records it read were rejected, most at stage 'row': .*temperature_c: Invalid input: expected number, received undefined\. Fix the job \(npx sluice check typo\); the rejects keep each record's bytes, with its reason, under .*_rejects\/readings/);
  }, 120_000);

  it('a partition key with hundreds of values per batch: warned with the numbers, not once per batch', async () => {
    const lines = Array.from({ length: 300 }, (_, i) => JSON.stringify({ device: `device-${i % 150}`, at: '2026-11-23 08:00:00', temperature: 20 }));
    await writeFile(join(project.root, 'many.ndjson'), lines.join('\n'));
    expect((await project.sluice(['produce', '--stream', 'many-stream', '--create', '--shards', '1', '--file', join(project.root, 'many.ndjson')])).code).toBe(0);

    const run = await project.sluice(['run', 'many-keys', '--until-caught-up', '--batch-size', '1000', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as { batches: number; rows: number; files: number };
    expect(summary.rows).toBe(300);
    const many = warnings(run.stderr, /Parquet files, over 100 per batch/);
    expect(many.length).toBeGreaterThanOrEqual(1);
    expect(many.length).toBeLessThanOrEqual(summary.batches);
    expect(many[0]).toMatch(/many-keys: a batch of \d+ records on shardId-000000000000 wrote 150 Parquet files, over 100 per batch/);
    expect(many[0]).toContain('one file per partition (year, month, day, hour, device)');
    expect(many[0]).toContain('Each file is an S3 PUT, a small file Athena opens, and a Glue partition to register');
    expect(run.stderr).not.toContain('does not type-check');
  }, 120_000);
});
