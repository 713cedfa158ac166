/**
 * sluice: typed streaming ETL from Kinesis to Athena-ready Parquet.
 *
 * @example
 * ```ts
 * import { defineJob, hourOf, kinesisStream, parseDeviceTime, table } from 'sluice';
 *
 * export default defineJob({
 *   name: 'sensor-readings',
 *   source: kinesisStream({ stream: 'iot-sensor', records: SenseHatMessage }),
 *   steps: (s) => s.map((m) => ({ device_id: m.client_id, event_time: parseDeviceTime(m.timestamp) })),
 *   output: table({ database: 'iot', name: 'sensor_readings', rows: SensorRow, partitionBy: hourOf('event_time') }),
 * });
 * ```
 */
export { defineJob, type BatchOptions, type RetryOptions, type Job, type JobDefinition, type ResolvedTable } from './job/define-job.ts';
export { kinesisStream, type KinesisSource, type KinesisSourceOptions } from './job/source.ts';
export { Steps, type RecordMeta, type StepOptions } from './job/steps.ts';
export {
  arrivalHour,
  Compression,
  hourOf,
  table,
  type ArrivalHourPartitioning,
  type EventHourPartitioning,
  type TableDeclaration,
  type TableOptions,
  type TimePartitioning,
} from './job/table.ts';
export {
  aggregateTable,
  tumbling,
  MeasureKind,
  type AggregateRow,
  type AggregateRowOf,
  type AggregateTableDeclaration,
  type AggregateTableOptions,
  type Measure,
  type MeasureBuilder,
  type TumblingWindow,
} from './job/aggregate.ts';
export { toPartialRows, mergePartialRows, type PartialRow } from './aggregate/partials.ts';
export type { ResolvedAggregate } from './aggregate/resolve-aggregate.ts';
export { lowCardinality } from './schema/column-hints.ts';
export { parseDeviceTime } from './schema/device-time.ts';
export { columnsOf } from './schema/zod-to-columns.ts';
export type { Column, ColumnType } from './schema/column-model.ts';
export { runBatch, type BatchOutput, type PartitionFile, type RejectFile } from './pipeline/run-batch.ts';
export type { StreamRecord } from './decode/stream-record.ts';
export type { RejectLine } from './format/rejects-ndjson.ts';
export { ErrorCode, JobDefinitionError, SluiceError, UnsupportedTypeError } from './errors.ts';
