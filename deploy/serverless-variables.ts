/**
 * Serverless resolves `${...}` in every value a variable source returns, so CloudFormation's
 * own `${...}` (Fn::Sub placeholders, IoT substitution templates like `${clientid()}`,
 * projection templates like `${year}`) would be read as Serverless variables: an error for
 * `${clientid()}`, silently kept for `${AWS::Region}`. A backslash makes Serverless keep them
 * as written, and it drops the backslash.
 *
 * @example
 * ```ts
 * escapeServerlessVariables({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::b' });
 * // { 'Fn::Sub': 'arn:\\${AWS::Partition}:s3:::b' }
 * ```
 */
export function escapeServerlessVariables<T>(value: T): T {
  return escape(value) as T;
}

function escape(value: unknown): unknown {
  if (typeof value === 'string') return value.replaceAll('${', '\\${');
  if (Array.isArray(value)) return value.map(escape);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escape(v)]));
  }
  return value;
}
