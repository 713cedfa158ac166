import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { initProject } from '../../src/cli/commands/init.ts';
import { projectName } from '../../src/cli/init/project-template.ts';
import { ErrorCode, ScaffoldConflictError } from '../../src/errors.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const FILES = ['.gitignore', 'README.md', 'jobs/readings.ts', 'package.json', 'schemas/sense-hat.ts', 'serverless.yml', 'test/readings.test.ts', 'tsconfig.json'];

let scratch: string;
beforeEach(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'sluice-init-'));
});
afterEach(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const listed = async (dir: string): Promise<string[]> =>
  (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();

describe('sluice init', () => {
  it('writes a project into a new folder: the sample job, its schema and test, serverless.yml, package.json, tsconfig, .gitignore, README', async () => {
    const dir = join(scratch, 'Acme Pipelines');
    expect(await initProject({ dir })).toEqual(FILES);
    expect(await listed(dir)).toEqual(FILES);
    const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as Record<string, any>;
    const own = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as Record<string, any>;
    expect(manifest['name']).toBe('acme-pipelines');
    expect(manifest['type']).toBe('module');
    expect(manifest['dependencies']).toEqual({ sluice: `^${own['version']}`, zod: own['peerDependencies']['zod'] });
    // The tools the project's scripts and serverless.yml run, at the versions sluice runs them with here.
    for (const tool of ['vitest', 'typescript', 'osls', 'serverless-esbuild', 'esbuild']) {
      expect(manifest['devDependencies'][tool]).toBe(own['devDependencies'][tool] ?? own['dependencies'][tool]);
    }
    expect(manifest['scripts']['test']).toBe('tsc --noEmit && vitest run');
    expect(manifest['scripts']['demo']).toMatch(/^sluice produce --job readings --simulate sense-hat --create .* && sluice run readings --until-caught-up && sluice query /);
    expect(await readFile(join(dir, 'README.md'), 'utf8')).toMatch(/^# acme-pipelines\n[\s\S]*## Quick start\n\n```sh\nnpm install && npm run demo\nnpm test\n```/);
    expect(await readFile(join(dir, '.gitignore'), 'utf8')).toContain('.sluice/');
  });

  it("makes a job that imports from 'sluice' and nothing of sluice's files, and a test that imports sluice/testing", async () => {
    await initProject({ dir: scratch });
    const job = await readFile(join(scratch, 'jobs/readings.ts'), 'utf8');
    const imports = [...job.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    expect(imports).toEqual(['sluice', '../schemas/sense-hat.ts']);
    expect(await readFile(join(scratch, 'test/readings.test.ts'), 'utf8')).toMatch(/from 'sluice\/testing'/);
  });

  it("deploys with this repository's serverless.yml, reading the stack from node_modules/sluice", async () => {
    await initProject({ dir: scratch });
    const statements = (text: string) => text.split('\n').filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));
    const scaffolded = statements(await readFile(join(scratch, 'serverless.yml'), 'utf8'));
    const own = statements(await readFile(join(ROOT, 'serverless.yml'), 'utf8')).map((line) => line.replaceAll('./deploy/', './node_modules/sluice/deploy/'));
    expect(scaffolded).toEqual(own);
    expect(scaffolded).toContain('  runtime: nodejs24.x');
  });

  it('takes the dependency spec of sluice it is given', async () => {
    await initProject({ dir: scratch, sluiceSpec: 'file:../sluice-0.1.0.tgz' });
    const manifest = JSON.parse(await readFile(join(scratch, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(manifest.dependencies['sluice']).toBe('file:../sluice-0.1.0.tgz');
  });

  it('writes into an existing folder that holds none of its files, leaving the others alone', async () => {
    await mkdir(join(scratch, 'jobs'));
    await writeFile(join(scratch, 'jobs/mine.ts'), 'export {};\n');
    await writeFile(join(scratch, 'notes.txt'), 'mine\n');
    await initProject({ dir: scratch });
    expect(await listed(scratch)).toEqual([...FILES, 'jobs/mine.ts', 'notes.txt'].sort());
    expect(await readFile(join(scratch, 'notes.txt'), 'utf8')).toBe('mine\n');
  });

  it('refuses to overwrite: names every file in the way and writes nothing', async () => {
    await mkdir(join(scratch, 'jobs'));
    await writeFile(join(scratch, 'package.json'), '{"name":"mine"}\n');
    await writeFile(join(scratch, 'jobs/readings.ts'), '// mine\n');
    const refused = await initProject({ dir: scratch }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ScaffoldConflictError);
    expect((refused as ScaffoldConflictError).code).toBe(ErrorCode.ScaffoldConflict);
    expect((refused as ScaffoldConflictError).files).toEqual(['jobs/readings.ts', 'package.json']);
    expect((refused as Error).message).toBe(
      `refusing to overwrite 2 files in ${scratch}: jobs/readings.ts, package.json; nothing was written: run sluice init in a new or empty folder, or move these files away first`,
    );
    expect(await listed(scratch)).toEqual(['jobs/readings.ts', 'package.json']);
    expect(await readFile(join(scratch, 'package.json'), 'utf8')).toBe('{"name":"mine"}\n');
  });
});

describe('projectName', () => {
  it('makes an npm package name of a folder name', () => {
    expect(projectName('Acme Pipelines')).toBe('acme-pipelines');
    expect(projectName('.hidden_thing')).toBe('hidden_thing');
    expect(projectName('données')).toBe('donn-es');
    expect(projectName('***')).toBe('sluice-jobs');
  });
});
