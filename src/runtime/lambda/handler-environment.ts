/**
 * Environment variables the job's stack sets on its functions. A module of its own, so the
 * logger and the stack definition can name them without loading the AWS SDK.
 *
 * @example
 * ```ts
 * environment: { [HandlerEnvironment.Bucket]: bucket, [HandlerEnvironment.Job]: job.name }
 * ```
 */
export const HandlerEnvironment = {
  /** The bucket the job writes to. */
  Bucket: 'SLUICE_BUCKET',
  /** Catalog id (AWS account) of the Glue Data Catalog; the function's own account when unset. */
  CatalogId: 'SLUICE_GLUE_CATALOG_ID',
  /** The job's name: the service name of the functions' logs. */
  Job: 'SLUICE_JOB',
} as const;
