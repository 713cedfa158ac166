import { basename, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { projectFiles, projectName, SAMPLE_JOB, sluiceManifest } from '../init/project-template.ts';
import { writeNewFiles } from '../init/write-new-files.ts';
import { createCliLogger } from '../logger.ts';

/**
 * Options of {@link initProject}.
 *
 * @example
 * ```ts
 * const options: InitOptions = { dir: 'acme-pipelines', sluiceSpec: 'file:../sluice-0.1.0.tgz' };
 * ```
 */
export interface InitOptions {
  /** The project folder; created if missing, may exist if none of the scaffold's files does. */
  readonly dir: string;
  /** sluice's entry in the project's dependencies; `^<this sluice's version>` by default. */
  readonly sluiceSpec?: string;
}

/**
 * Scaffolds a project of sluice jobs in `dir` and returns the files written (relative paths).
 *
 * @example
 * ```ts
 * const written = await initProject({ dir: 'acme-pipelines' });
 * written; // ['.gitignore', 'README.md', 'jobs/readings.ts', 'package.json', 'schemas/sense-hat.ts', 'serverless.yml', 'test/readings.test.ts', 'tsconfig.json']
 * ```
 */
export async function initProject(options: InitOptions): Promise<string[]> {
  const dir = resolve(options.dir);
  const sluiceSpec = options.sluiceSpec ?? `^${(await sluiceManifest()).version}`;
  const files = await projectFiles({ name: projectName(basename(dir)), sluiceSpec });
  await writeNewFiles(dir, files);
  return files.map((f) => f.path);
}

/** A path as one shell word: quoted when it holds anything a shell would split or expand. */
const shellWord = (path: string): string => (/^[\w./-]+$/.test(path) ? path : `'${path.replaceAll("'", "'\\''")}'`);

/**
 * `sluice init [dir]`: a project of one's own, with a sample job, its test and its stack.
 *
 * @example
 * ```ts
 * registerInit(program); // sluice init my-pipelines [--sluice file:../sluice-0.1.0.tgz]
 * ```
 */
export function registerInit(program: Command): void {
  program
    .command('init')
    .description('scaffold a project of sluice jobs: package.json, a sample job with its schema and unit test, serverless.yml (never overwrites a file)')
    .argument('[dir]', 'project folder (created if missing)', '.')
    .option('--sluice <spec>', "sluice's entry in the project's dependencies, e.g. a tarball (file:../sluice-0.1.0.tgz); default ^<this version>")
    .action(async (dir: string, flags: { sluice?: string }) => {
      const log = createCliLogger();
      const written = await initProject({ dir, ...(flags.sluice === undefined ? {} : { sluiceSpec: flags.sluice }) });
      const where = relative(process.cwd(), resolve(dir));
      log.success(`created ${where === '' ? 'the project here' : where}: ${written.join(', ')}`);
      const steps = [
        ...(where === '' ? [] : [`cd ${shellWord(where)}`]),
        'npm install',
        `npm run demo                                   # ${SAMPLE_JOB}: produce, run and query on the embedded Kinesis server`,
        'npm test                                       # type-check the jobs and run their unit tests',
        `npx serverless package --param="job=${SAMPLE_JOB}"   # its CloudFormation stack, offline`,
      ];
      process.stdout.write(`\nnext:\n${steps.map((s) => `  ${s}\n`).join('')}`);
    });
}
