/**
 * CloudFormation values resolved the way a deployment would, with stand-in names for what
 * CloudFormation makes up: enough to evaluate a template's IAM policies against concrete
 * ARNs. A reference to something it does not know is an error, never a guess.
 */

/**
 * The stack's pseudo parameters.
 *
 * @example
 * ```ts
 * const deployment: Deployment = { partition: 'aws', region: 'eu-west-1', accountId: '123456789012', stackName: 'sluice-sensor-readings-dev' };
 * ```
 */
export interface Deployment {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly stackName: string;
}

/**
 * A template's resources, as far as resolving needs them.
 *
 * @example
 * ```ts
 * const resources: TemplateResources = { SluiceBucket: { Type: 'AWS::S3::Bucket', Properties: {} } };
 * ```
 */
export type TemplateResources = Readonly<Record<string, { readonly Type: string; readonly Properties?: Readonly<Record<string, unknown>> }>>;

/** Per resource type: the property naming it, and what Ref and each GetAtt give. */
interface TypeModel {
  readonly nameProperty: string;
  readonly ref: (name: string, d: Deployment) => string;
  readonly attributes: Readonly<Record<string, (name: string, d: Deployment) => string>>;
}

const byName = (name: string): string => name;
const regional = (service: string, resource: (name: string) => string) => (name: string, d: Deployment) =>
  `arn:${d.partition}:${service}:${d.region}:${d.accountId}:${resource(name)}`;

const types: Readonly<Record<string, TypeModel>> = {
  'AWS::S3::Bucket': { nameProperty: 'BucketName', ref: byName, attributes: { Arn: (name, d) => `arn:${d.partition}:s3:::${name}` } },
  'AWS::Kinesis::Stream': { nameProperty: 'Name', ref: byName, attributes: { Arn: regional('kinesis', (n) => `stream/${n}`) } },
  'AWS::SQS::Queue': {
    nameProperty: 'QueueName',
    ref: (name, d) => `https://sqs.${d.region}.amazonaws.com/${d.accountId}/${name}`,
    attributes: { Arn: regional('sqs', byName), QueueName: byName },
  },
  'AWS::Logs::LogGroup': { nameProperty: 'LogGroupName', ref: byName, attributes: { Arn: regional('logs', (n) => `log-group:${n}:*`) } },
  'AWS::Lambda::Function': { nameProperty: 'FunctionName', ref: byName, attributes: { Arn: regional('lambda', (n) => `function:${n}`) } },
  'AWS::IAM::Role': { nameProperty: 'RoleName', ref: byName, attributes: { Arn: (name, d) => `arn:${d.partition}:iam::${d.accountId}:role/${name}` } },
  'AWS::IoT::TopicRule': { nameProperty: 'RuleName', ref: byName, attributes: { Arn: regional('iot', (n) => `rule/${n}`) } },
  'AWS::Events::Rule': { nameProperty: 'Name', ref: byName, attributes: { Arn: regional('events', (n) => `rule/${n}`) } },
  'AWS::StepFunctions::StateMachine': {
    nameProperty: 'StateMachineName',
    ref: regional('states', (n) => `stateMachine:${n}`),
    attributes: { Arn: regional('states', (n) => `stateMachine:${n}`), Name: byName },
  },
};

const pseudo = (name: string, d: Deployment): string | undefined =>
  ({ 'AWS::Partition': d.partition, 'AWS::Region': d.region, 'AWS::AccountId': d.accountId, 'AWS::StackName': d.stackName, 'AWS::URLSuffix': 'amazonaws.com' })[name];

/**
 * Resolves a value's intrinsic functions (Ref, Fn::GetAtt, Fn::Sub, Fn::Join) into strings,
 * recursively; a name CloudFormation would generate becomes `<stack>-<logical id>`.
 *
 * @example
 * ```ts
 * resolveCfn({ 'Fn::GetAtt': ['SluiceBucket', 'Arn'] }, { resources, deployment }); // 'arn:aws:s3:::sluice-sensor-readings-dev-sluicebucket'
 * ```
 */
export function resolveCfn(value: unknown, options: { readonly resources: TemplateResources; readonly deployment: Deployment }): unknown {
  const { resources, deployment } = options;
  const resource = (logicalId: string): { model: TypeModel; name: string } => {
    const found = resources[logicalId];
    if (found === undefined) throw new Error(`reference to ${logicalId}, which the template does not declare`);
    const model = types[found.Type];
    if (model === undefined) throw new Error(`reference to ${logicalId} (${found.Type}): test/deploy/cfn-resolve.ts does not model that type`);
    const given = found.Properties?.[model.nameProperty];
    const name = given === undefined ? `${deployment.stackName}-${logicalId.toLowerCase()}` : resolveCfn(given, options);
    if (typeof name !== 'string') throw new Error(`${logicalId}.${model.nameProperty} does not resolve to a string`);
    return { model, name };
  };
  const ref = (name: string): string => pseudo(name, deployment) ?? (({ model, name: physical }) => model.ref(physical, deployment))(resource(name));
  const getAtt = (logicalId: string, attribute: string): string => {
    const { model, name } = resource(logicalId);
    const read = model.attributes[attribute];
    if (read === undefined) throw new Error(`Fn::GetAtt ${logicalId}.${attribute}: not modelled by test/deploy/cfn-resolve.ts`);
    return read(name, deployment);
  };
  const resolve = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(resolve);
    if (v === null || typeof v !== 'object') return v;
    const entries = Object.entries(v);
    const [key, argument] = entries.length === 1 ? entries[0]! : [undefined, undefined];
    if (key === 'Ref') return ref(argument as string);
    if (key === 'Fn::GetAtt') return getAtt(...(argument as [string, string]));
    if (key === 'Fn::Join') {
      const [separator, parts] = argument as [string, unknown[]];
      return parts.map(resolve).join(separator);
    }
    if (key === 'Fn::Sub') {
      if (typeof argument !== 'string') throw new Error('Fn::Sub with a variable map is not modelled by test/deploy/cfn-resolve.ts');
      return argument.replaceAll(/\$\{([^}!]+)\}/g, (_, name: string) => (name.includes('.') ? getAtt(...(name.split('.') as [string, string])) : ref(name)));
    }
    if (key?.startsWith('Fn::')) throw new Error(`${key} is not modelled by test/deploy/cfn-resolve.ts`);
    return Object.fromEntries(entries.map(([k, x]) => [k, resolve(x)]));
  };
  return resolve(value);
}
