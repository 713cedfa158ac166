import type { StorageDescriptor, Table, TableInput } from '@aws-sdk/client-glue';
import type { Compression, ProjectionOptions } from '../job/table.ts';
import { TIME_PARTITION_KEYS } from '../partition/time-partition.ts';
import { projectionProperties } from './partition-projection.ts';
import { glueColumns } from '../schema/glue-types.ts';
import { TableFormat, type TableDescriptor } from './catalog.ts';
import { REJECT_FIELDS } from '../format/rejects-table.ts';

/**
 * The Hive classes that make Athena (and Glue jobs, Spark, Trino) read a table's files as
 * Parquet. Athena picks its reader from the SerDe, so these must be exactly these strings.
 *
 * @example
 * ```ts
 * input.StorageDescriptor?.SerdeInfo?.SerializationLibrary === ParquetHive.SerializationLibrary; // true
 * ```
 */
export const ParquetHive = {
  InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
} as const;

/**
 * The Hive classes for a table of JSON lines (a job's rejects): the OpenX JSON SerDe, which
 * Athena reads and which maps lower-case columns to camelCase fields with `mapping.<column>`.
 *
 * @example
 * ```ts
 * input.StorageDescriptor?.SerdeInfo?.SerializationLibrary === JsonHive.SerializationLibrary; // a rejects table
 * ```
 */
export const JsonHive = {
  InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
  OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
  SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
} as const;

/**
 * Table parameter holding the table's column model as JSON. Glue columns carry only a
 * name and a type string, so nullability and writer hints (dictionary strings, how a
 * timestamp arrives) would otherwise be lost; reading them back lets `getTable` return the
 * table as declared and lets schema checks refuse nullability changes, as the local catalog does.
 *
 * @example
 * ```ts
 * const columns = JSON.parse(table.Parameters?.[COLUMN_MODEL_PARAMETER] ?? '[]');
 * ```
 */
export const COLUMN_MODEL_PARAMETER = 'sluice.columns';

/**
 * `parquet.compression` values: Athena uses the property when it writes to the table
 * (INSERT INTO, CTAS into it); readers take the codec from each file.
 */
const parquetCompression: { readonly [C in Compression]: string } = {
  zstd: 'ZSTD',
  snappy: 'SNAPPY',
  gzip: 'GZIP',
  lz4_raw: 'LZ4',
  brotli: 'BROTLI',
  uncompressed: 'UNCOMPRESSED',
};

/**
 * Options of {@link glueTableInput}.
 *
 * @example
 * ```ts
 * const options: GlueTableInputOptions = { compression: 'zstd' };
 * ```
 */
export interface GlueTableInputOptions {
  /** The codec the job writes with, recorded as `parquet.compression`; omitted when not given. */
  readonly compression?: Compression;
  /** Partition projection: its properties join the table's parameters. */
  readonly projection?: ProjectionOptions;
}

/**
 * The Glue `TableInput` of a sluice table: an external Parquet table (ParquetHiveSerDe,
 * MapredParquetInputFormat / MapredParquetOutputFormat) at the table's location, with the
 * data columns from `glueColumns` and every partition key typed `string` (partition values
 * are folder names, zero-padded hours included). Pure, so the CloudFormation generator
 * declares exactly the table `GlueCatalog.ensureTable` creates.
 *
 * @example
 * ```ts
 * const input = glueTableInput(tableDescriptor(job, store), { compression: job.output.compression });
 * await client.send(new CreateTableCommand({ DatabaseName: 'iot', TableInput: input }));
 * ```
 */
export function glueTableInput(descriptor: TableDescriptor, options: GlueTableInputOptions = {}): TableInput {
  if (descriptor.format === TableFormat.JsonLines) return jsonLinesTableInput(descriptor);
  return {
    Name: descriptor.name,
    TableType: 'EXTERNAL_TABLE',
    Parameters: {
      classification: 'parquet',
      EXTERNAL: 'TRUE',
      ...(options.compression === undefined ? {} : { 'parquet.compression': parquetCompression[options.compression] }),
      [COLUMN_MODEL_PARAMETER]: JSON.stringify(descriptor.columns),
      ...(options.projection
        ? projectionProperties(options.projection, {
            location: descriptor.location,
            partitionKeys: descriptor.partitionKeys.filter((k) => !(TIME_PARTITION_KEYS as readonly string[]).includes(k)),
          })
        : {}),
    },
    StorageDescriptor: {
      Columns: glueColumns(descriptor.columns),
      Location: descriptor.location,
      InputFormat: ParquetHive.InputFormat,
      OutputFormat: ParquetHive.OutputFormat,
      SerdeInfo: {
        SerializationLibrary: ParquetHive.SerializationLibrary,
        Parameters: { 'serialization.format': '1' },
      },
    },
    PartitionKeys: descriptor.partitionKeys.map((key) => ({ Name: key, Type: 'string' })),
  };
}

/** A JSON-lines table (a job's rejects): OpenX JSON SerDe, each column mapped to its field, partitions registered. */
function jsonLinesTableInput(descriptor: TableDescriptor): TableInput {
  const mapping = Object.fromEntries(Object.entries(REJECT_FIELDS).filter(([column, field]) => column !== field).map(([column, field]) => [`mapping.${column}`, field]));
  return {
    Name: descriptor.name,
    TableType: 'EXTERNAL_TABLE',
    Parameters: { classification: 'json', EXTERNAL: 'TRUE', [COLUMN_MODEL_PARAMETER]: JSON.stringify(descriptor.columns) },
    StorageDescriptor: {
      Columns: glueColumns(descriptor.columns),
      Location: descriptor.location,
      InputFormat: JsonHive.InputFormat,
      OutputFormat: JsonHive.OutputFormat,
      SerdeInfo: { SerializationLibrary: JsonHive.SerializationLibrary, Parameters: { 'ignore.malformed.json': 'FALSE', ...mapping } },
    },
    PartitionKeys: descriptor.partitionKeys.map((key) => ({ Name: key, Type: 'string' })),
  };
}

/**
 * The `TableInput` that brings an existing Glue table to the job's columns (new nullable
 * columns appended, as `planSchemaChange` allowed). `UpdateTable` replaces the whole
 * definition, so everything else is carried over from the table as it is, including
 * parameters others set (partition projection, Lake Formation, CloudFormation tags).
 *
 * @example
 * ```ts
 * const { Table } = await client.send(new GetTableCommand({ DatabaseName: 'iot', Name: 'readings' }));
 * await client.send(new UpdateTableCommand({ DatabaseName: 'iot', TableInput: glueTableUpdateInput(Table!, desired),
 *                                            VersionId: Table!.VersionId }));
 * ```
 */
export function glueTableUpdateInput(existing: Table, desired: TableDescriptor): TableInput {
  const storage: StorageDescriptor = { ...existing.StorageDescriptor, Columns: glueColumns(desired.columns) };
  return {
    ...pickTableInput(existing),
    StorageDescriptor: storage,
    Parameters: { ...existing.Parameters, [COLUMN_MODEL_PARAMETER]: JSON.stringify(desired.columns) },
  };
}

/** A `Table` also holds read-only fields (CreateTime, VersionId, ...) that `UpdateTable` refuses. */
function pickTableInput(table: Table): TableInput {
  const input: TableInput = { Name: table.Name };
  const writable = [
    'Description',
    'Owner',
    'Retention',
    'StorageDescriptor',
    'PartitionKeys',
    'ViewOriginalText',
    'ViewExpandedText',
    'TableType',
    'Parameters',
    'TargetTable',
  ] as const satisfies ReadonlyArray<keyof TableInput & keyof Table>;
  for (const field of writable) {
    if (table[field] !== undefined) Object.assign(input, { [field]: table[field] });
  }
  return input;
}
