/**
 * CloudFormation values: literals, references and the few intrinsic functions the job's
 * stack needs, typed so a resource builder cannot put a bare object where a value goes.
 */

/** A value CloudFormation resolves at deploy time (or a literal). */
export type CfnValue =
  | string
  | number
  | boolean
  | { readonly Ref: string }
  | { readonly 'Fn::GetAtt': readonly [string, string] }
  | { readonly 'Fn::Sub': string }
  | { readonly 'Fn::Join': readonly [string, readonly CfnValue[]] };

/**
 * One resource of a template.
 *
 * @example
 * ```ts
 * const queue: CfnResource = { Type: 'AWS::SQS::Queue', Properties: { SqsManagedSseEnabled: true } };
 * ```
 */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
  readonly DependsOn?: readonly string[];
  readonly DeletionPolicy?: 'Delete' | 'Retain' | 'Snapshot';
  readonly UpdateReplacePolicy?: 'Delete' | 'Retain' | 'Snapshot';
}

/** Resources by logical id. */
export type CfnResources = Readonly<Record<string, CfnResource>>;

/**
 * `{ Ref: logicalId }`: a resource's primary value (a name, an id or a URL, per type) or a pseudo parameter.
 *
 * @example
 * ```ts
 * ref('SluiceBucket'); // { Ref: 'SluiceBucket' }: the bucket's name
 * ```
 */
export function ref(logicalId: string): { readonly Ref: string } {
  return { Ref: logicalId };
}

/**
 * `{ 'Fn::GetAtt': [logicalId, attribute] }`.
 *
 * @example
 * ```ts
 * getAtt('SluiceBucket', 'Arn'); // { 'Fn::GetAtt': ['SluiceBucket', 'Arn'] }
 * ```
 */
export function getAtt(logicalId: string, attribute: string): { readonly 'Fn::GetAtt': readonly [string, string] } {
  return { 'Fn::GetAtt': [logicalId, attribute] };
}

/**
 * `{ 'Fn::Join': ['', parts] }`: a string made of literals and references.
 *
 * @example
 * ```ts
 * join(['s3://', ref('SluiceBucket'), '/iot/readings/']);
 * ```
 */
export function join(parts: readonly CfnValue[]): CfnValue {
  const literal = parts.every((p) => typeof p === 'string');
  return literal ? parts.join('') : { 'Fn::Join': ['', parts] };
}

/**
 * The ARN of a resource in the stack's own partition, region and account.
 *
 * @example
 * ```ts
 * regionalArn({ service: 'glue', resource: 'table/iot/sensor_readings' });
 * // { 'Fn::Sub': 'arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:table/iot/sensor_readings' }
 * ```
 */
export function regionalArn(options: { readonly service: string; readonly resource: string }): CfnValue {
  return { 'Fn::Sub': `arn:\${AWS::Partition}:${options.service}:\${AWS::Region}:\${AWS::AccountId}:${options.resource}` };
}
