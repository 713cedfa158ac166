import { GlueCatalog } from '../../catalog/glue-catalog.ts';
import { createGlueClient } from '../../catalog/glue-client.ts';
import { UsageError } from '../../errors.ts';
import { createS3Client } from '../../store/s3-client.ts';
import { S3ObjectStore } from '../../store/s3-object-store.ts';
import { HandlerEnvironment } from './handler-environment.ts';
import type { HandlerAdapters } from './kinesis-handler.ts';

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
