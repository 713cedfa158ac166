import type { Column } from '../schema/column-model.ts';
import type { RejectLine } from './rejects-ndjson.ts';

/**
 * The name of a table's rejects table: `<table>_rejects`.
 *
 * @example
 * ```ts
 * rejectsTableName('sensor_readings'); // 'sensor_readings_rejects'
 * ```
 */
export function rejectsTableName(table: string): string {
  return `${table}_rejects`;
}

const text = (name: string, nullable = false): Column => ({ name, type: { kind: 'string', dictionary: false }, nullable });

/**
 * The rejects table's columns, in order, and the field of a reject line each one reads.
 * Hive columns are lower case, so the line's camelCase fields are mapped by name (the JSON
 * SerDe's `mapping.<column>` properties in Glue, aliases in DuckDB). `arrival_time` stays the
 * line's ISO-8601 text: it sorts and compares as a time, and reads the same in Athena and DuckDB.
 *
 * @example
 * ```ts
 * REJECT_FIELDS.shard_id; // 'shardId'
 * ```
 */
export const REJECT_FIELDS = {
  job: 'job',
  shard_id: 'shardId',
  sequence_number: 'sequenceNumber',
  sub_sequence_number: 'subSequenceNumber',
  partition_key: 'partitionKey',
  arrival_time: 'arrivalTime',
  stage: 'stage',
  reason: 'reason',
  data: 'data',
} as const satisfies Readonly<Record<string, keyof RejectLine>>;

/**
 * The column model of a rejects table (see {@link REJECT_FIELDS}). `data` is the record's raw
 * bytes in base64 (`from_base64(data)` in Athena and DuckDB gives them back).
 *
 * @example
 * ```ts
 * REJECT_COLUMNS.map((c) => c.name); // ['job', 'shard_id', ..., 'data']
 * ```
 */
export const REJECT_COLUMNS: readonly Column[] = [
  text('job'),
  text('shard_id'),
  text('sequence_number'),
  { name: 'sub_sequence_number', type: { kind: 'int64' }, nullable: true },
  text('partition_key'),
  text('arrival_time'),
  text('stage'),
  text('reason'),
  text('data'),
];
