import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';

/**
 * A template checked against the CloudFormation resource specification (the AWS CDK's
 * `@aws-cdk/aws-service-spec`, read offline): every resource type exists, every property
 * is one the type has, of the right shape, every required property is there, and every
 * `Ref`, `Fn::GetAtt` and `DependsOn` names a resource (and an attribute) the template has.
 * Values built with intrinsic functions are checked for their references only.
 */

type SpecDb = ReturnType<typeof loadAwsServiceSpecSync>;
interface SpecProperty {
  readonly type: SpecType;
  readonly required?: boolean;
}
type SpecType =
  | { readonly type: 'string' | 'number' | 'integer' | 'boolean' | 'json' | 'date-time' | 'null' | 'tag' }
  | { readonly type: 'ref'; readonly reference: { readonly $ref: string } }
  | { readonly type: 'array' | 'map'; readonly element: SpecType }
  | { readonly type: 'union'; readonly types: readonly SpecType[] };

/**
 * A template as far as the check reads it.
 *
 * @example
 * ```ts
 * const template: SpecTemplate = { Resources: { SluiceQueue: { Type: 'AWS::SQS::Queue', Properties: {} } } };
 * ```
 */
export interface SpecTemplate {
  readonly Resources: Readonly<Record<string, { readonly Type: string; readonly Properties?: unknown; readonly DependsOn?: unknown }>>;
  readonly Outputs?: Readonly<Record<string, unknown>>;
}

let db: SpecDb | undefined;
const spec = (): SpecDb => (db ??= loadAwsServiceSpecSync());

const PSEUDO = /^AWS::(AccountId|NotificationARNs|NoValue|Partition|Region|StackId|StackName|URLSuffix)$/;
const isIntrinsic = (value: object): boolean => {
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::') || keys[0] === 'Condition');
};

/** Primitive shapes, with the coercions CloudFormation itself makes (numbers and booleans as strings). */
const primitives: Readonly<Record<string, (value: unknown) => boolean>> = {
  string: (v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean',
  'date-time': (v) => typeof v === 'string',
  number: (v) => typeof v === 'number' || (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))),
  integer: (v) => (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^-?\d+$/.test(v)),
  boolean: (v) => typeof v === 'boolean' || v === 'true' || v === 'false',
  json: () => true,
  null: (v) => v === null,
  tag: (v) => typeof v === 'object' && v !== null && 'Key' in v && 'Value' in v,
};

/**
 * Every way the template departs from the specification, one line each; none for a valid template.
 *
 * @example
 * ```ts
 * expect(specProblems(template)).toEqual([]);
 * ```
 */
export function specProblems(template: SpecTemplate): string[] {
  const problems: string[] = [];
  const resources = template.Resources;

  const checkReferences = (value: unknown, where: string): void => {
    if (Array.isArray(value)) return value.forEach((v, i) => checkReferences(v, `${where}[${i}]`));
    if (value === null || typeof value !== 'object') return;
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string' && !PSEUDO.test(inner) && !(inner in resources)) problems.push(`${where}: Ref ${inner} names no resource`);
      if (key === 'Fn::GetAtt') checkGetAtt(inner as [string, string], where);
      if (key === 'Fn::Sub' && typeof inner === 'string') {
        for (const [, name] of inner.matchAll(/\$\{([^}!]+)\}/g)) {
          const [id, ...attribute] = name!.split('.');
          if (attribute.length > 0) checkGetAtt([id!, attribute.join('.')], where);
          else if (!PSEUDO.test(id!) && !(id! in resources)) problems.push(`${where}: Fn::Sub \${${name}} names no resource`);
        }
      }
      checkReferences(inner, where);
    }
  };

  const checkGetAtt = ([id, attribute]: [string, string], where: string): void => {
    const target = resources[id];
    if (target === undefined) return void problems.push(`${where}: Fn::GetAtt ${id}.${attribute} names no resource`);
    const type = spec().lookup('resource', 'cloudFormationType', 'equals', target.Type);
    if (type.length === 1 && !(attribute in (type.only().attributes ?? {}))) problems.push(`${where}: Fn::GetAtt ${id}.${attribute}: ${target.Type} has no attribute ${attribute}`);
  };

  /** Per kind of specified type: how a value of it is checked (primitives by {@link primitives}). */
  const checkers: Readonly<Record<string, (value: unknown, type: any, where: string) => void>> = {
    ref: (value, type: { reference: { $ref: string } }, where) =>
      checkObject(value, spec().get('typeDefinition', type.reference.$ref).properties as Record<string, SpecProperty>, where),
    array: (value, type: { element: SpecType }, where) => {
      if (!Array.isArray(value)) return void problems.push(`${where}: a list is expected`);
      value.forEach((v, i) => checkValue(v, type.element, `${where}[${i}]`));
    },
    map: (value, type: { element: SpecType }, where) => {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return void problems.push(`${where}: a map is expected`);
      Object.entries(value).forEach(([k, v]) => checkValue(v, type.element, `${where}.${k}`));
    },
    union: (value, type: { types: readonly SpecType[] }, where) => {
      const fits = type.types.some((t) => {
        const before = problems.length;
        checkValue(value, t, where);
        const ok = problems.length === before;
        problems.length = before;
        return ok;
      });
      if (!fits) problems.push(`${where}: fits none of ${type.types.map((t) => t.type).join(', ')}`);
    },
  };

  const checkValue = (value: unknown, type: SpecType, where: string): void => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && isIntrinsic(value)) return;
    const check = checkers[type.type];
    if (check !== undefined) return check(value, type, where);
    const primitive = primitives[type.type];
    if (primitive === undefined) return void problems.push(`${where}: the specification's type ${type.type} is not modelled by test/deploy/cfn-spec.ts`);
    if (!primitive(value)) problems.push(`${where}: ${JSON.stringify(value)} is not a ${type.type}`);
  };

  const checkObject = (value: unknown, properties: Readonly<Record<string, SpecProperty>>, where: string): void => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return void problems.push(`${where}: an object is expected`);
    for (const [name, inner] of Object.entries(value)) {
      const property = properties[name];
      if (property === undefined) problems.push(`${where}.${name}: no such property (known: ${Object.keys(properties).sort().join(', ')})`);
      else checkValue(inner, property.type, `${where}.${name}`);
    }
    for (const [name, property] of Object.entries(properties)) if (property.required && !(name in value)) problems.push(`${where}.${name}: required, missing`);
  };

  for (const [id, resource] of Object.entries(resources)) {
    const found = spec().lookup('resource', 'cloudFormationType', 'equals', resource.Type);
    if (found.length !== 1) {
      problems.push(`${id}: ${resource.Type} is not a CloudFormation resource type`);
      continue;
    }
    checkObject(resource.Properties ?? {}, found.only().properties as Record<string, SpecProperty>, `${id}.Properties`);
    checkReferences(resource.Properties, `${id}.Properties`);
    for (const dependency of ([] as unknown[]).concat(resource.DependsOn ?? [])) {
      if (typeof dependency !== 'string' || !(dependency in resources)) problems.push(`${id}.DependsOn: ${String(dependency)} names no resource`);
    }
  }
  checkReferences(template.Outputs, 'Outputs');
  return problems;
}
