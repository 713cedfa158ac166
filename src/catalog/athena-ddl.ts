import type { ProjectionOptions } from '../job/table.ts';
import { TIME_PARTITION_KEYS } from '../partition/time-partition.ts';
import { glueType } from '../schema/glue-types.ts';
import type { TableDescriptor } from './catalog.ts';
import { projectionProperties } from './partition-projection.ts';

/** The Parquet SerDe and formats every sluice table uses, in Glue and in DDL alike. */
export const PARQUET_STORAGE = {
  serde: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
  inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
} as const;

const quote = (name: string): string => `\`${name.replace(/`/g, '``')}\``;
const literal = (text: string): string => `'${text.replace(/'/g, "\\'")}'`;

export interface AthenaDdlOptions {
  /** Parquet codec, recorded as `parquet.compression`. */
  readonly compression?: string;
  readonly projection?: ProjectionOptions;
}

/**
 * `CREATE EXTERNAL TABLE` for Athena, matching the Glue table sluice creates: same columns
 * and types, string partition keys, Parquet SerDe, location and (when used) partition
 * projection properties.
 *
 * @example
 * ```ts
 * console.log(athenaDdl({ database: 'iot', name: 'sensor_readings', location: 's3://b/iot/sensor_readings/',
 *                         columns, partitionKeys: ['year', 'month', 'day', 'hour'] }));
 * ```
 */
export function athenaDdl(table: TableDescriptor, options: AthenaDdlOptions = {}): string {
  const columns = table.columns.map((c) => `  ${quote(c.name)} ${glueType(c.type)}`).join(',\n');
  const partitions = table.partitionKeys.map((k) => `${quote(k)} string`).join(', ');
  const location = table.location.endsWith('/') ? table.location : `${table.location}/`;
  const properties: Record<string, string> = {
    classification: 'parquet',
    ...(options.compression ? { 'parquet.compression': options.compression.toUpperCase() } : {}),
    ...(options.projection ? projectionProperties(options.projection, { location: table.location, partitionKeys: table.partitionKeys.filter((k) => !(TIME_PARTITION_KEYS as readonly string[]).includes(k)) }) : {}),
  };
  const tblproperties = Object.entries(properties)
    .map(([k, v]) => `  ${literal(k)} = ${literal(v)}`)
    .join(',\n');
  return [
    `CREATE EXTERNAL TABLE IF NOT EXISTS ${quote(table.database)}.${quote(table.name)} (`,
    columns,
    ')',
    `PARTITIONED BY (${partitions})`,
    `ROW FORMAT SERDE ${literal(PARQUET_STORAGE.serde)}`,
    `STORED AS INPUTFORMAT ${literal(PARQUET_STORAGE.inputFormat)}`,
    `OUTPUTFORMAT ${literal(PARQUET_STORAGE.outputFormat)}`,
    `LOCATION ${literal(location)}`,
    `TBLPROPERTIES (\n${tblproperties}\n);`,
  ].join('\n');
}
