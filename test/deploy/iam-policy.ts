/**
 * A small IAM evaluator for the policies the job's stack writes: Allow and Deny statements
 * with Action/Resource wildcards and the condition operators the stack uses. An operator it
 * does not know is an error, never a silent pass. (`@cloud-copilot/iam-simulate`, the
 * maintained simulator on npm, is AGPL-licensed; this project is Apache-2.0.)
 */

/**
 * One statement as it stands in a template once its values are resolved to strings.
 *
 * @example
 * ```ts
 * const statement: ResolvedStatement = { Sid: 'ReadStream', Effect: 'Allow', Action: ['kinesis:GetRecords'], Resource: ['arn:aws:kinesis:us-east-1:123456789012:stream/s'] };
 * ```
 */
export interface ResolvedStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

/**
 * A request to authorize: one action on one resource, with the request's context keys.
 *
 * @example
 * ```ts
 * const request: IamRequest = { action: 's3:ListBucket', resource: 'arn:aws:s3:::b', context: { 's3:prefix': 'iot/t/' } };
 * ```
 */
export interface IamRequest {
  readonly action: string;
  readonly resource: string;
  readonly context?: Readonly<Record<string, string>>;
}

/**
 * The decision, and the statements that allowed the request (to tell which grants have a caller).
 *
 * @example
 * ```ts
 * const { allowed, allowedBy } = evaluate(statements, request);
 * ```
 */
export interface IamDecision {
  readonly allowed: boolean;
  readonly allowedBy: readonly ResolvedStatement[];
}

const list = (value: string | readonly string[]): readonly string[] => (typeof value === 'string' ? [value] : value);

/**
 * IAM's wildcard match: `*` any run of characters, `?` one character, the rest literal.
 *
 * @example
 * ```ts
 * wildcardMatch('arn:aws:s3:::b/iot/t/*', 'arn:aws:s3:::b/iot/t/x.parquet', { caseSensitive: true }); // true
 * ```
 */
export function wildcardMatch(pattern: string, value: string, options: { readonly caseSensitive: boolean }): boolean {
  const source = pattern.replaceAll(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.');
  return new RegExp(`^${source}$`, options.caseSensitive ? 's' : 'is').test(value);
}

type ConditionTest = (values: readonly string[], actual: string | undefined) => boolean;

/** The operators the stack's policies use; a positive test fails when the key is absent. */
const conditionTests: Readonly<Record<string, ConditionTest>> = {
  StringEquals: (values, actual) => actual !== undefined && values.includes(actual),
  StringLike: (values, actual) => actual !== undefined && values.some((v) => wildcardMatch(v, actual, { caseSensitive: true })),
  ArnEquals: (values, actual) => actual !== undefined && values.includes(actual),
  ArnLike: (values, actual) => actual !== undefined && values.some((v) => wildcardMatch(v, actual, { caseSensitive: true })),
  Bool: (values, actual) => actual !== undefined && values.includes(actual),
};

function conditionsHold(statement: ResolvedStatement, context: Readonly<Record<string, string>>): boolean {
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) => {
    const test = conditionTests[operator];
    if (test === undefined) throw new Error(`statement ${statement.Sid ?? '(no Sid)'}: condition operator ${operator} is not modelled by test/deploy/iam-policy.ts`);
    return Object.entries(keys).every(([key, values]) => test(list(values), context[key]));
  });
}

/**
 * Whether a statement applies to a request: action, resource and conditions all match.
 *
 * @example
 * ```ts
 * statementMatches(statement, { action: 's3:PutObject', resource: 'arn:aws:s3:::b/iot/t/x.parquet' });
 * ```
 */
export function statementMatches(statement: ResolvedStatement, request: IamRequest): boolean {
  return (
    list(statement.Action).some((a) => wildcardMatch(a, request.action, { caseSensitive: false })) &&
    list(statement.Resource).some((r) => wildcardMatch(r, request.resource, { caseSensitive: true })) &&
    conditionsHold(statement, request.context ?? {})
  );
}

/**
 * IAM's decision within one policy set: an explicit Deny wins, else any Allow allows, else
 * the implicit deny.
 *
 * @example
 * ```ts
 * evaluate(statements, { action: 'kinesis:GetRecords', resource: streamArn }).allowed; // true
 * ```
 */
export function evaluate(statements: readonly ResolvedStatement[], request: IamRequest): IamDecision {
  const matching = statements.filter((s) => statementMatches(s, request));
  if (matching.some((s) => s.Effect === 'Deny')) return { allowed: false, allowedBy: [] };
  const allowedBy = matching.filter((s) => s.Effect === 'Allow');
  return { allowed: allowedBy.length > 0, allowedBy };
}
