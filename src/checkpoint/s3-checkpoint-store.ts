import { randomUUID } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { CheckpointError } from '../errors.ts';
import { describeS3Error, s3StatusOf } from '../store/s3-error-details.ts';
import type { CheckpointScope, CheckpointStore, CommitOptions, LeaseRequest, ShardCheckpoint, ShardLease } from './checkpoint-store.ts';
import { LeaseObserver } from './lease-observer.ts';
import { nameSegment } from './name-segment.ts';
import {
  assertLeaseFor,
  EMPTY_SHARD_STATE,
  holdsLease,
  leaseLost,
  leaseOf,
  withCheckpoint,
  withLeaseReleased,
  withLeaseTaken,
} from './shard-state.ts';
import type { ShardState } from './shard-state.ts';

/**
 * Options for {@link S3CheckpointStore}.
 *
 * @example
 * ```ts
 * const options: S3CheckpointStoreOptions = { client: createS3Client(), bucket: 'acme-warehouse', prefix: 'sluice' };
 * ```
 */
export interface S3CheckpointStoreOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** Key prefix; records live under `<prefix>/checkpoints/`. */
  readonly prefix?: string;
}

/**
 * One shard's object. `nonce` is new on every write, so no two versions have the same bytes
 * (and ETag): a compare-and-swap can never match a version that came back (ABA), and a writer
 * whose answer was lost can recognise its own write.
 */
interface ShardRecord {
  readonly version: 1;
  readonly job: string;
  readonly stream: string;
  readonly shardId: string;
  readonly nonce: string;
  readonly leaseCounter: number;
  readonly checkpoint?: ShardCheckpoint;
  readonly holder?: { readonly owner: string; readonly durationMs: number };
}

/** A record as read or written, with the ETag (unquoted) that a compare-and-swap must match. */
interface Versioned {
  readonly state: ShardState;
  readonly etag: string;
  readonly nonce: string;
}

/** What a step decides on a shard's state: the state to write (if any) and the answer. */
interface ShardUpdate<R> {
  readonly next?: ShardState;
  readonly result: R;
}

/** Where a step may start from: the version this store last saw, or a fresh read. */
const StartFrom = {
  LastSeen: 'last-seen',
  FreshRead: 'fresh-read',
} as const;
type StartFrom = (typeof StartFrom)[keyof typeof StartFrom];

/** Compare-and-swap rounds lost to other writers before a step gives up. */
const MAX_CONFLICTS = 10;
const LOAD_CONCURRENCY = 8;

/**
 * CheckpointStore on S3 for several workers: one JSON object per job, stream and shard
 * (`<prefix>/checkpoints/<job>/<stream>/<shardId>.json`) holding the shard's checkpoint and
 * lease, changed only by conditional PutObject — `If-None-Match: *` to create, `If-Match:
 * <etag>` to replace — so every change is a compare-and-swap and a fenced commit cannot land
 * after the lease moved on. Relies on strong read-after-write (S3 since 2020, Ceph) and never
 * on clocks agreeing across workers (see the port's lease contract).
 *
 * @example
 * ```ts
 * const store = new S3CheckpointStore({ client: createS3Client(), bucket: 'acme-warehouse', prefix: 'sluice' });
 * const lease = await store.acquireLease(scope, 'shardId-000000000000', { owner: workerId, durationMs: 30_000 });
 * if (lease) await store.commit(scope, lease.shardId, { sequenceNumber: last, ended: false }, { lease });
 * ```
 */
export class S3CheckpointStore implements CheckpointStore {
  readonly bucket: string;
  readonly prefix: string;
  readonly #client: S3Client;
  readonly #observer = new LeaseObserver();
  /** The last version of each shard this store read or wrote: saves the read before a commit. */
  readonly #lastSeen = new Map<string, Versioned>();
  /**
   * Steps in flight per shard object: this process's own steps on a shard run one after the
   * other, so compare-and-swap rounds are only ever lost to other workers.
   */
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(options: S3CheckpointStoreOptions) {
    this.#client = options.client;
    this.bucket = options.bucket;
    this.prefix = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
  }

  /**
   * Every shard checkpoint of the scope (shards only ever leased have none); empty when none.
   *
   * @example
   * ```ts
   * const checkpoints = await store.load({ job: 'sensor-readings', stream: 'iot-sensor' });
   * ```
   */
  async load(scope: CheckpointScope): Promise<Map<string, ShardCheckpoint>> {
    const keys = await this.#listKeys(this.#folderOf(scope));
    const loaded = new Map<string, ShardCheckpoint>();
    let next = 0;
    const readSome = async (): Promise<void> => {
      while (next < keys.length) {
        const key = keys[next++] as string;
        const found = await this.#read(key, scope);
        if (found?.state.checkpoint !== undefined) loaded.set(found.shardId, found.state.checkpoint);
      }
    };
    await Promise.all(Array.from({ length: Math.min(LOAD_CONCURRENCY, keys.length) }, readSome));
    return new Map([...loaded].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  /**
   * Records a shard's checkpoint by compare-and-swap; never moves it backwards. With `lease`,
   * lands only while that lease is current, else rejects with `LeaseLostError`.
   *
   * @example
   * ```ts
   * await store.commit(scope, lease.shardId, { sequenceNumber: last.sequenceNumber, ended: false }, { lease });
   * ```
   */
  async commit(scope: CheckpointScope, shardId: string, checkpoint: ShardCheckpoint, options: CommitOptions = {}): Promise<void> {
    const { lease } = options;
    if (lease !== undefined) assertLeaseFor(lease, scope, shardId);
    return this.#update(scope, shardId, StartFrom.LastSeen, (state) => {
      if (lease !== undefined && !holdsLease(state, lease)) throw leaseLost(lease, state);
      const next = withCheckpoint(state, checkpoint);
      return next === state ? { result: undefined } : { next, result: undefined };
    });
  }

  /**
   * Takes the shard's lease when it is free, already `request.owner`'s, or seen unchanged by
   * this store for its duration; `undefined` otherwise (ask again later).
   *
   * @example
   * ```ts
   * const lease = await store.acquireLease(scope, 'shardId-000000000000', { owner: workerId, durationMs: 30_000 });
   * ```
   */
  acquireLease(scope: CheckpointScope, shardId: string, request: LeaseRequest): Promise<ShardLease | undefined> {
    const key = this.#keyOf(scope, shardId);
    // Always a fresh read: the observer must date each sighting by a read that just happened.
    return this.#update(scope, shardId, StartFrom.FreshRead, (state): ShardUpdate<ShardLease | undefined> => {
      if (!this.#observer.mayTake(key, state, request)) return { result: undefined };
      this.#observer.forget(key);
      const next = withLeaseTaken(state, request);
      return { next, result: leaseOf(scope, shardId, next, performance.now()) };
    });
  }

  /**
   * Extends a held lease (bumps its counter); rejects with `LeaseLostError` when it is no
   * longer current.
   *
   * @example
   * ```ts
   * lease = await store.renewLease(lease);
   * ```
   */
  renewLease(lease: ShardLease): Promise<ShardLease> {
    return this.#update(lease.scope, lease.shardId, StartFrom.LastSeen, (state) => {
      if (!holdsLease(state, lease)) throw leaseLost(lease, state);
      const next = withLeaseTaken(state, lease);
      return { next, result: leaseOf(lease.scope, lease.shardId, next, performance.now()) };
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
    return this.#update(lease.scope, lease.shardId, StartFrom.LastSeen, (state) =>
      holdsLease(state, lease) ? { next: withLeaseReleased(state), result: undefined } : { result: undefined },
    );
  }

  /** Runs one step on a shard after this process's earlier steps on it. */
  #update<R>(scope: CheckpointScope, shardId: string, startFrom: StartFrom, decide: (state: ShardState) => ShardUpdate<R>): Promise<R> {
    const key = this.#keyOf(scope, shardId);
    const next = (this.#queues.get(key) ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => this.#compareAndSwap(key, scope, shardId, startFrom, decide));
    this.#queues.set(key, next);
    // Forget the queue once idle so a long-running worker keeps no entry per shard it ever touched.
    const forget = () => this.#queues.get(key) === next && this.#queues.delete(key);
    void next.then(forget, forget);
    return next;
  }

  /**
   * Read, decide, conditional write; on a lost race read again and decide again. A decision
   * that writes nothing (or throws) is trusted only when taken on a fresh read, so a stale
   * memory of the shard can cost a failed write but never a wrong answer.
   */
  async #compareAndSwap<R>(
    key: string,
    scope: CheckpointScope,
    shardId: string,
    startFrom: StartFrom,
    decide: (state: ShardState) => ShardUpdate<R>,
  ): Promise<R> {
    const remembered = startFrom === StartFrom.LastSeen ? this.#lastSeen.get(key) : undefined;
    let current: Versioned | undefined = remembered ?? (await this.#read(key, scope));
    let fresh = remembered === undefined;
    for (let conflicts = 0; ; ) {
      let update: ShardUpdate<R>;
      try {
        update = decide(current?.state ?? EMPTY_SHARD_STATE);
      } catch (error) {
        if (fresh) throw error;
        current = await this.#read(key, scope);
        fresh = true;
        continue;
      }
      if (update.next === undefined) {
        if (fresh) return update.result;
        current = await this.#read(key, scope);
        fresh = true;
        continue;
      }
      const nonce = randomUUID();
      const record = recordOf(scope, shardId, update.next, nonce);
      if (await this.#write(key, record, current?.etag, scope)) return update.result;
      current = await this.#read(key, scope);
      fresh = true;
      // The SDK retries a write whose answer was lost; the retry then fails its own condition.
      if (current?.nonce === nonce) return update.result;
      if (++conflicts >= MAX_CONFLICTS) {
        throw new CheckpointError(
          `gave up on shard '${shardId}' of job '${scope.job}', stream '${scope.stream}' (${this.#uri(key)}) after ` +
            `${MAX_CONFLICTS} lost compare-and-swap rounds: too many workers are writing the same shard at once`,
        );
      }
    }
  }

  /** The shard's current version, or undefined when it has no object yet. */
  async #read(key: string, scope: CheckpointScope): Promise<(Versioned & { shardId: string }) | undefined> {
    let text: string;
    let etag: string | undefined;
    try {
      const answer = await this.#client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      etag = answer.ETag;
      text = (await answer.Body?.transformToString('utf8')) ?? '';
    } catch (error) {
      if (error instanceof NoSuchKey) {
        this.#lastSeen.delete(key);
        return undefined;
      }
      throw new CheckpointError(
        `cannot read the checkpoint of job '${scope.job}', stream '${scope.stream}' from ${this.#uri(key)}: ${describeS3Error(error)}`,
        error,
      );
    }
    if (!etag) throw new CheckpointError(`S3 returned ${this.#uri(key)} without an ETag: conditional writes are impossible on this server`);
    const record = parseRecord(text);
    if (typeof record === 'string') {
      throw new CheckpointError(
        `checkpoint object ${this.#uri(key)} of job '${scope.job}', stream '${scope.stream}' is damaged (${record}): ` +
          "fix or delete it (deleting restarts the shard from the job's starting position)",
      );
    }
    const versioned = { state: stateOf(record), etag: unquoted(etag), nonce: record.nonce, shardId: record.shardId };
    this.#lastSeen.set(key, versioned);
    return versioned;
  }

  /** Conditional put: true when it landed, false when the object was not the expected version. */
  async #write(key: string, record: ShardRecord, expectedEtag: string | undefined, scope: CheckpointScope): Promise<boolean> {
    try {
      const answer = await this.#client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: `${JSON.stringify(record, null, 2)}\n`,
          ContentType: 'application/json',
          // Ceph 16 matches If-Match only against the bare ETag; S3 accepts it bare too.
          ...(expectedEtag === undefined ? { IfNoneMatch: '*' } : { IfMatch: expectedEtag }),
        }),
      );
      if (answer.ETag) this.#lastSeen.set(key, { state: stateOf(record), etag: unquoted(answer.ETag), nonce: record.nonce });
      else this.#lastSeen.delete(key);
      return true;
    } catch (error) {
      this.#lastSeen.delete(key);
      // 412: not the expected version; 409: S3 saw a concurrent conditional write; 404: the
      // object an If-Match named is gone. Each means: read again and decide again.
      const status = s3StatusOf(error);
      if (status === 412 || status === 409 || (status === 404 && expectedEtag !== undefined)) return false;
      throw new CheckpointError(
        `cannot write the checkpoint of shard '${record.shardId}' (job '${scope.job}', stream '${scope.stream}') to ${this.#uri(key)}: ${describeS3Error(error)}`,
        error,
      );
    }
  }

  async #listKeys(folder: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.#client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: folder, ContinuationToken: token }));
      } catch (error) {
        throw new CheckpointError(`cannot list checkpoints under ${this.#uri(folder)}: ${describeS3Error(error)}`, error);
      }
      for (const object of page.Contents ?? []) if (object.Key?.endsWith('.json')) keys.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return keys;
  }

  #folderOf(scope: CheckpointScope): string {
    const base = this.prefix === '' ? 'checkpoints' : `${this.prefix}/checkpoints`;
    return `${base}/${nameSegment(scope.job)}/${nameSegment(scope.stream)}/`;
  }

  #keyOf(scope: CheckpointScope, shardId: string): string {
    return `${this.#folderOf(scope)}${nameSegment(shardId)}.json`;
  }

  #uri(key: string): string {
    return `s3://${this.bucket}/${key}`;
  }
}

function recordOf(scope: CheckpointScope, shardId: string, state: ShardState, nonce: string): ShardRecord {
  return {
    version: 1,
    job: scope.job,
    stream: scope.stream,
    shardId,
    nonce,
    leaseCounter: state.leaseCounter,
    ...(state.checkpoint === undefined ? {} : { checkpoint: state.checkpoint }),
    ...(state.holder === undefined ? {} : { holder: state.holder }),
  };
}

function stateOf(record: ShardRecord): ShardState {
  return {
    leaseCounter: record.leaseCounter,
    ...(record.checkpoint === undefined ? {} : { checkpoint: record.checkpoint }),
    ...(record.holder === undefined ? {} : { holder: record.holder }),
  };
}

/** The record, or why it is not one. */
function parseRecord(text: string): ShardRecord | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'it is not JSON';
  }
  if (typeof value !== 'object' || value === null) return 'it is not a JSON object';
  const r = value as Partial<Record<keyof ShardRecord, unknown>>;
  if (r.version !== 1) return "it lacks 'version: 1'";
  if (typeof r.shardId !== 'string' || typeof r.nonce !== 'string') return "it lacks 'shardId' or 'nonce'";
  if (typeof r.leaseCounter !== 'number' || !Number.isSafeInteger(r.leaseCounter) || r.leaseCounter < 0) return "'leaseCounter' is not a count";
  if (r.checkpoint !== undefined) {
    const c = r.checkpoint as Partial<Record<keyof ShardCheckpoint, unknown>> | null;
    if (typeof c !== 'object' || c === null || typeof c.ended !== 'boolean' || !['string', 'undefined'].includes(typeof c.sequenceNumber)) {
      return "'checkpoint' is not { sequenceNumber?, ended }";
    }
  }
  if (r.holder !== undefined) {
    const h = r.holder as { owner?: unknown; durationMs?: unknown } | null;
    if (typeof h !== 'object' || h === null || typeof h.owner !== 'string' || typeof h.durationMs !== 'number') {
      return "'holder' is not { owner, durationMs }";
    }
  }
  return value as ShardRecord;
}

/** The SDK hands ETags back quoted; Ceph 16 compares If-Match against the bare value only. */
function unquoted(etag: string): string {
  return etag.replaceAll('"', '');
}
