import { GlueCatalog } from '../../catalog/glue-catalog.ts';
import { createGlueClient } from '../../catalog/glue-client.ts';
import { UsageError } from '../../errors.ts';
import { createS3Client } from '../../store/s3-client.ts';
import { S3ObjectStore } from '../../store/s3-object-store.ts';
import type { HandlerAdapters } from './kinesis-handler.ts';

/** Environment variables the job's stack sets on its function. */
export const HandlerEnvironment = {
  /** The bucket the job writes to. */
  Bucket: 'SLUICE_BUCKET',
  /** Catalog id (AWS account) of the Glue Data Catalog; the function's own account when unset. */
  CatalogId: 'SLUICE_GLUE_CATALOG_ID',
} as const;

/**
 * The adapters of a deployed handler: S3 for files, Glue for partitions, clients created
 * once per container from the function's environment and role.
 *
 * @example
 * ```ts
 * export const handler = createKinesisHandler(job, { adapters: awsAdaptersFromEnvironment });
 * ```
 */
export function awsAdaptersFromEnvironment(env: Readonly<Record<string, string | undefined>> = process.env): HandlerAdapters {
  const bucket = env[HandlerEnvironment.Bucket];
  if (!bucket) {
    throw new UsageError(`${HandlerEnvironment.Bucket} is not set: deploy the function with the job's stack (serverless deploy --param="job=<name>"), which sets it`);
  }
  const catalogId = env[HandlerEnvironment.CatalogId];
  return {
    store: new S3ObjectStore({ client: createS3Client(), bucket }),
    catalog: new GlueCatalog({ client: createGlueClient(), ...(catalogId ? { catalogId } : {}) }),
  };
}
