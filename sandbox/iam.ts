import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';

/**
 * The sandbox's authorization: AWS's policy evaluation logic, by @cloud-copilot/iam-simulate
 * (AGPL-3.0: fine in this development tool, never bundled into a Lambda). Identity policies,
 * resource policies (bucket, trust, key), session policies, permission boundaries and SCPs,
 * with the request's context keys.
 */

// Policies are JSON documents of any shape a customer may paste.
// biome-ignore lint/suspicious/noExplicitAny: policy documents are free-form JSON
export type PolicyJson = Record<string, any>;

export interface Caller {
  /** The ARN AWS evaluates: a user's, or an assumed-role session's. */
  arn: string;
  account: string;
  /** aws:userid: the unique id of the user or role, and the session name for a role session. */
  userid: string;
  username?: string;
  identityPolicies: PolicyJson[];
  boundary?: PolicyJson;
  sessionPolicy?: PolicyJson;
  scps?: PolicyJson[];
}

export type DeniedBy =
  | 'identity-based policy'
  | 'resource-based policy'
  | 'service control policy'
  | 'resource control policy'
  | 'permissions boundary'
  | 'session policy';

export type Verdict = { allowed: true } | { allowed: false; explicit: boolean; by: DeniedBy | undefined };

export async function authorize(
  caller: Caller,
  action: string,
  resource: { arn: string; account: string },
  opts: {
    resourcePolicy?: PolicyJson;
    /** The resource control policies of the resource's account (its organization's). */
    rcps?: PolicyJson[];
    context?: Record<string, string | string[]>;
  } = {},
): Promise<Verdict> {
  const simulation = {
    request: {
      principal: caller.arn,
      action,
      resource: { resource: resource.arn, accountId: resource.account },
      contextVariables: {
        'aws:PrincipalAccount': caller.account,
        'aws:userid': caller.userid,
        ...(caller.username ? { 'aws:username': caller.username } : {}),
        'aws:SourceIp': '127.0.0.1',
        'aws:SecureTransport': 'true',
        ...opts.context,
      },
    },
    identityPolicies: caller.identityPolicies.map((policy, i) => ({ name: `p${i}`, policy })),
    serviceControlPolicies: caller.scps?.length
      ? [{ orgIdentifier: 'r-root', policies: caller.scps.map((policy, i) => ({ name: `scp${i}`, policy })) }]
      : [],
    resourceControlPolicies: opts.rcps?.length
      ? [{ orgIdentifier: 'r-root', policies: opts.rcps.map((policy, i) => ({ name: `rcp${i}`, policy })) }]
      : [],
    ...(opts.resourcePolicy ? { resourcePolicy: opts.resourcePolicy } : {}),
    ...(caller.sessionPolicy ? { sessionPolicy: caller.sessionPolicy } : {}),
    ...(caller.boundary
      ? { permissionBoundaryPolicies: [{ name: 'boundary', policy: caller.boundary }] }
      : {}),
  } as Simulation;
  const answer = await runSimulation(simulation, {});
  if (answer.resultType === 'error') {
    throw new Error(
      `policy evaluation failed for ${action} on ${resource.arn}: ${JSON.stringify(answer.errors)}`,
    );
  }
  if (answer.overallResult === 'Allowed') return { allowed: true };
  const analysis = answer.resultType === 'single' ? answer.result.analysis : undefined;
  const explicit = answer.overallResult === 'ExplicitlyDenied';
  const not = (r: string | undefined) => r !== undefined && r !== 'Allowed' && r !== 'AllowedForAccount';
  let by: DeniedBy | undefined;
  if (not(analysis?.scpAnalysis?.result)) by = 'service control policy';
  else if (not(analysis?.rcpAnalysis?.result)) by = 'resource control policy';
  else if (explicit && analysis?.resourceAnalysis?.result === 'ExplicitlyDenied')
    by = 'resource-based policy';
  else if (explicit && analysis?.identityAnalysis?.result === 'ExplicitlyDenied')
    by = 'identity-based policy';
  else if (not(analysis?.permissionBoundaryAnalysis?.result)) by = 'permissions boundary';
  else if (not(analysis?.sessionAnalysis?.result)) by = 'session policy';
  else if (analysis?.sameAccount === false && not(analysis?.resourceAnalysis?.result))
    by = 'resource-based policy';
  else if (not(analysis?.identityAnalysis?.result)) by = 'identity-based policy';
  else by = 'resource-based policy';
  return { allowed: false, explicit, by };
}

/** AWS's wording of a refusal, as S3, KMS and STS send it to same-account callers. */
export function refusalMessage(
  caller: Caller,
  action: string,
  resourceArn: string,
  v: Verdict,
  quoted = true,
): string {
  if (v.allowed) return '';
  const head = `User: ${caller.arn} is not authorized to perform: ${action} on resource: ${quoted ? `"${resourceArn}"` : resourceArn}`;
  if (!v.by) return head;
  const article = v.by.startsWith('identity') ? 'an' : 'a';
  return v.explicit
    ? `${head} with an explicit deny in ${article} ${v.by}`
    : `${head} because no ${v.by} allows the ${action} action`;
}

/**
 * ListAllMyBuckets takes no resource: the evaluator asks for `*` and matches only statements
 * that say `*`, but S3 honours `arn:<partition>:s3:::*` too (AWS's own examples and seed 004
 * grant it so). The caller's policies are read with that ARN as `*`, for that action only.
 */
export function forListAllMyBuckets(caller: Caller): Caller {
  const widen = (p: PolicyJson): PolicyJson =>
    JSON.parse(JSON.stringify(p).replace(/"arn:aws(?:-cn|-us-gov)?:s3:::\*"/g, '"*"')) as PolicyJson;
  return {
    ...caller,
    identityPolicies: caller.identityPolicies.map(widen),
    ...(caller.boundary ? { boundary: widen(caller.boundary) } : {}),
    ...(caller.sessionPolicy ? { sessionPolicy: widen(caller.sessionPolicy) } : {}),
    ...(caller.scps ? { scps: caller.scps.map(widen) } : {}),
  };
}
