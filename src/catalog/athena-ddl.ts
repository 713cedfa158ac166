import type { TableInput } from '@aws-sdk/client-glue';

const quote = (name: string): string => `\`${name.replace(/`/g, '``')}\``;
const literal = (text: string): string => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

// Glue records what the DDL keyword EXTERNAL already says.
const IMPLIED_BY_DDL: ReadonlySet<string> = new Set(['EXTERNAL']);

/**
 * `CREATE EXTERNAL TABLE` for Athena from the very Glue `TableInput` sluice creates
 * (`glueTableInput`), so the two cannot drift: same columns and types, string partition
 * keys, Parquet SerDe and formats, location, and every table property (partition
 * projection included).
 *
 * @example
 * ```ts
 * console.log(athenaDdl('iot', glueTableInput(tableDescriptor(job, { locationOf: (k) => `s3://b/${k}` }))));
 * ```
 */
export function athenaDdl(database: string, input: TableInput): string {
  const storage = input.StorageDescriptor ?? {};
  const columns = (storage.Columns ?? []).map((c) => `  ${quote(c.Name!)} ${c.Type}`).join(',\n');
  const partitions = (input.PartitionKeys ?? []).map((k) => `${quote(k.Name!)} ${k.Type}`).join(', ');
  const location = storage.Location!.endsWith('/') ? storage.Location! : `${storage.Location}/`;
  const properties = Object.entries(input.Parameters ?? {})
    .filter(([k]) => !IMPLIED_BY_DDL.has(k))
    .map(([k, v]) => `  ${literal(k)} = ${literal(v)}`)
    .join(',\n');
  return [
    `CREATE EXTERNAL TABLE IF NOT EXISTS ${quote(database)}.${quote(input.Name!)} (`,
    columns,
    ')',
    ...(partitions ? [`PARTITIONED BY (${partitions})`] : []),
    `ROW FORMAT SERDE ${literal(storage.SerdeInfo?.SerializationLibrary ?? '')}`,
    ...(storage.SerdeInfo?.Parameters && Object.keys(storage.SerdeInfo.Parameters).length > 0
      ? [`WITH SERDEPROPERTIES (${Object.entries(storage.SerdeInfo.Parameters).map(([k, v]) => `${literal(k)} = ${literal(v)}`).join(', ')})`]
      : []),
    `STORED AS INPUTFORMAT ${literal(storage.InputFormat ?? '')}`,
    `OUTPUTFORMAT ${literal(storage.OutputFormat ?? '')}`,
    `LOCATION ${literal(location)}`,
    `TBLPROPERTIES (\n${properties}\n);`,
  ].join('\n');
}
