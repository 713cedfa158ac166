import { ParquetSchema, ParquetWriter } from '@dsnp/parquetjs';
import type { Column, ColumnType } from '../src/schema/column-model.ts';

/**
 * The pure-JavaScript reference writer (`@dsnp/parquetjs`), fed the same rows sluice writes,
 * with the schema derived from the same column model. It has no ZSTD, so it is compared
 * with SNAPPY, its fastest real codec.
 */

type FieldDefinition = ConstructorParameters<typeof ParquetSchema>[0][string];
export type ParquetjsCodec = 'SNAPPY' | 'GZIP' | 'UNCOMPRESSED';

function field(type: ColumnType, nullable: boolean, compression: ParquetjsCodec): FieldDefinition {
  const common = { optional: nullable, compression };
  switch (type.kind) {
    case 'string':
      return { type: 'UTF8', ...common };
    case 'double':
      return { type: 'DOUBLE', ...common };
    case 'int32':
      return { type: 'INT32', ...common };
    case 'int64':
      return { type: 'INT64', ...common };
    case 'boolean':
      return { type: 'BOOLEAN', ...common };
    case 'timestamp':
      return { type: 'TIMESTAMP_MILLIS', ...common };
    case 'struct':
      return { optional: nullable, fields: fieldsOf(type.fields, compression) };
    case 'list':
      // parquetjs writes bare repeated fields, not the LIST logical type: not a like-for-like comparison.
      throw new Error('the parquetjs comparison supports flat and struct columns only');
  }
}

function fieldsOf(columns: readonly Column[], compression: ParquetjsCodec): Record<string, FieldDefinition> {
  return Object.fromEntries(columns.map((c) => [c.name, field(c.type, c.nullable, compression)]));
}

/**
 * The parquetjs schema of a table's data columns.
 *
 * @example
 * ```ts
 * const schema = parquetjsSchema(job.output.dataColumns, 'SNAPPY');
 * ```
 */
export function parquetjsSchema(columns: readonly Column[], compression: ParquetjsCodec): ParquetSchema {
  return new ParquetSchema(fieldsOf(columns, compression));
}

/**
 * Rows -> Parquet bytes in memory with parquetjs, one row group like sluice's files.
 *
 * @example
 * ```ts
 * const bytes = await writeWithParquetjs(rows, schema);
 * ```
 */
export async function writeWithParquetjs(rows: readonly Record<string, unknown>[], schema: ParquetSchema): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  // An in-memory stream: sluice encodes to bytes before its store writes them, so neither side touches the disk here.
  const sink = {
    write: (chunk: Buffer, callback?: (error?: Error | null) => void): boolean => {
      chunks.push(Buffer.from(chunk));
      callback?.(null);
      return true;
    },
    end: (callback?: () => void): void => callback?.(),
  };
  const writer = await ParquetWriter.openStream(schema, sink as never, { rowGroupSize: rows.length + 1 });
  for (const row of rows) await writer.appendRow(row);
  await writer.close();
  return new Uint8Array(Buffer.concat(chunks));
}
