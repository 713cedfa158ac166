/**
 * Error classes with stable codes. Every error a user can meet says what happened, where
 * (job, field, shard, sequence number) and what to do; `code` is stable for programs,
 * `cause` keeps the underlying error.
 *
 * @example
 * ```ts
 * try { loadJob('nope') } catch (e) {
 *   if (e instanceof SluiceError && e.code === ErrorCode.JobNotFound) process.exit(2);
 * }
 * ```
 */
export const ErrorCode = {
  JobDefinition: 'SLUICE_JOB_DEFINITION',
  UnsupportedType: 'SLUICE_UNSUPPORTED_TYPE',
  JobNotFound: 'SLUICE_JOB_NOT_FOUND',
  ObjectStore: 'SLUICE_OBJECT_STORE',
  Catalog: 'SLUICE_CATALOG',
  CatalogSchemaMismatch: 'SLUICE_CATALOG_SCHEMA_MISMATCH',
  Checkpoint: 'SLUICE_CHECKPOINT',
  LeaseLost: 'SLUICE_LEASE_LOST',
  Source: 'SLUICE_SOURCE',
  Batch: 'SLUICE_BATCH',
  Query: 'SLUICE_QUERY',
  Usage: 'SLUICE_USAGE',
  Chaos: 'SLUICE_CHAOS',
  Compaction: 'SLUICE_COMPACTION',
  ShardStuck: 'SLUICE_SHARD_STUCK',
  TableConflict: 'SLUICE_TABLE_CONFLICT',
  JobsNotLoaded: 'SLUICE_JOBS_NOT_LOADED',
  TypeCheck: 'SLUICE_TYPE_CHECK',
  NoRowsWritten: 'SLUICE_NO_ROWS_WRITTEN',
  ScaffoldConflict: 'SLUICE_SCAFFOLD_CONFLICT',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface SluiceErrorOptions {
  readonly code: ErrorCode;
  readonly cause?: unknown;
}

/**
 * The first error in `error`'s cause chain (itself included) that `matches`: retries and
 * restarts decide on the root cause, however many layers wrapped it.
 *
 * @example
 * ```ts
 * const lost = findCause(error, (e): e is LeaseLostError => e instanceof LeaseLostError);
 * ```
 */
export function findCause<E extends Error>(error: unknown, matches: (e: Error) => e is E): E | undefined {
  for (let e: unknown = error; e instanceof Error; e = e.cause) if (matches(e)) return e;
  return undefined;
}

/** Base class of every error sluice raises on purpose. */
export class SluiceError extends Error {
  // Named here, not from new.target.name: the Lambda bundle is minified without keepNames, which would mangle class names.
  override readonly name: string = 'SluiceError';
  readonly code: ErrorCode;

  constructor(message: string, options: SluiceErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
  }
}

/** A job definition is wrong; raised at load time, naming the field and the fix. */
export class JobDefinitionError extends SluiceError {
  override readonly name: string = 'JobDefinitionError';
  constructor(job: string, message: string, options: { cause?: unknown } = {}) {
    super(`job '${job}': ${message}`, { code: ErrorCode.JobDefinition, ...options });
  }
}

/** A zod type in a row schema has no column mapping. */
export class UnsupportedTypeError extends SluiceError {
  override readonly name: string = 'UnsupportedTypeError';
  readonly field: string;
  constructor(field: string, zodType: string, fix: string) {
    super(`field '${field}': zod type '${zodType}' has no Parquet/Glue column mapping; ${fix}`, {
      code: ErrorCode.UnsupportedType,
    });
    this.field = field;
  }
}

/** No job module by that name. */
export class JobNotFoundError extends SluiceError {
  override readonly name: string = 'JobNotFoundError';
  constructor(name: string, searched: string, cause?: unknown) {
    super(`no job '${name}' in ${searched}: create jobs/${name}.ts exporting defineJob(...) as default`, {
      code: ErrorCode.JobNotFound,
      cause,
    });
  }
}

/** An object store call failed; the batch that made it fails as a whole and is retried. */
export class ObjectStoreError extends SluiceError {
  override readonly name: string = 'ObjectStoreError';
  constructor(message: string, cause?: unknown) {
    super(message, { code: ErrorCode.ObjectStore, cause });
  }
}

/** A catalog call failed. */
export class CatalogError extends SluiceError {
  override readonly name: string = 'CatalogError';
  constructor(message: string, cause?: unknown) {
    super(message, { code: ErrorCode.Catalog, cause });
  }
}

/** The catalog's table no longer matches the job's row schema. */
export class CatalogSchemaMismatchError extends SluiceError {
  override readonly name: string = 'CatalogSchemaMismatchError';
  constructor(message: string) {
    super(message, { code: ErrorCode.CatalogSchemaMismatch });
  }
}

/** A checkpoint could not be read or committed. */
export class CheckpointError extends SluiceError {
  override readonly name: string = 'CheckpointError';
  constructor(message: string, cause?: unknown) {
    super(message, { code: ErrorCode.Checkpoint, cause });
  }
}

/**
 * A worker acted on a shard lease that is no longer its own: another worker took it (after
 * this one stopped renewing for the lease's duration) or it was released. Nothing was written;
 * the worker must stop reading the shard, because the new holder resumes it from the last
 * committed checkpoint.
 *
 * @example
 * ```ts
 * try { await checkpoints.commit(scope, shardId, checkpoint, { lease }) } catch (e) {
 *   if (e instanceof LeaseLostError) return stopShard(e.shardId);
 *   throw e;
 * }
 * ```
 */
export class LeaseLostError extends SluiceError {
  override readonly name: string = 'LeaseLostError';
  readonly job: string;
  readonly stream: string;
  readonly shardId: string;
  readonly owner: string;
  /** Who holds the lease now; undefined when nobody does (released or never taken). */
  readonly holder: string | undefined;

  constructor(where: { job: string; stream: string; shardId: string; owner: string; holder: string | undefined }) {
    const now = where.holder === undefined ? 'nobody holds it now' : `'${where.holder}' holds it now`;
    super(
      `lease on shard '${where.shardId}' of job '${where.job}', stream '${where.stream}' is no longer held by '${where.owner}' ` +
        `(${now}): stop processing the shard; its holder resumes it from the last committed checkpoint`,
      { code: ErrorCode.LeaseLost },
    );
    this.job = where.job;
    this.stream = where.stream;
    this.shardId = where.shardId;
    this.owner = where.owner;
    this.holder = where.holder;
  }
}

/** Reading the stream failed (not a bad record: those go to rejects). */
export class SourceError extends SluiceError {
  override readonly name: string = 'SourceError';
  constructor(message: string, cause?: unknown) {
    super(message, { code: ErrorCode.Source, cause });
  }
}

/** A batch could not be committed; names job, shard and sequence range. */
export class BatchError extends SluiceError {
  override readonly name: string = 'BatchError';
  constructor(message: string, cause?: unknown) {
    super(message, { code: ErrorCode.Batch, cause });
  }
}

/** A query could not be run. */
export class QueryError extends SluiceError {
  override readonly name: string = 'QueryError';
  constructor(message: string, cause?: unknown) {
    super(message, { code: ErrorCode.Query, cause });
  }
}

/**
 * A table or partition could not be compacted. Readers are never left without their rows:
 * the partition keeps the files it had, and re-running compaction finishes or redoes the work.
 *
 * @example
 * ```ts
 * if (error instanceof CompactionError) console.error(error.message); // names the table or partition and what to do
 * ```
 */
export class CompactionError extends SluiceError {
  override readonly name: string = 'CompactionError';
  constructor(message: string, cause?: unknown) {
    super(message, { code: ErrorCode.Compaction, cause });
  }
}

/** The command line was wrong. */
export class UsageError extends SluiceError {
  override readonly name: string = 'UsageError';
  constructor(message: string) {
    super(message, { code: ErrorCode.Usage });
  }
}

/**
 * A shard's batch keeps failing: `sluice status` ends with it (exit 1) after printing the status.
 *
 * @example
 * ```ts
 * throw new ShardStuckError("stuck: sensor-readings shardId-000000000000 (ENOTDIR ...)");
 * ```
 */
export class ShardStuckError extends SluiceError {
  override readonly name: string = 'ShardStuckError';
  constructor(message: string) {
    super(message, { code: ErrorCode.ShardStuck });
  }
}

/**
 * Two jobs declare the same table (or view, or warehouse folder): they would overwrite each
 * other's files and partitions. Raised where jobs are loaded, naming both.
 *
 * @example
 * ```ts
 * throw new TableConflictError("jobs 'a' and 'b' both declare table iot.readings: give one of them its own output name");
 * ```
 */
export class TableConflictError extends SluiceError {
  override readonly name: string = 'TableConflictError';
  constructor(message: string) {
    super(message, { code: ErrorCode.TableConflict });
  }
}

/**
 * Some jobs of the jobs folder do not load: `sluice jobs` lists every job, marks those, and
 * ends with this (exit 1).
 *
 * @example
 * ```ts
 * throw new JobsNotLoadedError("1 of 3 jobs does not load: draft");
 * ```
 */
export class JobsNotLoadedError extends SluiceError {
  override readonly name: string = 'JobsNotLoadedError';
  constructor(message: string) {
    super(message, { code: ErrorCode.JobsNotLoaded });
  }
}

/**
 * A job does not type-check (or does not load): `sluice check` ends with this after printing
 * the compiler's messages.
 *
 * @example
 * ```ts
 * throw new TypeCheckError("2 errors in job 'draft': see the messages above");
 * ```
 */
export class TypeCheckError extends SluiceError {
  override readonly name: string = 'TypeCheckError';
  constructor(message: string) {
    super(message, { code: ErrorCode.TypeCheck });
  }
}

/**
 * A run that caught up wrote no rows but rejected records: every record failed, most likely
 * because of the job, not the data. `sluice run --until-caught-up` ends with this (exit 1).
 *
 * @example
 * ```ts
 * throw new NoRowsWrittenError("job 'x' wrote no rows: all 120 records were rejected (row: ...)");
 * ```
 */
export class NoRowsWrittenError extends SluiceError {
  override readonly name: string = 'NoRowsWrittenError';
  constructor(message: string) {
    super(message, { code: ErrorCode.NoRowsWritten });
  }
}

/**
 * `sluice init` found files where it would write its own: it writes nothing, so no file of
 * the user's is ever overwritten, and the message names each one.
 *
 * @example
 * ```ts
 * throw new ScaffoldConflictError('refusing to overwrite 2 files in /p/app: package.json, jobs/readings.ts; ...', ['package.json', 'jobs/readings.ts']);
 * ```
 */
export class ScaffoldConflictError extends SluiceError {
  override readonly name: string = 'ScaffoldConflictError';
  /** The files in the way, relative to the project folder. */
  readonly files: readonly string[];
  constructor(message: string, files: readonly string[]) {
    super(message, { code: ErrorCode.ScaffoldConflict });
    this.files = files;
  }
}
