import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { CheckpointError } from '../errors.ts';
import type { CheckpointScope, CheckpointStore, CommitOptions, LeaseRequest, ShardCheckpoint, ShardLease } from './checkpoint-store.ts';
import { LeaseObserver } from './lease-observer.ts';
import { nameSegment } from './name-segment.ts';
import { assertLeaseFor, EMPTY_SHARD_STATE, holdsLease, leaseLost, leaseOf, withCheckpoint, withLeaseReleased, withLeaseTaken } from './shard-state.ts';
import type { ShardState } from './shard-state.ts';
import { removeAbandonedTempFiles, siblingTempPath, siblingTemps } from '../store/temp-files.ts';

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

/**
 * On-disk shape; `version` lets a later format be told apart. `leases` appears once a lease
 * was taken, so files of lease-free runs look as they always did.
 */
interface CheckpointFile {
  readonly version: 1;
  readonly job: string;
  readonly stream: string;
  readonly shards: Record<string, ShardCheckpoint>;
  readonly leases?: Record<string, StoredLease>;
}

/** A shard's lease counter and, while someone holds it, the holder. */
interface StoredLease {
  readonly counter: number;
  readonly owner?: string;
  readonly durationMs?: number;
}

/** What a step run inside a file's queue decides: the file to write (if any) and the answer. */
interface FileUpdate<R> {
  readonly write?: CheckpointFile;
  readonly result: R;
}

/**
 * Commits in flight per absolute file path, shared by every store instance of this process,
 * so two stores on the same folder cannot interleave a read-modify-write.
 */
const fileQueues = new Map<string, Promise<unknown>>();
let tempCounter = 0;

/**
 * CheckpointStore on the local disk: one JSON file per job and stream
 * (`<dir>/<job>/<stream>.json`, shard id -> checkpoint, plus shard id -> lease once leases
 * are used). Each change rewrites the file through a temporary file, fsync and rename, so a
 * crash leaves the old or the new file, never half of one. Changes to one file are serialized
 * inside the process, which makes every lease step a compare-and-swap on the shard's lease
 * counter; several processes must not share a folder (use the S3 store for that).
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
  readonly #observer = new LeaseObserver();

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
    const content = await readCheckpointFile(file, scope);
    return new Map(Object.entries(content.shards));
  }

  /**
   * Records a shard's checkpoint; an older sequence number than the stored one is ignored and
   * `ended` is never undone. With `lease`, commits only while that lease is current.
   *
   * @example
   * ```ts
   * await store.commit(scope, batch.shardId, { sequenceNumber: last.sequenceNumber, ended: false }, { lease });
   * ```
   */
  async commit(scope: CheckpointScope, shardId: string, checkpoint: ShardCheckpoint, options: CommitOptions = {}): Promise<void> {
    const { lease } = options;
    if (lease !== undefined) assertLeaseFor(lease, scope, shardId);
    return this.#update(scope, (content) => {
      const state = stateOf(content, shardId);
      if (lease !== undefined && !holdsLease(state, lease)) throw leaseLost(lease, state);
      const next = withCheckpoint(state, checkpoint);
      return next === state ? { result: undefined } : { write: withShard(content, shardId, next), result: undefined };
    });
  }

  /**
   * Takes the shard's lease when it is free, already `request.owner`'s, or unchanged for its
   * duration as seen by this store; `undefined` otherwise (ask again later).
   *
   * @example
   * ```ts
   * const lease = await store.acquireLease(scope, 'shardId-000000000000', { owner: 'worker-1', durationMs: 30_000 });
   * ```
   */
  acquireLease(scope: CheckpointScope, shardId: string, request: LeaseRequest): Promise<ShardLease | undefined> {
    const key = `${this.#fileOf(scope)}#${shardId}`;
    return this.#update(scope, (content) => {
      const state = stateOf(content, shardId);
      if (!this.#observer.mayTake(key, state, request)) return { result: undefined };
      this.#observer.forget(key);
      const next = withLeaseTaken(state, request);
      return { write: withShard(content, shardId, next), result: leaseOf(scope, shardId, next, performance.now()) };
    });
  }

  /**
   * Extends a held lease; rejects with `LeaseLostError` when it is no longer current.
   *
   * @example
   * ```ts
   * lease = await store.renewLease(lease);
   * ```
   */
  renewLease(lease: ShardLease): Promise<ShardLease> {
    return this.#update(lease.scope, (content) => {
      const state = stateOf(content, lease.shardId);
      if (!holdsLease(state, lease)) throw leaseLost(lease, state);
      const next = withLeaseTaken(state, lease);
      return { write: withShard(content, lease.shardId, next), result: leaseOf(lease.scope, lease.shardId, next, performance.now()) };
    });
  }

  /**
   * Frees the shard for any worker at once; a lease that is no longer current is left alone.
   *
   * @example
   * ```ts
   * await store.releaseLease(lease);
   * ```
   */
  releaseLease(lease: ShardLease): Promise<void> {
    return this.#update(lease.scope, (content) => {
      const state = stateOf(content, lease.shardId);
      if (!holdsLease(state, lease)) return { result: undefined };
      return { write: withShard(content, lease.shardId, withLeaseReleased(state)), result: undefined };
    });
  }

  /**
   * Removes the temp files of commits a killed process never renamed into place (only
   * sluice's temp names, only of processes that are gone); returns their paths.
   *
   * @example
   * ```ts
   * await store.removeAbandonedTempFiles(); // ['/p/.sluice/checkpoints/job/stream.json.4242.7.tmp']
   * ```
   */
  removeAbandonedTempFiles(): Promise<string[]> {
    return removeAbandonedTempFiles(this.#dir, { kind: siblingTemps });
  }

  /** Runs one read-decide-write step on the scope's file, after every earlier step of this process. */
  #update<R>(scope: CheckpointScope, step: (content: CheckpointFile) => FileUpdate<R>): Promise<R> {
    const file = this.#fileOf(scope);
    const previous = fileQueues.get(file) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(async () => {
        const update = step(await readCheckpointFile(file, scope));
        if (update.write !== undefined) await writeAtomically(file, update.write, scope);
        return update.result;
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
    return join(this.#dir, nameSegment(scope.job), `${nameSegment(scope.stream)}.json`);
  }
}

function stateOf(content: CheckpointFile, shardId: string): ShardState {
  const checkpoint = content.shards[shardId];
  const stored = content.leases?.[shardId];
  if (stored === undefined) return checkpoint === undefined ? EMPTY_SHARD_STATE : { checkpoint, leaseCounter: 0 };
  const holder =
    stored.owner === undefined || stored.durationMs === undefined ? undefined : { owner: stored.owner, durationMs: stored.durationMs };
  return { ...(checkpoint === undefined ? {} : { checkpoint }), leaseCounter: stored.counter, ...(holder === undefined ? {} : { holder }) };
}

function withShard(content: CheckpointFile, shardId: string, state: ShardState): CheckpointFile {
  const shards = state.checkpoint === undefined ? content.shards : { ...content.shards, [shardId]: state.checkpoint };
  if (state.leaseCounter === 0) return { ...content, shards };
  const lease: StoredLease = state.holder === undefined ? { counter: state.leaseCounter } : { counter: state.leaseCounter, ...state.holder };
  return { ...content, shards, leases: { ...content.leases, [shardId]: lease } };
}

async function readCheckpointFile(file: string, scope: CheckpointScope): Promise<CheckpointFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, job: scope.job, stream: scope.stream, shards: {} };
    throw new CheckpointError(`cannot read checkpoints of job '${scope.job}', stream '${scope.stream}' from ${file}: ${(error as Error).message}`, error);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw corrupt(file, scope, 'it is not JSON', error);
  }
  if (!isCheckpointFile(parsed)) throw corrupt(file, scope, "it lacks 'version: 1' and a 'shards' object");
  return parsed;
}

function isCheckpointFile(value: unknown): value is CheckpointFile {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<CheckpointFile>;
  if (candidate.version !== 1 || typeof candidate.shards !== 'object' || candidate.shards === null) return false;
  const shardsValid = Object.values(candidate.shards).every(
    (c: unknown) =>
      typeof c === 'object' &&
      c !== null &&
      typeof (c as ShardCheckpoint).ended === 'boolean' &&
      ['string', 'undefined'].includes(typeof (c as ShardCheckpoint).sequenceNumber),
  );
  if (!shardsValid) return false;
  if (candidate.leases === undefined) return true;
  return (
    typeof candidate.leases === 'object' &&
    candidate.leases !== null &&
    Object.values(candidate.leases).every(
      (l: unknown) =>
        typeof l === 'object' &&
        l !== null &&
        Number.isSafeInteger((l as StoredLease).counter) &&
        ['string', 'undefined'].includes(typeof (l as StoredLease).owner) &&
        ['number', 'undefined'].includes(typeof (l as StoredLease).durationMs),
    )
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
  const temp = siblingTempPath(file, ++tempCounter);
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
