/**
 * Job modules as a user's project has them, good and bad: `sluice check` runs the TypeScript
 * compiler over them (the project's tsconfig.json, or strict defaults) and loads them;
 * `sluice jobs` lists every job even when some do not load; two jobs that declare one table
 * are refused by every command that loads jobs, naming both.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readingsJob, SLUICE_API, tempProject, type TempProject } from './temp-project.ts';

const TYPO_MAP = '({ device: m.device, event_time: parseDeviceTime(m.at), temperature_c: m.temprature })';
/** Loads as a module, fails as a job: the name breaks defineJob's rule. */
const BROKEN = `import { z } from 'zod';
import { arrivalHour, defineJob, kinesisStream, table } from '${SLUICE_API}';
const Row = z.object({ device: z.string() });
export default defineJob({ name: 'broken', source: kinesisStream({ stream: 's', records: Row }), steps: (s) => s, output: table({ database: 'd', name: 'Bad-Name', rows: Row, partitionBy: arrivalHour() }) });
`;

describe('sluice check and sluice jobs', () => {
  let project: TempProject;
  beforeAll(async () => {
    project = await tempProject('sluice-check-');
    await project.writeJob('good', readingsJob({ name: 'good', stream: 'good-stream', database: 'checks', table: 'good' }));
    await project.writeJob('typo', readingsJob({ name: 'typo', stream: 'typo-stream', database: 'checks', table: 'typo', map: TYPO_MAP }));
    await project.writeJob('broken', BROKEN);
  });
  afterAll(() => project.remove());

  it('check <job>: a clean job passes; a typo is the compiler\'s message and exit 1', async () => {
    const [good, typo] = await Promise.all([project.sluice(['check', 'good']), project.sluice(['check', 'typo'])]);
    expect(good.code, good.stderr + good.stdout).toBe(0);
    expect(good.stderr).toMatch(/checked 1 job \(compiler settings: sluice's defaults, no tsconfig\.json above .*\): it type-checks and loads: good/);
    expect(typo.code).toBe(1);
    expect(typo.stdout).toMatch(/^jobs\/typo\.ts\(\d+,\d+\): error TS2551: Property 'temprature' does not exist on type '.*'\. Did you mean 'temperature'\?/m);
    expect(typo.stderr).toMatch(/sluice: checked 1 job \(compiler settings: sluice's defaults, no tsconfig\.json above .*\): 1 type error; fix what is shown above/);
  }, 120_000);

  it('check (every job) --json: type errors and jobs that do not load, each named', async () => {
    const all = await project.sluice(['check', '--json']);
    expect(all.code).toBe(1);
    const report = JSON.parse(all.stdout) as { ok: boolean; config: string | null; jobs: Array<{ job: string; loads: boolean; error?: string }>; errors: Array<{ file: string; code: number }> };
    expect(report.ok).toBe(false);
    expect(all.stderr).toMatch(/checked 3 jobs .*: 1 type error, 1 does not load; fix what is shown above/);
    expect(report.config).toBeNull();
    expect(report.jobs).toEqual([
      { job: 'broken', loads: false, error: expect.stringContaining("job 'broken': output.name") },
      { job: 'good', loads: true },
      { job: 'typo', loads: true },
    ]);
    // Only the user's files: nothing from sluice's own sources or packages.
    expect(report.errors.map((e) => [e.file, e.code])).toEqual([[join(project.jobsDir, 'typo.ts'), 2551]]);
  }, 120_000);

  it('jobs: lists every job, marks the one that does not load, exits 1', async () => {
    const listed = await project.sluice(['jobs']);
    expect(listed.code).toBe(1);
    expect(listed.stdout.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(/^broken\tNOT LOADED: job 'broken': output\.name/),
      'good\tgood-stream -> checks.good',
      'typo\ttypo-stream -> checks.typo',
    ]);
    expect(listed.stderr).toContain('sluice: 1 of 3 jobs cannot run: broken');
  }, 120_000);

  it("check uses the project's tsconfig.json when there is one", async () => {
    const strict = await tempProject('sluice-check-tsconfig-');
    try {
      await writeFile(
        join(strict.root, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: { target: 'ES2023', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, allowImportingTsExtensions: true, noUnusedLocals: true },
          include: ['src'],
        }),
      );
      // An unused local is an error only under this project's settings.
      await strict.writeJob('unused', readingsJob({ name: 'unused', stream: 's', database: 'd', table: 't' }).replace("const Row =", 'const unusedHelper = 1;\nconst Row ='));
      const checked = await strict.sluice(['check', 'unused', '--json']);
      expect(checked.code).toBe(1);
      const report = JSON.parse(checked.stdout) as { config: string; errors: Array<{ code: number; message: string }> };
      expect(report.config).toBe(join(strict.root, 'tsconfig.json'));
      expect(report.errors).toEqual([expect.objectContaining({ code: 6133, message: "'unusedHelper' is declared but its value is never read." })]);
    } finally {
      await strict.remove();
    }
  }, 120_000);
});

describe('two jobs declaring one table', () => {
  let project: TempProject;
  beforeAll(async () => {
    project = await tempProject('sluice-conflict-');
    await project.writeJob('dup-a', readingsJob({ name: 'dup-a', stream: 'a-stream', database: 'shared', table: 'readings' }));
    await project.writeJob('dup-b', readingsJob({ name: 'dup-b', stream: 'b-stream', database: 'shared', table: 'readings' }));
    await project.writeJob('other', readingsJob({ name: 'other', stream: 'o-stream', database: 'shared', table: 'other' }));
  });
  afterAll(() => project.remove());

  const BOTH = /jobs 'dup-a' and 'dup-b' both declare table shared\.readings; each would overwrite the other's files and partitions: give one of them its own output name, database or prefix/;

  it('every command that loads the jobs refuses, naming both; a job of its own table still runs', async () => {
    const [jobs, query, status, run, ddl, other] = await Promise.all([
      project.sluice(['jobs']),
      project.sluice(['query', 'SELECT 1 AS one']),
      project.sluice(['status', '--json']),
      project.sluice(['run', 'dup-b', '--until-caught-up']),
      project.sluice(['ddl', 'dup-a', '--bucket', 'b']),
      project.sluice(['ddl', 'other', '--bucket', 'b']),
    ]);
    expect(jobs.code).toBe(1);
    expect(jobs.stdout).toMatch(new RegExp(`^dup-a\\ta-stream -> shared\\.readings\\tCONFLICT: ${BOTH.source}`, 'm'));
    expect(jobs.stdout).toMatch(new RegExp(`^dup-b\\tb-stream -> shared\\.readings\\tCONFLICT: ${BOTH.source}`, 'm'));
    expect(jobs.stdout).toMatch(/^other\to-stream -> shared\.other$/m);
    for (const refused of [query, status, run, ddl]) {
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(BOTH);
      expect(refused.stderr).toContain(project.jobsDir);
    }
    expect(other.code, other.stderr).toBe(0);
    expect(other.stdout).toContain('CREATE EXTERNAL TABLE');
  }, 120_000);
});
