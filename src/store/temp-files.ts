import { randomBytes } from 'node:crypto';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The temp files sluice's local adapters write before renaming them into place, and the
 * clean-up of those a killed process left behind. Each name carries the writing process's
 * id, so a temp file is known to be abandoned when that process is gone; a live process's
 * file (a write in flight) is never touched, and nothing but these names ever is.
 */

/** Warehouse temp files start with a dot so listings and reader globs (`*.parquet`) never see them. */
const WAREHOUSE_PREFIX = '.sluice-tmp-';
const WAREHOUSE_TEMP = /^\.sluice-tmp-(\d+)-[0-9a-f]{12}$/;
/** Warehouse temp files of sluice before the pid was in the name: abandoned once this old. */
const LEGACY_WAREHOUSE_TEMP = /^\.sluice-tmp-[0-9a-f]{12}$/;
const LEGACY_ABANDONED_MS = 60 * 60 * 1000;
/** `<file>.json.<pid>.<n>.tmp`: checkpoint and catalog files, written beside the file they replace. */
const SIBLING_TEMP = /^.+\.json\.(\d+)\.\d+\.tmp$/;

/**
 * A fresh temp file name for a warehouse object, in the folder of its target.
 *
 * @example
 * ```ts
 * warehouseTempName(); // '.sluice-tmp-4242-9f86d081884c'
 * ```
 */
export function warehouseTempName(): string {
  return `${WAREHOUSE_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`;
}

/**
 * Whether a folder entry is a warehouse temp file (of any process): listings leave them out.
 *
 * @example
 * ```ts
 * isWarehouseTemp('.sluice-tmp-4242-9f86d081884c'); // true
 * ```
 */
export function isWarehouseTemp(name: string): boolean {
  return name.startsWith(WAREHOUSE_PREFIX);
}

/**
 * The temp path a JSON file (a checkpoint, a catalog table) is written to before it is
 * renamed over `file`; `counter` keeps writes of one process apart.
 *
 * @example
 * ```ts
 * siblingTempPath('/p/.sluice/checkpoints/job/stream.json', 3); // '/p/.sluice/checkpoints/job/stream.json.4242.3.tmp'
 * ```
 */
export function siblingTempPath(file: string, counter: number): string {
  return `${file}.${process.pid}.${counter}.tmp`;
}

/** Which temp files a folder holds: the writer's pid, or null for a legacy name without one; undefined for anything else. */
export type TempFileKind = (name: string) => number | null | undefined;

/**
 * Warehouse temp names (`LocalFolderStore`).
 *
 * @example
 * ```ts
 * await removeAbandonedTempFiles('.sluice/warehouse', { kind: warehouseTemps });
 * ```
 */
export const warehouseTemps: TempFileKind = (name) => {
  const match = WAREHOUSE_TEMP.exec(name);
  if (match) return Number(match[1]);
  return LEGACY_WAREHOUSE_TEMP.test(name) ? null : undefined;
};

/**
 * Checkpoint and catalog temp names (`siblingTempPath`).
 *
 * @example
 * ```ts
 * await removeAbandonedTempFiles('.sluice/checkpoints', { kind: siblingTemps });
 * ```
 */
export const siblingTemps: TempFileKind = (name) => {
  const match = SIBLING_TEMP.exec(name);
  return match ? Number(match[1]) : undefined;
};

/** Whether a process with this id runs (signal 0 only asks); one owned by another user counts. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** This process's own temp files may be writes in flight; those of a process that is gone are not. */
async function isAbandoned(path: string, pid: number | null, now: number): Promise<boolean> {
  if (pid !== null) return pid !== process.pid && !isRunning(pid);
  const stats = await stat(path).catch(() => undefined);
  return stats !== undefined && now - stats.mtimeMs > LEGACY_ABANDONED_MS;
}

/**
 * Removes, under `root` (every level), the temp files of `kind` whose writer is gone: what
 * a killed process left before its rename. Returns their paths. Anything not named as a
 * sluice temp file stays, as does a temp file of a process still running.
 *
 * @example
 * ```ts
 * const removed = await removeAbandonedTempFiles('.sluice/warehouse', { kind: warehouseTemps });
 * ```
 */
export async function removeAbandonedTempFiles(root: string, options: { readonly kind: TempFileKind }): Promise<string[]> {
  const removed: string[] = [];
  const now = Date.now();
  const walk = async (folder: string): Promise<void> => {
    const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        await walk(path);
        continue;
      }
      const pid = entry.isFile() ? options.kind(entry.name) : undefined;
      if (pid === undefined || !(await isAbandoned(path, pid, now))) continue;
      await rm(path, { force: true });
      removed.push(path);
    }
  };
  await walk(root);
  return removed;
}
