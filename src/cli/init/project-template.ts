import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { SLUICE_PACKAGE_ROOT } from '../../runtime/sluice-package.ts';

/**
 * The files `sluice init` writes: the template folder shipped in the package
 * (`templates/project/`), with the project's name filled in, and a `package.json` whose
 * versions are the ones this sluice was built and tested with (read from its own manifest,
 * so a scaffold never names versions sluice has not run with).
 */

/**
 * The template folder, shipped in the package beside `dist/`.
 *
 * @example
 * ```ts
 * join(PROJECT_TEMPLATE_DIR, 'jobs', 'readings.ts'); // the sample job as init writes it
 * ```
 */
export const PROJECT_TEMPLATE_DIR: string = join(SLUICE_PACKAGE_ROOT, 'templates', 'project');

/**
 * Template files stored under another name than they get: npm leaves every `.gitignore` out
 * of a package (it reads it as `.npmignore`), so the template's is stored without its dot.
 */
const RENAMED: Readonly<Record<string, string>> = { gitignore: '.gitignore' };

/**
 * The sample job: what the README's quick start and the next steps printed name.
 *
 * @example
 * ```ts
 * `npx serverless package --param="job=${SAMPLE_JOB}"`;
 * ```
 */
export const SAMPLE_JOB = 'readings';

/**
 * One file of a new project.
 *
 * @example
 * ```ts
 * const file: ProjectFile = { path: 'jobs/readings.ts', contents: "import { defineJob } from 'sluice';\n..." };
 * ```
 */
export interface ProjectFile {
  /** Relative to the project folder, with `/` separators. */
  readonly path: string;
  readonly contents: string;
}

/**
 * Options of {@link projectFiles}.
 *
 * @example
 * ```ts
 * const options: ProjectTemplateOptions = { name: 'acme-pipelines', sluiceSpec: '^0.1.0' };
 * ```
 */
export interface ProjectTemplateOptions {
  /** The npm package name of the project ({@link projectName} makes one from a folder name). */
  readonly name: string;
  /** What the project's `package.json` depends on sluice as: a version range, a tarball path, a git URL. */
  readonly sluiceSpec: string;
}

interface SluiceManifest {
  readonly version: string;
  readonly engines?: Readonly<Record<string, string>>;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
}

/**
 * sluice's own manifest.
 *
 * @example
 * ```ts
 * (await sluiceManifest()).version; // '0.1.0'
 * ```
 */
export async function sluiceManifest(): Promise<SluiceManifest> {
  return JSON.parse(await readFile(join(SLUICE_PACKAGE_ROOT, 'package.json'), 'utf8')) as SluiceManifest;
}

/**
 * An npm package name from a folder name: lower case, characters npm refuses replaced.
 *
 * @example
 * ```ts
 * projectName('My Pipelines'); // 'my-pipelines'
 * ```
 */
export function projectName(folderName: string): string {
  const name = folderName
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+|[-]+$/g, '');
  return name === '' ? 'sluice-jobs' : name.slice(0, 214);
}

function versionOf(manifest: SluiceManifest, name: string): string {
  const version = manifest.peerDependencies?.[name] ?? manifest.dependencies?.[name] ?? manifest.devDependencies?.[name];
  // Each name below is in sluice's manifest; a missing one is a packaging mistake, caught by the scaffold's tests.
  if (version === undefined) throw new Error(`sluice's package.json names no version of ${name}`);
  return version;
}

/**
 * The new project's `package.json`: sluice and zod (jobs import both), the tools its scripts
 * and serverless.yml run (vitest, TypeScript, the Serverless Framework with serverless-esbuild),
 * and the scripts the README's quick start names.
 *
 * @example
 * ```ts
 * JSON.parse(projectManifest(await sluiceManifest(), { name: 'app', sluiceSpec: '^0.1.0' })).dependencies.sluice; // '^0.1.0'
 * ```
 */
export function projectManifest(manifest: SluiceManifest, options: ProjectTemplateOptions): string {
  const dev = ['@types/node', 'esbuild', 'osls', 'serverless-esbuild', 'typescript', 'vitest'];
  const project = {
    name: options.name,
    version: '0.1.0',
    private: true,
    type: 'module',
    engines: { node: manifest.engines?.['node'] ?? '>=20' },
    scripts: {
      demo:
        `sluice produce --job ${SAMPLE_JOB} --simulate sense-hat --create --records 2000 --hours 2` +
        ` && sluice run ${SAMPLE_JOB} --until-caught-up` +
        ' && sluice query "SELECT device_id, count(*) AS readings, round(avg(temperature_c), 2) AS avg_temp_c FROM telemetry.readings GROUP BY device_id ORDER BY device_id"',
      typecheck: 'tsc --noEmit',
      test: 'tsc --noEmit && vitest run',
    },
    dependencies: { sluice: options.sluiceSpec, zod: versionOf(manifest, 'zod') },
    devDependencies: Object.fromEntries(dev.map((name) => [name, versionOf(manifest, name)])),
  };
  return `${JSON.stringify(project, null, 2)}\n`;
}

async function templateFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await templateFiles(path)));
    else if (entry.isFile()) found.push(relative(PROJECT_TEMPLATE_DIR, path).split(sep).join('/'));
  }
  return found;
}

/**
 * Every file of a new project, in a stable order.
 *
 * @example
 * ```ts
 * const files = await projectFiles({ name: 'app', sluiceSpec: '^0.1.0' });
 * files.map((f) => f.path); // ['.gitignore', 'README.md', 'jobs/readings.ts', 'package.json', ...]
 * ```
 */
export async function projectFiles(options: ProjectTemplateOptions): Promise<ProjectFile[]> {
  const files: ProjectFile[] = [{ path: 'package.json', contents: projectManifest(await sluiceManifest(), options) }];
  for (const path of await templateFiles(PROJECT_TEMPLATE_DIR)) {
    const contents = (await readFile(join(PROJECT_TEMPLATE_DIR, path), 'utf8')).replaceAll('{{name}}', options.name);
    files.push({ path: RENAMED[path] ?? path, contents });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
