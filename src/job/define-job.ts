import type { z } from 'zod';
import { JobDefinitionError, UnsupportedTypeError } from '../errors.ts';
import type { Column } from '../schema/column-model.ts';
import { columnsOf } from '../schema/zod-to-columns.ts';
import { TIME_PARTITION_KEYS } from '../partition/time-partition.ts';
import { partialsTableName, resolveAggregate, type ResolvedAggregate } from '../aggregate/resolve-aggregate.ts';
import type { AggregateTableDeclaration } from './aggregate.ts';
import type { KinesisSource } from './source.ts';
import { Steps } from './steps.ts';
import { Compression, hourOf, type ProjectedKey, type TableDeclaration, type TimePartitioning } from './table.ts';

/** How records are read and batched: the Lambda event source mapping's settings. */
export interface BatchOptions {
  /** Most records per batch (1-10000); 1000 unless said otherwise. */
  readonly size?: number;
  /** Longest wait to fill a batch, seconds (0-300); 1 unless said otherwise. */
  readonly windowSeconds?: number;
  /** Concurrent batches per shard (1-10); records of one partition key stay in order. 1 unless said otherwise. */
  readonly parallelizationFactor?: number;
  /** Where a new consumer starts: `TRIM_HORIZON` (oldest record, the default) or `LATEST`. */
  readonly startingPosition?: 'TRIM_HORIZON' | 'LATEST';
}

/**
 * What happens when a batch fails (an infrastructure failure: bad records never fail a
 * batch). A batch that runs out of attempts or age goes to the on-failure destination,
 * from which it can be redriven under the same keys.
 */
export interface RetryOptions {
  /** Retries of a failed batch (0-10000), or -1 to retry until the record age runs out. -1 unless said otherwise. */
  readonly maxAttempts?: number;
  /**
   * Oldest record age to keep retrying, seconds (60-604800), or -1 for no limit. 21600 (6 h)
   * unless said otherwise. With the function timeout it is the retry horizon compaction waits out.
   */
  readonly maxRecordAgeSeconds?: number;
  /** Split a failing batch in two and retry each half; true unless said otherwise. */
  readonly bisectOnError?: boolean;
}

export interface JobDefinition<In extends z.ZodType, Row extends z.ZodObject> {
  /** Job name: lowercase letters, digits and `-`; names the Lambda function and the stack. */
  readonly name: string;
  readonly source: KinesisSource<In>;
  /** The typed steps from a record to a row. Return `s` itself when records already are rows. */
  readonly steps: (s: Steps<z.output<In>>) => Steps<z.input<Row>>;
  /** Where rows go: `table({...})`, or `aggregateTable({...})` for windowed aggregates. */
  readonly output: TableDeclaration<Row> | AggregateTableDeclaration<Row>;
  readonly batch?: BatchOptions;
  readonly retry?: RetryOptions;
}

/** An output table after load-time validation: columns resolved from the row schema. */
export interface ResolvedTable<Row extends z.ZodObject = z.ZodObject> extends TableDeclaration<Row> {
  /** Every column of the row schema. */
  readonly columns: readonly Column[];
  /** Columns stored in the Parquet files (row columns minus the extra partition keys). */
  readonly dataColumns: readonly Column[];
  /** All partition keys in path order: year, month, day, hour, then the extra keys. */
  readonly allPartitionKeys: readonly string[];
  /**
   * Set for an aggregate output: the stored table (`name`, `dataColumns`) holds partial
   * aggregates, `rows` are the rows aggregated, and the view merges the partials.
   */
  readonly aggregate?: ResolvedAggregate;
}

/** A validated job, ready to run anywhere: locally, in Lambda, in tests. */
export interface Job<In extends z.ZodType = z.ZodType, Row extends z.ZodObject = z.ZodObject> {
  readonly kind: 'sluice.job';
  readonly name: string;
  readonly source: KinesisSource<In>;
  readonly steps: Steps<z.input<Row>>;
  readonly output: ResolvedTable<Row>;
  readonly batch: Required<BatchOptions>;
  readonly retry: Required<RetryOptions>;
}

const JOB_NAME = /^[a-z][a-z0-9-]{0,62}$/;
const GLUE_NAME = /^[a-z_][a-z0-9_]{0,254}$/;
const COLUMN_NAME = /^[a-z_][a-z0-9_]*$/;
const PREFIX = /^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/;
const PARTITION_VALUE_KINDS: ReadonlySet<string> = new Set(['string', 'int32', 'int64', 'boolean']);
const COMPRESSIONS: ReadonlySet<string> = new Set(Object.values(Compression));

/**
 * Defines a job. Everything about the definition is checked here, when the module loads:
 * a bad name, a zod type with no column, a partition field that is not a timestamp, each
 * fails with a `JobDefinitionError` naming the field and the fix.
 *
 * @example
 * ```ts
 * export default defineJob({
 *   name: 'sensor-readings',
 *   source: kinesisStream({ stream: 'iot-sensor', records: SenseHatMessage }),
 *   steps: (s) => s.map((m) => ({ device_id: m.client_id, event_time: parseDeviceTime(m.timestamp) })),
 *   output: table({ database: 'iot', name: 'sensor_readings', rows: SensorRow, partitionBy: hourOf('event_time') }),
 * });
 * ```
 */
export function defineJob<In extends z.ZodType, Row extends z.ZodObject>(
  definition: JobDefinition<In, Row>,
): Job<In, Row> {
  const name = validateName(definition);
  if (!definition.source || definition.source.kind !== 'kinesis') {
    throw new JobDefinitionError(name, "source: use kinesisStream({ stream: '<name>', records: <zod schema> })");
  }
  if (typeof definition.source.stream !== 'string' || definition.source.stream === '') {
    throw new JobDefinitionError(name, "source.stream: give the stream name, e.g. kinesisStream({ stream: 'iot-sensor', ... })");
  }
  if (typeof definition.steps !== 'function') {
    throw new JobDefinitionError(name, 'steps: give a function (s) => s.map(...); use (s) => s when records already are rows');
  }
  const steps = definition.steps(Steps.start());
  if (!(steps instanceof Steps)) {
    throw new JobDefinitionError(name, 'steps: the function must return the chain it was given, e.g. (s) => s.map(...)');
  }
  return {
    kind: 'sluice.job',
    name,
    source: definition.source,
    steps,
    output: resolveOutput(name, definition.output),
    batch: resolveBatch(name, definition.batch ?? {}),
    retry: resolveRetry(name, definition.retry ?? {}),
  };
}

function validateName(definition: { name?: unknown }): string {
  const name = definition.name;
  if (typeof name !== 'string' || !JOB_NAME.test(name)) {
    throw new JobDefinitionError(
      String(name),
      'name: use lowercase letters, digits and "-", starting with a letter, at most 63 characters (e.g. "sensor-readings")',
    );
  }
  return name;
}

function resolveOutput<Row extends z.ZodObject>(
  job: string,
  output: TableDeclaration<Row> | AggregateTableDeclaration<Row>,
): ResolvedTable<Row> {
  if (output?.kind !== 'aggregate-table') return resolveTable(job, output);
  // The partials are a table like any other (validated rows, hour partitions by the window's
  // time field); only what is stored differs: one partial state row per window and group.
  if (typeof output.window?.on !== 'string') {
    throw new JobDefinitionError(job, "output.window: use tumbling('<size>', { on: '<timestamp field>' }), e.g. tumbling('5 minutes', { on: 'event_time' })");
  }
  const partials = resolveTable(job, {
    kind: 'table',
    database: output.database,
    name: typeof output.name === 'string' ? partialsTableName(output.name) : output.name,
    rows: output.rows,
    partitionBy: hourOf(output.window.on),
    partitionKeys: [],
    compression: output.compression,
    prefix: output.prefix,
  }, { timeFieldLabel: `output.window tumbling(..., { on: '${output.window.on}' })` });
  const aggregate = resolveAggregate(job, output, partials.columns);
  return { ...partials, dataColumns: aggregate.partialColumns, aggregate };
}

interface ResolveTableOptions {
  /** How errors name the field that gives the hour partition. */
  readonly timeFieldLabel?: string;
}

function resolveTable<Row extends z.ZodObject>(job: string, output: TableDeclaration<Row>, options: ResolveTableOptions = {}): ResolvedTable<Row> {
  if (!output || output.kind !== 'table') {
    throw new JobDefinitionError(job, "output: use table({ database, name, rows, partitionBy }) or aggregateTable({ database, name, rows, window, groupBy, measures })");
  }
  for (const [field, value] of [['output.database', output.database], ['output.name', output.name]] as const) {
    if (typeof value !== 'string' || !GLUE_NAME.test(value)) {
      throw new JobDefinitionError(job, `${field} '${String(value)}': Glue names take lowercase letters, digits and "_" (e.g. "sensor_readings")`);
    }
  }
  if (!PREFIX.test(output.prefix)) {
    throw new JobDefinitionError(job, `output.prefix '${output.prefix}': use path segments of letters, digits and !_.*'()- separated by "/", no leading or trailing "/"`);
  }
  if (!COMPRESSIONS.has(output.compression)) {
    throw new JobDefinitionError(job, `output.compression '${String(output.compression)}': use one of ${[...COMPRESSIONS].join(', ')}`);
  }
  let columns: Column[];
  try {
    columns = columnsOf(output.rows);
  } catch (error) {
    if (error instanceof UnsupportedTypeError) throw new JobDefinitionError(job, `output.rows: ${error.message}`, { cause: error });
    throw error;
  }
  checkColumnNames(job, columns, '');
  const reserved = columns.find((c) => (TIME_PARTITION_KEYS as readonly string[]).includes(c.name));
  if (reserved) {
    throw new JobDefinitionError(job, `output.rows field '${reserved.name}': year, month, day and hour are the partition keys; rename the field (e.g. '${reserved.name}_of_day')`);
  }
  checkTimePartitioning(job, output.partitionBy, columns, options.timeFieldLabel);
  const byName = new Map(columns.map((c) => [c.name, c]));
  const seen = new Set<string>();
  for (const key of output.partitionKeys) {
    const column = byName.get(key);
    if (!column) throw new JobDefinitionError(job, `output.partitionKeys '${key}': no such field in output.rows; name a field of the row schema`);
    if (!PARTITION_VALUE_KINDS.has(column.type.kind)) {
      throw new JobDefinitionError(job, `output.partitionKeys '${key}': a ${column.type.kind} field cannot name a partition; use a string, integer or boolean field`);
    }
    if (seen.has(key)) throw new JobDefinitionError(job, `output.partitionKeys '${key}' is listed twice; list it once`);
    seen.add(key);
  }
  checkProjection(job, output);
  const dataColumns = columns.filter((c) => !seen.has(c.name));
  if (dataColumns.length === 0) {
    throw new JobDefinitionError(job, 'output.partitionKeys: every field is a partition key; keep at least one data column');
  }
  return {
    ...output,
    columns,
    dataColumns,
    allPartitionKeys: [...TIME_PARTITION_KEYS, ...output.partitionKeys],
  };
}

function checkProjection(job: string, output: TableDeclaration): void {
  const projection = output.projection;
  if (!projection) return;
  const { from, to } = projection.years ?? ({} as { from?: number; to?: number });
  if (!Number.isInteger(from) || !Number.isInteger(to) || from! < 1970 || to! < from! || to! > 9999) {
    throw new JobDefinitionError(job, `output.projection.years: give whole years { from, to } with 1970 <= from <= to <= 9999 (e.g. { from: 2024, to: 2030 })`);
  }
  const keys = projection.keys ?? {};
  for (const key of output.partitionKeys) {
    const projected = (keys as Record<string, ProjectedKey | undefined>)[key];
    if (!projected) {
      throw new JobDefinitionError(job, `output.projection.keys.${key}: every extra partition key needs a projection: { type: 'enum', values: [...] } or { type: 'injected' }`);
    }
    if (projected.type === 'enum' && (!Array.isArray(projected.values) || projected.values.length === 0)) {
      throw new JobDefinitionError(job, `output.projection.keys.${key}: an enum projection lists its values, e.g. { type: 'enum', values: ['walking', 'running'] }`);
    }
    if (projected.type !== 'enum' && projected.type !== 'injected') {
      throw new JobDefinitionError(job, `output.projection.keys.${key}: use { type: 'enum', values: [...] } or { type: 'injected' }`);
    }
  }
  const unknown = Object.keys(keys).find((k) => !output.partitionKeys.includes(k));
  if (unknown) throw new JobDefinitionError(job, `output.projection.keys.${unknown}: not a partition key; list it in output.partitionKeys or remove it`);
}

function checkColumnNames(job: string, columns: readonly Column[], path: string): void {
  for (const column of columns) {
    const where = path ? `${path}.${column.name}` : column.name;
    if (!COLUMN_NAME.test(column.name)) {
      throw new JobDefinitionError(job, `output.rows field '${where}': Athena column names take lowercase letters, digits and "_"; rename it (e.g. '${column.name.toLowerCase().replace(/[^a-z0-9_]/g, '_')}')`);
    }
    if (column.type.kind === 'struct') checkColumnNames(job, column.type.fields, where);
  }
}

function checkTimePartitioning(job: string, partitionBy: TimePartitioning, columns: readonly Column[], label?: string): void {
  if (!partitionBy || (partitionBy.kind !== 'event-hour' && partitionBy.kind !== 'arrival-hour')) {
    throw new JobDefinitionError(job, "output.partitionBy: use hourOf('<timestamp field>') or arrivalHour()");
  }
  if (partitionBy.kind === 'arrival-hour') return;
  const column = columns.find((c) => c.name === partitionBy.field);
  if (!column) {
    throw new JobDefinitionError(job, `${label ?? `output.partitionBy hourOf('${partitionBy.field}')`}: no such field in output.rows; name a timestamp field`);
  }
  if (column.type.kind !== 'timestamp') {
    throw new JobDefinitionError(job, `${label ?? `output.partitionBy hourOf('${partitionBy.field}')`}: the field is ${column.type.kind}; declare it z.date() or z.iso.datetime()`);
  }
}

function resolveBatch(job: string, batch: BatchOptions): Required<BatchOptions> {
  const size = batch.size ?? 1000;
  const windowSeconds = batch.windowSeconds ?? 1;
  if (!Number.isInteger(size) || size < 1 || size > 10_000) {
    throw new JobDefinitionError(job, `batch.size ${size}: use a whole number from 1 to 10000 (the Kinesis event source mapping's range)`);
  }
  if (!Number.isFinite(windowSeconds) || windowSeconds < 0 || windowSeconds > 300) {
    throw new JobDefinitionError(job, `batch.windowSeconds ${windowSeconds}: use 0 to 300 seconds (the Kinesis event source mapping's range)`);
  }
  const parallelizationFactor = batch.parallelizationFactor ?? 1;
  if (!Number.isInteger(parallelizationFactor) || parallelizationFactor < 1 || parallelizationFactor > 10) {
    throw new JobDefinitionError(job, `batch.parallelizationFactor ${parallelizationFactor}: use a whole number from 1 to 10`);
  }
  const startingPosition = batch.startingPosition ?? 'TRIM_HORIZON';
  if (startingPosition !== 'TRIM_HORIZON' && startingPosition !== 'LATEST') {
    throw new JobDefinitionError(job, `batch.startingPosition '${String(startingPosition)}': use 'TRIM_HORIZON' or 'LATEST'`);
  }
  return { size, windowSeconds, parallelizationFactor, startingPosition };
}

function resolveRetry(job: string, retry: RetryOptions): Required<RetryOptions> {
  const maxAttempts = retry.maxAttempts ?? -1;
  const maxRecordAgeSeconds = retry.maxRecordAgeSeconds ?? 21_600;
  if (!Number.isInteger(maxAttempts) || maxAttempts < -1 || maxAttempts > 10_000) {
    throw new JobDefinitionError(job, `retry.maxAttempts ${maxAttempts}: use a whole number from 0 to 10000, or -1 to retry until retry.maxRecordAgeSeconds`);
  }
  if (!Number.isInteger(maxRecordAgeSeconds) || (maxRecordAgeSeconds !== -1 && (maxRecordAgeSeconds < 60 || maxRecordAgeSeconds > 604_800))) {
    throw new JobDefinitionError(job, `retry.maxRecordAgeSeconds ${maxRecordAgeSeconds}: use 60 to 604800 seconds, or -1 for no limit`);
  }
  return { maxAttempts, maxRecordAgeSeconds, bisectOnError: retry.bisectOnError ?? true };
}
