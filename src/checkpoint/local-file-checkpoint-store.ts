import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { CheckpointError } from '../errors.ts';
import { compareSequenceNumbers } from '../source/stream-record.ts';
import type { CheckpointScope, CheckpointStore, ShardCheckpoint } from './checkpoint-store.ts';

/**
 * Options for {@link LocalFileCheckpointStore}.
 *
 * @example
 * ```ts
 * const options: LocalFileCheckpointStoreOptions = { dir: '.sluice/checkpoints' };
 * ```
 */
export interface LocalFileCheckpointStoreOptions {
  /** Folder holding `<job>/<stream>.json`. */
  readonly dir: string;
}

/** On-disk shape; `version` lets a later format be told apart. */
interface CheckpointFile {
  readonly version: 1;
  readonly job: string;
  readonly stream: string;
  readonly shards: Record<string, ShardCheckpoint>;
}

/**
 * Commits in flight per absolute file path, shared by every store instance of this process,
 * so two stores on the same folder cannot interleave a read-modify-write.
 */
const fileQueues = new Map<string, Promise<unknown>>();
let tempCounter = 0;

/**
 * CheckpointStore on the local disk: one JSON file per job and stream
 * (`<dir>/<job>/<stream>.json`, shard id -> checkpoint). Each commit rewrites the file through
 * a temporary file, fsync and rename, so a crash leaves the old or the new file, never half of
 * one. Commits to one file are serialized inside the process; several processes must not
 * share a folder (use the S3 store for that).
 *
 * @example
 * ```ts
 * const store = new LocalFileCheckpointStore({ dir: '.sluice/checkpoints' });
 * const scope = { job: 'sensor-readings', stream: 'iot-sensor' };
 * await store.commit(scope, 'shardId-000000000000', { sequenceNumber: '4960...', ended: false });
 * const checkpoints = await store.load(scope);
 * ```
 */
export class LocalFileCheckpointStore implements CheckpointStore {
  readonly #dir: string;

  constructor(options: LocalFileCheckpointStoreOptions) {
    this.#dir = resolve(options.dir);
  }

  /**
   * Every shard checkpoint of the scope; empty when nothing was committed yet.
   *
   * @example
   * ```ts
   * const ended = [...(await store.load(scope))].filter(([, c]) => c.ended).map(([shard]) => shard);
   * ```
   */
  async load(scope: CheckpointScope): Promise<Map<string, ShardCheckpoint>> {
    const file = this.#fileOf(scope);
    // Wait for this process's commits in flight so a load sees what was committed before it.
    await (fileQueues.get(file) ?? Promise.resolve()).catch(() => undefined);
    const shards = await readShards(file, scope);
    return new Map(Object.entries(shards));
  }

  /**
   * Records a shard's checkpoint; an older sequence number than the stored one is ignored and
   * `ended` is never undone.
   *
   * @example
   * ```ts
   * await store.commit(scope, batch.shardId, { sequenceNumber: last.sequenceNumber, ended: false });
   * ```
   */
  commit(scope: CheckpointScope, shardId: string, checkpoint: ShardCheckpoint): Promise<void> {
    const file = this.#fileOf(scope);
    const previous = fileQueues.get(file) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(async () => {
        const shards = await readShards(file, scope);
        const merged = mergeCheckpoint(shards[shardId], checkpoint);
        if (merged === shards[shardId]) return;
        await writeAtomically(file, { version: 1, job: scope.job, stream: scope.stream, shards: { ...shards, [shardId]: merged } }, scope);
      });
    fileQueues.set(file, next);
    // Forget the queue once idle so long-running processes do not keep one entry per file forever.
    void next.then(
      () => fileQueues.get(file) === next && fileQueues.delete(file),
      () => fileQueues.get(file) === next && fileQueues.delete(file),
    );
    return next;
  }

  #fileOf(scope: CheckpointScope): string {
    return join(this.#dir, safeSegment(scope.job), `${safeSegment(scope.stream)}.json`);
  }
}

/** Keeps a checkpoint from moving backwards; returns `current` itself when nothing changes. */
function mergeCheckpoint(current: ShardCheckpoint | undefined, update: ShardCheckpoint): ShardCheckpoint {
  if (current === undefined) return normalized(update);
  const order = compareOptionalSequence(update.sequenceNumber, current.sequenceNumber);
  if (order < 0) return current;
  const ended = current.ended || update.ended;
  if (order === 0 && ended === current.ended) return current;
  return normalized({ ...(order > 0 ? update : current), ended });
}

/** A shard that ended with no records has no sequence number: it sorts before any record. */
function compareOptionalSequence(a: string | undefined, b: string | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  return compareSequenceNumbers(a, b);
}

function normalized(checkpoint: ShardCheckpoint): ShardCheckpoint {
  return checkpoint.sequenceNumber === undefined
    ? { ended: checkpoint.ended }
    : { sequenceNumber: checkpoint.sequenceNumber, ended: checkpoint.ended };
}

async function readShards(file: string, scope: CheckpointScope): Promise<Record<string, ShardCheckpoint>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new CheckpointError(`cannot read checkpoints of job '${scope.job}', stream '${scope.stream}' from ${file}: ${(error as Error).message}`, error);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw corrupt(file, scope, 'it is not JSON', error);
  }
  if (!isCheckpointFile(parsed)) throw corrupt(file, scope, "it lacks 'version: 1' and a 'shards' object");
  return parsed.shards;
}

function isCheckpointFile(value: unknown): value is CheckpointFile {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<CheckpointFile>;
  if (candidate.version !== 1 || typeof candidate.shards !== 'object' || candidate.shards === null) return false;
  return Object.values(candidate.shards).every(
    (c: unknown) =>
      typeof c === 'object' &&
      c !== null &&
      typeof (c as ShardCheckpoint).ended === 'boolean' &&
      ['string', 'undefined'].includes(typeof (c as ShardCheckpoint).sequenceNumber),
  );
}

function corrupt(file: string, scope: CheckpointScope, why: string, cause?: unknown): CheckpointError {
  return new CheckpointError(
    `checkpoint file ${file} of job '${scope.job}', stream '${scope.stream}' is damaged (${why}): ` +
      'fix or delete it (deleting restarts the job from its starting position)',
    cause,
  );
}

async function writeAtomically(file: string, content: CheckpointFile, scope: CheckpointScope): Promise<void> {
  const temp = `${file}.${process.pid}.${++tempCounter}.tmp`;
  try {
    await mkdir(dirname(file), { recursive: true });
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(`${JSON.stringify(content, null, 2)}\n`, 'utf8');
      // Without fsync a power loss after rename could leave an empty file in place of the old one.
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw new CheckpointError(`cannot commit checkpoint of job '${scope.job}', stream '${scope.stream}' to ${file}: ${(error as Error).message}`, error);
  }
}

/** Job and stream names become path segments: nothing in them may climb out of `dir`. */
function safeSegment(name: string): string {
  const encoded = encodeURIComponent(name);
  return /^\.+$/.test(encoded) ? encoded.replaceAll('.', '%2E') : encoded;
}
