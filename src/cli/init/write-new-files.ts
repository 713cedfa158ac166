import { lstat, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ScaffoldConflictError } from '../../errors.ts';
import type { ProjectFile } from './project-template.ts';

const exists = (path: string): Promise<boolean> =>
  lstat(path).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false;
      throw error;
    },
  );

/**
 * Writes files into a folder (created if missing) only if none of them exists yet: with
 * any in the way it writes nothing and throws {@link ScaffoldConflictError} naming each,
 * so a half-written project never mixes with the user's files. Each file is created
 * exclusively (`wx`), so a file that appears between the check and the write is not
 * overwritten either.
 *
 * @example
 * ```ts
 * await writeNewFiles('/p/app', [{ path: 'jobs/readings.ts', contents: '...' }]);
 * ```
 */
export async function writeNewFiles(dir: string, files: readonly ProjectFile[]): Promise<void> {
  const conflicts: string[] = [];
  for (const file of files) if (await exists(join(dir, file.path))) conflicts.push(file.path);
  if (conflicts.length > 0) {
    throw new ScaffoldConflictError(
      `refusing to overwrite ${conflicts.length === 1 ? 'a file' : `${conflicts.length} files`} in ${dir}: ${conflicts.join(', ')}; ` +
        'nothing was written: run sluice init in a new or empty folder, or move these files away first',
      conflicts,
    );
  }
  for (const file of files) {
    const path = join(dir, file.path);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, file.contents, { flag: 'wx' });
  }
}
