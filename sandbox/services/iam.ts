import { authorize, type Caller, forListAllMyBuckets, refusalMessage } from '../iam.ts';
import type { SandboxState } from '../state.ts';
import type { World } from '../world.ts';
import { AwsError, accountOf, esc, queryAction, queryError, type Service, uniqueIdOf } from './aws.ts';

/**
 * IAM's SimulatePrincipalPolicy (query protocol, XML), by the sandbox's own policy evaluator:
 * the source principal's identity policies, its permissions boundary and its account's SCPs
 * (no resource policy is given, as the verifier gives none), after checking that the caller may
 * simulate that principal. As AWS does now, one result per action, its decision the most
 * restrictive over the resources, each resource's own decision in ResourceSpecificResults.
 */

const XMLNS = 'https://iam.amazonaws.com/doc/2010-05-08/';

type Decision = 'allowed' | 'explicitDeny' | 'implicitDeny';

export function iamService(state: SandboxState): Service {
  return {
    operation: (_req, body) => queryAction(body),
    error: queryError(XMLNS),
    async handle({ session, body, rid }) {
      const params = new URLSearchParams(body.toString());
      return {
        status: 200,
        headers: { 'content-type': 'text/xml' },
        body: await iam(state.world, session.caller, params, rid),
      };
    },
  };
}

/** `Name.member.1`, `Name.member.2`, …: a query-protocol list. */
function members(params: URLSearchParams, name: string): string[] {
  const out: string[] = [];
  for (let i = 1; params.has(`${name}.member.${i}`); i++) out.push(params.get(`${name}.member.${i}`) ?? '');
  return out;
}

/** The principal whose policies are simulated, as the evaluator sees it. */
function sourceOf(world: World, arn: string): Caller {
  const account = accountOf(arn);
  const scps = world.scps?.[account];
  const user = world.users?.find((u) => u.arn === arn);
  if (user) {
    return {
      arn,
      account,
      userid: uniqueIdOf('AIDA', arn),
      username: arn.split('/').at(-1) ?? '',
      identityPolicies: user.policies,
      ...(user.boundary ? { boundary: user.boundary } : {}),
      ...(scps ? { scps } : {}),
    };
  }
  const role = world.roles?.find((r) => r.arn === arn);
  if (role) {
    return {
      arn,
      account,
      userid: role.uniqueId ?? uniqueIdOf('AROA', arn),
      identityPolicies: role.policies,
      ...(role.boundary ? { boundary: role.boundary } : {}),
      ...(scps ? { scps } : {}),
    };
  }
  const kind = /:role\//.test(arn) ? 'role' : 'user';
  throw new AwsError(404, 'NoSuchEntity', `The ${kind} with name ${arn.split('/').at(-1)} cannot be found.`);
}

async function decide(
  source: Caller,
  action: string,
  resource: { arn: string; account: string },
  context: Record<string, string | string[]>,
): Promise<Decision> {
  try {
    const v =
      action === 's3:ListAllMyBuckets' && /^arn:[\w-]+:s3:::\*$/.test(resource.arn)
        ? await authorize(forListAllMyBuckets(source), action, { ...resource, arn: '*' }, { context })
        : await authorize(source, action, resource, { context });
    return v.allowed ? 'allowed' : v.explicit ? 'explicitDeny' : 'implicitDeny';
  } catch {
    // The evaluator refuses an action on a resource type the action does not take (s3:ListBucket
    // on an object); IAM's simulator matches the ARN literally. No Allow names such a pair in
    // the worlds, so neither answers allowed.
    return 'implicitDeny';
  }
}

async function iam(world: World, caller: Caller, params: URLSearchParams, rid: string): Promise<string> {
  const action = params.get('Action');
  if (action === 'GetRole') return getRole(world, caller, params.get('RoleName') ?? '', rid);
  if (action !== 'SimulatePrincipalPolicy')
    throw new AwsError(400, 'InvalidAction', `Could not find operation ${action}`);
  const sourceArn = params.get('PolicySourceArn') ?? '';
  if (!sourceArn)
    throw new AwsError(
      400,
      'ValidationError',
      "1 validation error detected: Value null at 'policySourceArn' failed to satisfy constraint: Member must not be null",
    );
  const allowed = await authorize(caller, 'iam:SimulatePrincipalPolicy', {
    arn: sourceArn,
    account: accountOf(sourceArn),
  });
  if (!allowed.allowed)
    throw new AwsError(
      403,
      'AccessDenied',
      refusalMessage(caller, 'iam:SimulatePrincipalPolicy', sourceArn, allowed, false),
    );
  const source = sourceOf(world, sourceArn);
  const actions = members(params, 'ActionNames');
  if (!actions.length)
    throw new AwsError(
      400,
      'ValidationError',
      "1 validation error detected: Value null at 'actionNames' failed to satisfy constraint: Member must not be null",
    );
  const resources = members(params, 'ResourceArns');
  const context: Record<string, string | string[]> = {};
  for (let i = 1; params.has(`ContextEntries.member.${i}.ContextKeyName`); i++) {
    const key = params.get(`ContextEntries.member.${i}.ContextKeyName`) ?? '';
    const values = members(params, `ContextEntries.member.${i}.ContextKeyValues`);
    context[key] = values.length === 1 ? (values[0] ?? '') : values;
  }
  const maxItems = Number(params.get('MaxItems') ?? 100);
  const start = Number(params.get('Marker') ?? 0);

  const page = actions.slice(start, start + maxItems);
  const results: string[] = [];
  for (const a of page) results.push(await evaluationResult(world, source, a, resources, context));
  const next = start + page.length;
  const truncated = next < actions.length;
  return `<SimulatePrincipalPolicyResponse xmlns="${XMLNS}"><SimulatePrincipalPolicyResult><IsTruncated>${truncated}</IsTruncated>${
    truncated ? `<Marker>${next}</Marker>` : ''
  }<EvaluationResults>${results.join('')}</EvaluationResults></SimulatePrincipalPolicyResult><ResponseMetadata><RequestId>${rid}</RequestId></ResponseMetadata></SimulatePrincipalPolicyResponse>`;
}

/** One action's result: its decision the most restrictive over the resources, each one's below. */
async function evaluationResult(
  world: World,
  source: Caller,
  a: string,
  resources: string[],
  context: Record<string, string | string[]>,
): Promise<string> {
  const per: { resource: string; decision: Decision }[] = [];
  for (const resource of resources.length ? resources : ['*']) {
    // S3 ARNs name no account: the bucket's owner in this world, else the principal's.
    const bucket = /^arn:[\w-]+:s3:::([^/]+)/.exec(resource)?.[1];
    const account =
      accountOf(resource) || world.buckets?.find((b) => b.name === bucket)?.account || source.account;
    per.push({ resource, decision: await decide(source, a, { arn: resource, account }, context) });
  }
  const decisions = per.map((p) => p.decision);
  const overall: Decision = decisions.includes('explicitDeny')
    ? 'explicitDeny'
    : decisions.includes('implicitDeny')
      ? 'implicitDeny'
      : 'allowed';
  const single = per.length === 1 ? per[0]?.resource : undefined;
  return `<member><EvalActionName>${esc(a)}</EvalActionName>${
    single ? `<EvalResourceName>${esc(single)}</EvalResourceName>` : ''
  }<EvalDecision>${overall}</EvalDecision><MatchedStatements/><MissingContextValues/>${
    resources.length
      ? `<ResourceSpecificResults>${per
          .map(
            (p) =>
              `<member><EvalResourceName>${esc(p.resource)}</EvalResourceName><EvalResourceDecision>${p.decision}</EvalResourceDecision><MatchedStatements/><MissingContextValues/></member>`,
          )
          .join('')}</ResourceSpecificResults>`
      : ''
  }</member>`;
}

/** GetRole of the caller's account: the trust comes back URL-encoded, as IAM sends it. */
async function getRole(world: World, caller: Caller, name: string, rid: string): Promise<string> {
  const role = world.roles?.find(
    (r) => accountOf(r.arn) === caller.account && r.arn.split('/').at(-1) === name,
  );
  const arn = role?.arn ?? `arn:aws:iam::${caller.account}:role/${name}`;
  const v = await authorize(caller, 'iam:GetRole', { arn, account: caller.account });
  if (!v.allowed)
    throw new AwsError(403, 'AccessDenied', refusalMessage(caller, 'iam:GetRole', arn, v, false));
  if (!role) throw new AwsError(404, 'NoSuchEntity', `The role with name ${name} cannot be found.`);
  const id = role.uniqueId ?? uniqueIdOf('AROA', arn);
  return `<GetRoleResponse xmlns="${XMLNS}"><GetRoleResult><Role><Path>/</Path><RoleName>${esc(name)}</RoleName><RoleId>${id}</RoleId><Arn>${esc(arn)}</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate><AssumeRolePolicyDocument>${encodeURIComponent(JSON.stringify(role.trust))}</AssumeRolePolicyDocument><MaxSessionDuration>3600</MaxSessionDuration></Role></GetRoleResult><ResponseMetadata><RequestId>${rid}</RequestId></ResponseMetadata></GetRoleResponse>`;
}
