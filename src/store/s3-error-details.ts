/**
 * What an S3 SDK error says, for messages and decisions. Ceph answers some errors with an
 * empty body, which the SDK turns into the message `UnknownError`: the error's name and HTTP
 * status are then the only facts, so messages always carry them.
 *
 * @example
 * ```ts
 * catch (error) {
 *   if (s3StatusOf(error) === 412) return 'conflict';
 *   throw new ObjectStoreError(`could not write s3://b/k: ${describeS3Error(error)}`, error);
 * }
 * ```
 */
export function describeS3Error(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const status = s3StatusOf(error);
  const head = status === undefined ? error.name : `${error.name} (HTTP ${status})`;
  return error.message && error.message !== 'UnknownError' && error.message !== error.name ? `${head}: ${error.message}` : head;
}

/**
 * The HTTP status of an S3 SDK error; undefined for errors that never reached the server.
 *
 * @example
 * ```ts
 * s3StatusOf(preconditionFailed); // 412
 * ```
 */
export function s3StatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('$metadata' in error)) return undefined;
  const metadata = (error as { $metadata?: { httpStatusCode?: unknown } }).$metadata;
  return typeof metadata?.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined;
}
