import {
  createValidatedPolicy,
  type ValidatedPolicy,
  validateIdentityPolicy,
  validateResourceControlPolicy,
  validateResourcePolicy,
  validateServiceControlPolicy,
} from '@cloud-copilot/iam-policy';
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

type Validate = Parameters<typeof createValidatedPolicy>[1];

/**
 * Each policy object validated once (the world's policies are the same objects call after
 * call): its errors, and the policy as validated, handed over whole when nothing is left out.
 */
const validations = new Map<Validate, WeakMap<PolicyJson, ValidatedPolicy>>();
const validated = (policy: PolicyJson, validate: Validate): ValidatedPolicy => {
  let byPolicy = validations.get(validate);
  if (!byPolicy) {
    byPolicy = new WeakMap();
    validations.set(validate, byPolicy);
  }
  let checked = byPolicy.get(policy);
  if (!checked) {
    checked = createValidatedPolicy(policy, validate);
    byPolicy.set(policy, checked);
  }
  return checked;
};

const patterns = new Map<string, RegExp>();
/** An IAM wildcard (`*`, `?`) as a regex, case-insensitive: never stricter than IAM's own match. */
const wildcard = (pattern: string): RegExp => {
  let re = patterns.get(pattern);
  if (!re) {
    if (patterns.size > 10_000) patterns.clear();
    const body = pattern
      .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      .replace(/\\\*/g, '.*')
      .replace(/\\\?/g, '.');
    re = new RegExp(`^${body}$`, 'is');
    patterns.set(pattern, re);
  }
  return re;
};
const strings = (v: unknown): string[] | undefined => {
  const list = Array.isArray(v) ? v : [v];
  return list.every((x) => typeof x === 'string') ? (list as string[]) : undefined;
};

/**
 * Whether a statement may apply to the request. False only when its `Action` or `Resource`
 * list (plain strings, no policy variable) certainly matches neither the action nor the
 * resource; `NotAction`, `NotResource`, a variable or anything unusual keeps it.
 */
function mayApply(statement: unknown, action: string, resource: string): boolean {
  if (typeof statement !== 'object' || statement === null) return true;
  const st = statement as Record<string, unknown>;
  const actions = 'Action' in st ? strings(st.Action) : undefined;
  if (actions && !actions.some((a) => wildcard(a).test(action))) return false;
  if (resource.includes('*') || !('Resource' in st)) return true;
  const resources = strings(st.Resource);
  if (!resources || resources.some((r) => r.includes('${'))) return true;
  return resources.some((r) => wildcard(r).test(resource));
}

/**
 * The evaluator reads every statement of every policy it is given, for every call, and most of
 * its time goes to matching resource ARNs: with one policy per bucket, 50 buckets cost every call
 * 50 policies. A statement that matches neither the call's action nor its resource decides
 * nothing, Allow or Deny, so it is left out before the evaluator sees the policy: the same
 * verdict, with what AWS's own evaluation would have matched. A policy that does not validate is
 * passed whole, for the evaluator to refuse as before; one that does is passed as validated, so
 * it is not validated again on every call.
 */
function narrowed(
  policy: PolicyJson,
  validate: Validate,
  action: string,
  resource: string,
): PolicyJson | ValidatedPolicy {
  const checked = validated(policy, validate);
  if (checked.errors.length > 0) return policy;
  const statements: unknown[] = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  const kept = statements.filter((st) => mayApply(st, action, resource));
  return kept.length === statements.length
    ? checked
    : createValidatedPolicy({ ...policy, Statement: kept }, () => []);
}

export async function authorize(
  caller: Caller,
  action: string,
  resource: { arn: string; account: string },
  opts: {
    resourcePolicy?: PolicyJson;
    /** The resource control policies of the resource's account (its organization's). */
    rcps?: PolicyJson[];
    context?: Record<string, string | string[]>;
    /** Every statement to the evaluator, none left out: what the tests compare the narrowed verdict with. */
    whole?: boolean;
  } = {},
): Promise<Verdict> {
  const narrow = (policy: PolicyJson, validate: Validate) =>
    opts.whole ? policy : narrowed(policy, validate, action, resource.arn);
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
    identityPolicies: caller.identityPolicies.map((policy, i) => ({
      name: `p${i}`,
      policy: narrow(policy, validateIdentityPolicy),
    })),
    serviceControlPolicies: caller.scps?.length
      ? [
          {
            orgIdentifier: 'r-root',
            policies: caller.scps.map((policy, i) => ({
              name: `scp${i}`,
              policy: narrow(policy, validateServiceControlPolicy),
            })),
          },
        ]
      : [],
    resourceControlPolicies: opts.rcps?.length
      ? [
          {
            orgIdentifier: 'r-root',
            policies: opts.rcps.map((policy, i) => ({
              name: `rcp${i}`,
              policy: narrow(policy, validateResourceControlPolicy),
            })),
          },
        ]
      : [],
    ...(opts.resourcePolicy ? { resourcePolicy: narrow(opts.resourcePolicy, validateResourcePolicy) } : {}),
    ...(caller.sessionPolicy ? { sessionPolicy: narrow(caller.sessionPolicy, validateIdentityPolicy) } : {}),
    ...(caller.boundary
      ? {
          permissionBoundaryPolicies: [
            { name: 'boundary', policy: narrow(caller.boundary, validateIdentityPolicy) },
          ],
        }
      : {}),
  } as Simulation;
  return evaluator(simulation);
}

/** Where a simulation is decided: this thread by default, or a pool of worker threads (iam-pool.ts). */
export type Evaluator = (simulation: Simulation) => Promise<Verdict>;
let evaluator: Evaluator = decide;

/** Sends every later `authorize` of this process to `e`; none puts it back on this thread. */
export function evaluateWith(e: Evaluator | undefined): void {
  evaluator = e ?? decide;
}

/** AWS's decision on one simulation, and who refused: what `authorize` answers, on any thread. */
export async function decide(simulation: Simulation): Promise<Verdict> {
  const answer = await runSimulation(simulation, {});
  if (answer.resultType === 'error') {
    const { action, resource } = simulation.request;
    throw new Error(
      `policy evaluation failed for ${action} on ${resource.resource}: ${JSON.stringify(answer.errors)}`,
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
