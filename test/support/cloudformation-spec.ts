import { specification } from '@aws-cdk/cfnspec';

/**
 * A CloudFormation template checked the way CloudFormation and IAM would check it before
 * creating anything, against the AWS CloudFormation resource specification itself (as
 * published by AWS and packaged by @aws-cdk/cfnspec): resource types, property names,
 * required properties, primitive types, references, and IAM's own limits on roles.
 * Returns every problem found, each with its path; empty when the template is sound.
 */

interface PropertySpec {
  Required?: boolean;
  PrimitiveType?: string;
  Type?: string;
  ItemType?: string;
  PrimitiveItemType?: string;
}

interface TypeSpec {
  Properties?: Record<string, PropertySpec>;
  Attributes?: Record<string, { PrimitiveType?: string; Type?: string }>;
}

interface Spec {
  ResourceSpecificationVersion: string;
  ResourceTypes: Record<string, TypeSpec>;
  PropertyTypes: Record<string, TypeSpec & PropertySpec>;
}

// The package's types are enums this project cannot import under erasableSyntaxOnly; the data is plain JSON.
const SPEC = specification() as unknown as Spec;
export const SPEC_VERSION = SPEC.ResourceSpecificationVersion;

/** IAM quotas (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html). */
export const IAM_LIMITS = {
  /** All inline policies of one role together, whitespace excluded. */
  inlineRolePolicies: 10_240,
  /** The trust policy, whitespace excluded (the default quota; it can be raised to 4,096). */
  trustPolicy: 2_048,
  roleName: /^[\w+=,.@-]{1,64}$/,
  policyName: /^[\w+=,.@-]{1,128}$/,
  path: /^\/(?:[\x21-\x7e]*\/)?$/,
  sessionDuration: { min: 3_600, max: 43_200 },
} as const;

/** CloudFormation's own limits (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html). */
const CFN_LIMITS = { templateBytesViaS3: 1_048_576, descriptionBytes: 1_024, parameters: 200, outputs: 200 };

const TOP_LEVEL = new Set([
  'AWSTemplateFormatVersion',
  'Description',
  'Metadata',
  'Parameters',
  'Rules',
  'Mappings',
  'Conditions',
  'Transform',
  'Resources',
  'Outputs',
]);
const RESOURCE_KEYS = new Set([
  'Type',
  'Properties',
  'DependsOn',
  'Condition',
  'Metadata',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'CreationPolicy',
  'UpdatePolicy',
]);
const PARAMETER_KEYS = new Set([
  'Type',
  'Default',
  'AllowedPattern',
  'AllowedValues',
  'ConstraintDescription',
  'Description',
  'MaxLength',
  'MaxValue',
  'MinLength',
  'MinValue',
  'NoEcho',
]);
const OUTPUT_KEYS = new Set(['Value', 'Description', 'Export', 'Condition']);
const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);
const INTRINSICS = new Set([
  'Ref',
  'Condition',
  'Fn::GetAtt',
  'Fn::Sub',
  'Fn::Join',
  'Fn::Select',
  'Fn::Split',
  'Fn::If',
  'Fn::Equals',
  'Fn::Not',
  'Fn::And',
  'Fn::Or',
  'Fn::FindInMap',
  'Fn::Base64',
  'Fn::Cidr',
  'Fn::GetAZs',
  'Fn::ImportValue',
  'Fn::Length',
  'Fn::ToJsonString',
]);
const LOGICAL_ID = /^[A-Za-z0-9]{1,255}$/;
const PARAMETER_TYPE = /^(String|Number|List<Number>|CommaDelimitedList|AWS::[\w:<>-]+|List<AWS::[\w:-]+>)$/;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `{ "Ref": ... }`, `{ "Fn::Sub": ... }`: an object of one key naming an intrinsic function. */
function intrinsicOf(v: unknown): [string, Json] | undefined {
  if (!isObject(v)) return undefined;
  const keys = Object.keys(v);
  const [name] = keys;
  if (keys.length !== 1 || name === undefined) return undefined;
  if (name === 'Ref' || name === 'Condition' || name.startsWith('Fn::')) return [name, v[name] as Json];
  return undefined;
}

interface Context {
  problems: string[];
  parameters: Obj;
  resources: Obj;
  conditions: Obj;
}

export function validateTemplate(template: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(template)) return ['template: not a JSON object'];
  const bytes = Buffer.byteLength(JSON.stringify(template));
  if (bytes > CFN_LIMITS.templateBytesViaS3)
    problems.push(`template: ${bytes} bytes, over CloudFormation's ${CFN_LIMITS.templateBytesViaS3}`);
  for (const key of Object.keys(template))
    if (!TOP_LEVEL.has(key)) problems.push(`${key}: not a template section`);
  if (template.AWSTemplateFormatVersion !== undefined && template.AWSTemplateFormatVersion !== '2010-09-09')
    problems.push('AWSTemplateFormatVersion: only 2010-09-09 exists');
  const description = template.Description;
  if (description !== undefined) {
    if (typeof description !== 'string') problems.push('Description: not a string');
    else if (Buffer.byteLength(description) > CFN_LIMITS.descriptionBytes)
      problems.push(`Description: over ${CFN_LIMITS.descriptionBytes} bytes`);
  }

  const section = (name: string): Obj => {
    const v = template[name];
    if (v === undefined) return {};
    if (!isObject(v)) {
      problems.push(`${name}: not an object`);
      return {};
    }
    return v;
  };
  const ctx: Context = {
    problems,
    parameters: section('Parameters'),
    resources: section('Resources'),
    conditions: section('Conditions'),
  };
  const outputs = section('Outputs');

  checkParameters(ctx);
  if (Object.keys(ctx.resources).length === 0) problems.push('Resources: a template needs at least one');
  for (const [id, resource] of Object.entries(ctx.resources)) checkResource(ctx, id, resource);
  for (const [name, condition] of Object.entries(ctx.conditions))
    checkIntrinsics(ctx, condition, `Conditions.${name}`);
  if (Object.keys(outputs).length > CFN_LIMITS.outputs) problems.push(`Outputs: over ${CFN_LIMITS.outputs}`);
  for (const [name, output] of Object.entries(outputs)) {
    const at = `Outputs.${name}`;
    if (!LOGICAL_ID.test(name)) problems.push(`${at}: not an alphanumeric logical ID`);
    if (!isObject(output) || output.Value === undefined) {
      problems.push(`${at}: an output needs a Value`);
      continue;
    }
    for (const key of Object.keys(output)) if (!OUTPUT_KEYS.has(key)) problems.push(`${at}.${key}: unknown`);
    checkIntrinsics(ctx, output.Value, `${at}.Value`);
  }
  return problems;
}

function checkParameters(ctx: Context): void {
  const entries = Object.entries(ctx.parameters);
  if (entries.length > CFN_LIMITS.parameters) ctx.problems.push(`Parameters: over ${CFN_LIMITS.parameters}`);
  for (const [name, p] of entries) {
    const at = `Parameters.${name}`;
    if (!LOGICAL_ID.test(name)) ctx.problems.push(`${at}: not an alphanumeric logical ID`);
    if (!isObject(p)) {
      ctx.problems.push(`${at}: not an object`);
      continue;
    }
    for (const key of Object.keys(p))
      if (!PARAMETER_KEYS.has(key)) ctx.problems.push(`${at}.${key}: unknown`);
    if (typeof p.Type !== 'string' || !PARAMETER_TYPE.test(p.Type)) {
      ctx.problems.push(`${at}.Type: not a parameter type`);
      continue;
    }
    if (p.AllowedPattern !== undefined) {
      if (p.Type !== 'String' || typeof p.AllowedPattern !== 'string')
        ctx.problems.push(`${at}.AllowedPattern: only for String parameters`);
      else if (!patternOf(p.AllowedPattern))
        ctx.problems.push(`${at}.AllowedPattern: not a regular expression`);
    }
    if (p.Default !== undefined) {
      const problem = parameterValueProblem(p, p.Default);
      if (problem) ctx.problems.push(`${at}.Default: ${problem}`);
    }
  }
}

/** CloudFormation matches AllowedPattern against the whole value. */
function patternOf(source: string): RegExp | undefined {
  try {
    return new RegExp(`^(?:${source})$`, 'u');
  } catch {
    return undefined;
  }
}

/** Why CloudFormation would refuse this value for the parameter, if it would. */
export function parameterValueProblem(p: Obj, value: Json): string | undefined {
  if (p.Type === 'String') {
    if (typeof value !== 'string') return 'not a string';
    const pattern = typeof p.AllowedPattern === 'string' ? patternOf(p.AllowedPattern) : undefined;
    if (pattern && !pattern.test(value)) return `${JSON.stringify(value)} does not match AllowedPattern`;
    if (typeof p.MinLength === 'number' && value.length < p.MinLength) return 'shorter than MinLength';
    if (typeof p.MaxLength === 'number' && value.length > p.MaxLength) return 'longer than MaxLength';
  }
  if (p.Type === 'Number' && !Number.isFinite(Number(value))) return 'not a number';
  if (Array.isArray(p.AllowedValues) && !p.AllowedValues.includes(value)) return 'not among AllowedValues';
  return undefined;
}

function checkResource(ctx: Context, id: string, resource: Json): void {
  const at = `Resources.${id}`;
  if (!LOGICAL_ID.test(id)) ctx.problems.push(`${at}: not an alphanumeric logical ID`);
  if (!isObject(resource)) {
    ctx.problems.push(`${at}: not an object`);
    return;
  }
  for (const key of Object.keys(resource))
    if (!RESOURCE_KEYS.has(key)) ctx.problems.push(`${at}.${key}: unknown`);
  if (
    resource.Condition !== undefined &&
    !(typeof resource.Condition === 'string' && resource.Condition in ctx.conditions)
  )
    ctx.problems.push(`${at}.Condition: no such condition`);
  for (const d of [resource.DependsOn ?? []].flat())
    if (typeof d !== 'string' || !(d in ctx.resources))
      ctx.problems.push(`${at}.DependsOn: no resource ${d}`);
  const type = resource.Type;
  if (typeof type !== 'string') {
    ctx.problems.push(`${at}.Type: missing`);
    return;
  }
  const spec = SPEC.ResourceTypes[type];
  if (!spec) {
    ctx.problems.push(`${at}.Type: ${type} is not a CloudFormation resource type`);
    return;
  }
  const properties = resource.Properties ?? {};
  if (!isObject(properties)) {
    ctx.problems.push(`${at}.Properties: not an object`);
    return;
  }
  checkRecord(ctx, properties, spec, type, type, `${at}.Properties`);
  if (type === 'AWS::IAM::Role') checkRole(ctx, properties, `${at}.Properties`);
}

/** Properties of a resource, or of a property type: every name known, every required one there. */
function checkRecord(
  ctx: Context,
  value: Obj,
  spec: TypeSpec,
  typeName: string,
  resourceType: string,
  at: string,
) {
  const known = spec.Properties ?? {};
  for (const [name, p] of Object.entries(known))
    if (p.Required && value[name] === undefined) ctx.problems.push(`${at}.${name}: required by ${typeName}`);
  for (const [name, v] of Object.entries(value)) {
    const p = known[name];
    if (!p) {
      ctx.problems.push(`${at}.${name}: ${typeName} has no property ${name}`);
      continue;
    }
    checkProperty(ctx, v, p, resourceType, `${at}.${name}`);
  }
}

function checkProperty(ctx: Context, value: Json, p: PropertySpec, resourceType: string, at: string): void {
  const fn = intrinsicOf(value);
  if (fn) {
    checkIntrinsics(ctx, value, at);
    const produced = producedType(ctx, fn);
    const expected = p.PrimitiveType ?? (p.Type === 'List' ? 'List' : undefined);
    if (produced && expected && !compatible(produced, expected))
      ctx.problems.push(`${at}: ${fn[0]} gives a ${produced} where ${expected} is expected`);
    return;
  }
  if (p.PrimitiveType) {
    checkPrimitive(ctx, value, p.PrimitiveType, at);
    return;
  }
  if (p.Type === 'List' || p.Type === 'Map') {
    const items: [string, Json][] =
      p.Type === 'List'
        ? Array.isArray(value)
          ? value.map((v, i) => [`[${i}]`, v])
          : []
        : isObject(value)
          ? Object.entries(value).map(([k, v]) => [`.${k}`, v])
          : [];
    if (p.Type === 'List' ? !Array.isArray(value) : !isObject(value)) {
      ctx.problems.push(`${at}: a ${p.Type} is expected`);
      return;
    }
    for (const [suffix, item] of items) {
      if (p.PrimitiveItemType)
        checkProperty(ctx, item, { PrimitiveType: p.PrimitiveItemType }, resourceType, at + suffix);
      else if (p.ItemType) checkComplex(ctx, item, p.ItemType, resourceType, at + suffix);
    }
    return;
  }
  if (p.Type) {
    checkComplex(ctx, value, p.Type, resourceType, at);
    return;
  }
  ctx.problems.push(`${at}: the specification gives this property no type`);
}

function checkComplex(ctx: Context, value: Json, typeName: string, resourceType: string, at: string): void {
  if (intrinsicOf(value)) {
    checkIntrinsics(ctx, value, at);
    return;
  }
  const qualified = `${resourceType}.${typeName}`;
  const spec = SPEC.PropertyTypes[qualified] ?? SPEC.PropertyTypes[typeName];
  if (!spec) {
    ctx.problems.push(`${at}: the specification has no property type ${qualified}`);
    return;
  }
  if (!spec.Properties) {
    checkProperty(ctx, value, spec, resourceType, at);
    return;
  }
  if (!isObject(value)) {
    ctx.problems.push(`${at}: an object (${qualified}) is expected`);
    return;
  }
  checkRecord(ctx, value, spec, qualified, resourceType, at);
}

function checkPrimitive(ctx: Context, value: Json, type: string, at: string): void {
  const fn = intrinsicOf(value);
  if (fn) {
    checkIntrinsics(ctx, value, at);
    return;
  }
  const ok = (() => {
    switch (type) {
      case 'String':
        return typeof value === 'string';
      case 'Integer':
      case 'Long':
        return Number.isInteger(value) || (typeof value === 'string' && /^-?\d+$/.test(value));
      case 'Double':
        return Number.isFinite(value) || (typeof value === 'string' && Number.isFinite(Number(value)));
      case 'Boolean':
        return typeof value === 'boolean' || value === 'true' || value === 'false';
      case 'Timestamp':
        return typeof value === 'string' && !Number.isNaN(Date.parse(value));
      case 'Json':
        return isObject(value) || typeof value === 'string';
      default:
        return false;
    }
  })();
  if (!ok) ctx.problems.push(`${at}: ${JSON.stringify(value)?.slice(0, 40)} is not of type ${type}`);
  if (type === 'Json') checkIntrinsics(ctx, value, at);
}

/** What an intrinsic returns, as far as a primitive type goes. */
function producedType(ctx: Context, [name, arg]: [string, Json]): string | undefined {
  if (name === 'Ref' && typeof arg === 'string') {
    const p = ctx.parameters[arg];
    if (isObject(p) && typeof p.Type === 'string') {
      if (p.Type === 'Number') return 'Number';
      if (p.Type.startsWith('List<') || p.Type === 'CommaDelimitedList') return 'List';
      return 'String';
    }
    return arg === 'AWS::NotificationARNs' ? 'List' : 'String';
  }
  if (name === 'Fn::GetAtt') {
    const [res, attr] = getAttParts(arg);
    const r = res ? ctx.resources[res] : undefined;
    const type = isObject(r) && typeof r.Type === 'string' ? r.Type : undefined;
    const a = type && attr ? SPEC.ResourceTypes[type]?.Attributes?.[attr] : undefined;
    return a?.PrimitiveType ?? a?.Type;
  }
  if (name === 'Fn::Sub' || name === 'Fn::Join' || name === 'Fn::Base64') return 'String';
  if (name === 'Fn::Split' || name === 'Fn::GetAZs' || name === 'Fn::Cidr') return 'List';
  return undefined;
}

function compatible(produced: string, expected: string): boolean {
  if (expected === 'Json') return true;
  if (expected === 'List') return produced === 'List';
  if (produced === 'List') return false;
  // Numbers and strings convert both ways in CloudFormation; only their shape matters.
  if (produced === 'Number') return ['String', 'Integer', 'Long', 'Double'].includes(expected);
  return true;
}

function getAttParts(arg: Json): [string | undefined, string | undefined] {
  if (typeof arg === 'string') {
    const dot = arg.indexOf('.');
    return dot < 0 ? [arg, undefined] : [arg.slice(0, dot), arg.slice(dot + 1)];
  }
  if (Array.isArray(arg) && typeof arg[0] === 'string' && typeof arg[1] === 'string') return [arg[0], arg[1]];
  return [undefined, undefined];
}

/** Every intrinsic anywhere in a value: known functions, and references to things that exist. */
function checkIntrinsics(ctx: Context, value: Json, at: string): void {
  const fn = intrinsicOf(value);
  if (!fn) {
    if (Array.isArray(value)) for (const [i, v] of value.entries()) checkIntrinsics(ctx, v, `${at}[${i}]`);
    else if (isObject(value))
      for (const [k, v] of Object.entries(value)) checkIntrinsics(ctx, v, `${at}.${k}`);
    return;
  }
  const [name, arg] = fn;
  const here = `${at}.${name}`;
  if (!INTRINSICS.has(name)) {
    ctx.problems.push(`${here}: not an intrinsic function`);
    return;
  }
  const refersTo = (target: string, where: string, extra: readonly string[] = []) => {
    if (
      !(target in ctx.parameters) &&
      !(target in ctx.resources) &&
      !PSEUDO_PARAMETERS.has(target) &&
      !extra.includes(target)
    )
      ctx.problems.push(`${where}: ${target} is no parameter, resource or pseudo parameter`);
  };
  const getAtt = (res: string | undefined, attr: string | undefined, where: string) => {
    const r = res ? ctx.resources[res] : undefined;
    if (!res || !isObject(r) || typeof r.Type !== 'string') {
      ctx.problems.push(`${where}: ${res} is no resource of this template`);
      return;
    }
    if (!attr || !SPEC.ResourceTypes[r.Type]?.Attributes?.[attr])
      ctx.problems.push(`${where}: ${r.Type} has no attribute ${attr}`);
  };
  switch (name) {
    case 'Ref':
      if (typeof arg !== 'string') ctx.problems.push(`${here}: takes a name`);
      else refersTo(arg, here);
      return;
    case 'Condition':
      if (typeof arg !== 'string' || !(arg in ctx.conditions))
        ctx.problems.push(`${here}: no such condition`);
      return;
    case 'Fn::GetAtt': {
      const [res, attr] = getAttParts(arg);
      getAtt(res, attr, here);
      return;
    }
    case 'Fn::Sub': {
      const [text, vars] =
        typeof arg === 'string' ? [arg, {}] : Array.isArray(arg) ? [arg[0], arg[1] ?? {}] : [];
      if (typeof text !== 'string' || !isObject(vars)) {
        ctx.problems.push(`${here}: takes a string, or a string and a map`);
        return;
      }
      for (const m of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
        const ref = m[1] as string;
        const dot = ref.indexOf('.');
        if (dot > 0 && !ref.startsWith('AWS::')) getAtt(ref.slice(0, dot), ref.slice(dot + 1), here);
        else refersTo(ref, here, Object.keys(vars));
      }
      checkIntrinsics(ctx, vars, here);
      return;
    }
    case 'Fn::If': {
      if (
        !Array.isArray(arg) ||
        arg.length !== 3 ||
        typeof arg[0] !== 'string' ||
        !(arg[0] in ctx.conditions)
      )
        ctx.problems.push(`${here}: takes a condition name and two values`);
      if (Array.isArray(arg))
        for (const [i, v] of arg.entries()) if (i > 0) checkIntrinsics(ctx, v, `${here}[${i}]`);
      return;
    }
    default:
      checkIntrinsics(ctx, Array.isArray(arg) ? arg : [arg], here);
  }
}

/** How IAM counts a policy against its quotas: every character but whitespace. */
const iamSize = (doc: Json): number => JSON.stringify(doc).replace(/\s/g, '').length;

/** What IAM itself refuses on a role, which the resource specification does not say. */
function checkRole(ctx: Context, props: Obj, at: string): void {
  const name = props.RoleName;
  const nameFn = intrinsicOf(name);
  if (typeof name === 'string') {
    if (!IAM_LIMITS.roleName.test(name))
      ctx.problems.push(`${at}.RoleName: IAM refuses ${JSON.stringify(name)}`);
  } else if (nameFn?.[0] === 'Ref' && typeof nameFn[1] === 'string' && isObject(ctx.parameters[nameFn[1]])) {
    checkRoleNameParameter(ctx, nameFn[1], ctx.parameters[nameFn[1]] as Obj, `${at}.RoleName`);
  }

  const duration = props.MaxSessionDuration;
  if (
    typeof duration === 'number' &&
    (duration < IAM_LIMITS.sessionDuration.min || duration > IAM_LIMITS.sessionDuration.max)
  )
    ctx.problems.push(`${at}.MaxSessionDuration: IAM allows 3600 to 43200 seconds`);
  if (typeof props.Path === 'string' && (props.Path.length > 512 || !IAM_LIMITS.path.test(props.Path)))
    ctx.problems.push(`${at}.Path: not an IAM path`);

  const trust = props.AssumeRolePolicyDocument;
  if (trust !== undefined) {
    for (const p of policyProblems(trust, 'trust')) ctx.problems.push(`${at}.AssumeRolePolicyDocument: ${p}`);
    const size = iamSize(trust);
    if (size > IAM_LIMITS.trustPolicy)
      ctx.problems.push(
        `${at}.AssumeRolePolicyDocument: ${size} characters, over IAM's ${IAM_LIMITS.trustPolicy}`,
      );
  }

  const policies = Array.isArray(props.Policies) ? props.Policies : [];
  let inline = 0;
  const names = new Set<string>();
  policies.forEach((policy, i) => {
    if (!isObject(policy)) return;
    const here = `${at}.Policies[${i}]`;
    if (typeof policy.PolicyName === 'string') {
      if (!IAM_LIMITS.policyName.test(policy.PolicyName))
        ctx.problems.push(`${here}.PolicyName: IAM refuses ${JSON.stringify(policy.PolicyName)}`);
      if (names.has(policy.PolicyName)) ctx.problems.push(`${here}.PolicyName: given twice`);
      names.add(policy.PolicyName);
    }
    if (policy.PolicyDocument !== undefined) {
      for (const p of policyProblems(policy.PolicyDocument, 'identity'))
        ctx.problems.push(`${here}.PolicyDocument: ${p}`);
      inline += iamSize(policy.PolicyDocument);
    }
  });
  if (inline > IAM_LIMITS.inlineRolePolicies)
    ctx.problems.push(
      `${at}.Policies: ${inline} characters of inline policy, over IAM's ${IAM_LIMITS.inlineRolePolicies} for one role`,
    );
}

/** The parameter must let through only names IAM accepts, and its default must be one. */
function checkRoleNameParameter(ctx: Context, name: string, p: Obj, at: string): void {
  if (typeof p.Default === 'string' && !IAM_LIMITS.roleName.test(p.Default))
    ctx.problems.push(
      `${at}: the default of ${name}, ${JSON.stringify(p.Default)}, is not a role name IAM accepts`,
    );
  const refusedByIam = [
    '',
    'a'.repeat(65),
    'Vendor Access',
    'vendor/access',
    'vendor:access',
    'vendör',
    'a*b',
  ];
  for (const bad of refusedByIam) {
    if (!parameterValueProblem(p, bad))
      ctx.problems.push(
        `${at}: ${name} would accept ${JSON.stringify(bad)}, which IAM refuses as a role name`,
      );
  }
}

const ACTION = /^(\*|[a-z0-9-]+:[A-Za-z0-9*?]+)$/;

/** The grammar IAM enforces on a policy document, as far as a role's policies go. */
function policyProblems(doc: Json, kind: 'trust' | 'identity'): string[] {
  if (intrinsicOf(doc)) return [];
  if (!isObject(doc)) return ['not a policy document'];
  const out: string[] = [];
  if (doc.Version !== '2012-10-17') out.push('Version must be 2012-10-17');
  const statements = Array.isArray(doc.Statement)
    ? doc.Statement
    : isObject(doc.Statement)
      ? [doc.Statement]
      : [];
  if (statements.length === 0) out.push('no Statement');
  statements.forEach((s, i) => {
    const at = `Statement[${i}]`;
    if (!isObject(s)) {
      out.push(`${at}: not an object`);
      return;
    }
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') out.push(`${at}.Effect: Allow or Deny`);
    const actions = s.Action ?? s.NotAction;
    if ((s.Action === undefined) === (s.NotAction === undefined)) out.push(`${at}: one of Action, NotAction`);
    for (const a of [actions ?? []].flat())
      if (typeof a !== 'string' || !ACTION.test(a))
        out.push(`${at}.Action: ${JSON.stringify(a)} is not an action`);
    const hasResource = s.Resource !== undefined || s.NotResource !== undefined;
    const hasPrincipal = s.Principal !== undefined || s.NotPrincipal !== undefined;
    if (kind === 'identity') {
      if (!hasResource) out.push(`${at}: an identity policy statement needs Resource or NotResource`);
      if (hasPrincipal) out.push(`${at}: an identity policy names no Principal`);
      for (const r of [s.Resource ?? s.NotResource ?? []].flat())
        if (typeof r !== 'string' || !(r === '*' || r.startsWith('arn:')))
          out.push(`${at}.Resource: ${JSON.stringify(r)}`);
    } else if (!hasPrincipal) out.push(`${at}: a trust policy statement needs a Principal`);
    if (s.Condition !== undefined && !isObject(s.Condition)) out.push(`${at}.Condition: not an object`);
  });
  return out;
}
