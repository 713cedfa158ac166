import type { TableInput } from '@aws-sdk/client-glue';
import { glueTableInput } from '../src/catalog/glue-table-input.ts';
import { projectionProperties } from '../src/catalog/partition-projection.ts';
import type { Job } from '../src/job/define-job.ts';
import { tableRootKey } from '../src/partition/object-keys.ts';
import { rejectsTableDescriptor } from '../src/runtime/table-descriptor.ts';
import { join, ref, type CfnResource, type CfnValue } from './cloudformation.ts';

/**
 * Options of {@link glueTableResource}.
 *
 * @example
 * ```ts
 * const options: GlueTableResourceOptions = { bucket: { Ref: 'SluiceBucket' } };
 * ```
 */
export interface GlueTableResourceOptions {
  /** The bucket's name, or a reference to the stack's bucket. */
  readonly bucket: CfnValue;
}

/**
 * Stands in for the bucket's name while the table input is built from plain strings, then
 * is replaced by the bucket value wherever it landed (Location, projection template).
 * Not a valid bucket name, so it cannot collide with a real one.
 */
const BUCKET_TOKEN = '__sluice_bucket__';

/**
 * The job's Glue table as a CloudFormation resource: the same `TableInput` the Glue catalog
 * adapter creates (`glueTableInput`: ParquetHiveSerDe, Mapred Parquet formats, data columns
 * from `glueColumns(job.output.dataColumns)`, string partition keys year, month, day, hour
 * and the job's extra keys), located at `s3://<bucket>/<prefix>/<table>/`, with partition
 * projection properties when the job declares projection. Pure, so a deploy-time schema
 * check can compare the resource of a new job against the deployed one.
 *
 * @example
 * ```ts
 * glueTableResource(job, { bucket: 'acme-warehouse' }).Properties.TableInput.StorageDescriptor.Location;
 * // 's3://acme-warehouse/iot/sensor_readings/'
 * ```
 */
export function glueTableResource(job: Job, options: GlueTableResourceOptions): CfnResource & { readonly Properties: { readonly TableInput: TableInput } } {
  const { output } = job;
  const location = `s3://${BUCKET_TOKEN}/${tableRootKey({ prefix: output.prefix, table: output.name })}/`;
  const input = glueTableInput(
    { database: output.database, name: output.name, location, columns: output.dataColumns, partitionKeys: output.allPartitionKeys },
    { compression: output.compression },
  );
  const withProjection: TableInput = output.projection
    ? { ...input, Parameters: { ...input.Parameters, ...projectionProperties(output.projection, { location, partitionKeys: output.partitionKeys }) } }
    : input;
  return {
    Type: 'AWS::Glue::Table',
    Properties: {
      CatalogId: ref('AWS::AccountId'),
      DatabaseName: output.database,
      TableInput: withBucket(withProjection, options.bucket) as TableInput,
    },
  };
}

/**
 * The job's rejects table (`<table>_rejects`) as a CloudFormation resource: the same
 * `TableInput` the catalog adapters create from `rejectsTableDescriptor` (JSON lines, the
 * OpenX JSON SerDe, arrival-hour partitions) at `s3://<bucket>/<prefix>/_rejects/<table>/`.
 * The handler registers its partitions as rejects arrive, so it must exist before the
 * function's first batch with a reject.
 *
 * @example
 * ```ts
 * rejectsTableResource(job, { bucket: 'acme-warehouse' }).Properties.TableInput.Name; // 'sensor_readings_rejects'
 * ```
 */
export function rejectsTableResource(job: Job, options: GlueTableResourceOptions): CfnResource & { readonly Properties: { readonly TableInput: TableInput } } {
  const input = glueTableInput(rejectsTableDescriptor(job, { locationOf: (key) => `s3://${BUCKET_TOKEN}/${key}/` }));
  return {
    Type: 'AWS::Glue::Table',
    Properties: { CatalogId: ref('AWS::AccountId'), DatabaseName: job.output.database, TableInput: withBucket(input, options.bucket) as TableInput },
  };
}

/** Replaces the bucket token in every string of a value; strings holding it become `Fn::Join`s. */
function withBucket(value: unknown, bucket: CfnValue): unknown {
  if (typeof value === 'string') {
    if (!value.includes(BUCKET_TOKEN)) return value;
    const pieces = value.split(BUCKET_TOKEN);
    return join(pieces.flatMap((piece, i) => (i === 0 ? [piece] : [bucket, piece])).filter((p) => p !== ''));
  }
  if (Array.isArray(value)) return value.map((v) => withBucket(v, bucket));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withBucket(v, bucket)]));
  }
  return value;
}
