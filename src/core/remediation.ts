import type { VerificationInfo } from './check.ts';
import { type AnyCheck, type AnyContext, grantsOf } from './check.ts';
import type { Denied } from './classify.ts';
import type { AdminNote, Grant, PolicyStatement, ResourcePolicyFix } from './iam-documents.ts';
import type { Outcome } from './outcome.ts';
import { policyOf, statementsOf, trustStatement } from './policy.ts';
import type { Target } from './targets.ts';
import type { Remediation } from './wire.ts';

/**
 * Where each fix goes. A refusal is answered with what AWS named in it (the action, the
 * resource, the policy type), and the fix lands where that policy lives: the role's or user's
 * own policy, a key or bucket policy naming the principal, the trust policy, or a note for
 * what only an administrator can change. The check's own grants stand in only when AWS named
 * nothing.
 */

/** Policy types no statement of the customer's own role, key or bucket can lift. */
const ADMINISTERED = new Set([
  'service control policy',
  'resource control policy',
  'permissions boundary',
  'VPC endpoint policy',
]);

/** The principal a resource policy must name: the role, or the key pair's user. */
function principalArnOf(ctx: AnyContext): string | undefined {
  const c = ctx.principalTarget.credentials;
  return c.type === 'role' ? c.roleArn : ctx.principal.arn;
}

/**
 * The grant AWS's refusal names. An action the check declares keeps the check's resource
 * pattern (AWS names the probe's own key, the fix names the prefix), narrowed to the one
 * resource AWS named where the grant lists several (a db user); another service's action
 * (the KMS key behind an S3 write) is taken exactly as AWS named it.
 */
export function namedGrant(
  grants: readonly Grant[],
  d: Pick<Denied, 'action' | 'resource'>,
): Grant | undefined {
  const action = d.action;
  if (!action) return undefined;
  const own = grants.find((g) => !g.trust && g.actions.includes(action));
  if (own) {
    const one = d.resource && own.resources.length > 1 && own.resources.includes(d.resource);
    return {
      actions: [action],
      resources: one && d.resource ? [d.resource] : [...own.resources],
      ...(own.condition ? { condition: own.condition } : {}),
    };
  }
  if (d.resource && !d.resource.includes('*')) return { actions: [action], resources: [d.resource] };
  return undefined;
}

const article = (noun: string) => (/^[aeiou]/i.test(noun) ? 'an' : 'a');

const allowText = (grants: readonly Grant[]) =>
  grants.map((g) => `Allow ${g.actions.join(', ')} on ${g.resources.join(', ')}`).join('; ');

/** The bucket an S3 ARN names, or undefined for any other ARN. */
const bucketOfArn = (arn: string) => /^arn:[\w-]+:s3:::([^/]+)/.exec(arn)?.[1];
const isKeyArn = (arn: string) => /^arn:[\w-]+:kms:/.test(arn);

/** Resource-policy statements for these grants, each routed to the key or bucket it names. */
function resourcePolicyFixes(grants: readonly Grant[]): ResourcePolicyFix[] | undefined {
  const fixes: ResourcePolicyFix[] = [];
  for (const g of grants) {
    for (const resource of g.resources) {
      const bucket = bucketOfArn(resource);
      const one: Grant = { actions: g.actions, resources: [resource] };
      if (isKeyArn(resource)) fixes.push({ kind: 'key', resource, grant: one });
      else if (bucket) fixes.push({ kind: 'bucket', resource: bucket, grant: one });
      else return undefined;
    }
  }
  return fixes.length ? fixes : undefined;
}

function noteFor(d: Denied, action: string, resource: string | undefined, who: string): AdminNote {
  const policyType = d.policyType ?? 'policy AWS did not name';
  const on = resource ? ` on ${resource}` : '';
  const org = policyType === 'service control policy' || policyType === 'resource control policy';
  let message: string;
  if (d.explicitDeny) {
    const owner = org
      ? 'an administrator of the AWS Organization'
      : policyType === 'identity-based policy'
        ? `whoever manages the policies attached to ${who}`
        : policyType === 'resource-based policy'
          ? `whoever manages the ${resource && isKeyArn(resource) ? 'key' : 'bucket'} policy`
          : `whoever manages that ${policyType}`;
    message = `An explicit deny in ${article(policyType)} ${policyType} refuses ${action}${on}; no Allow can override it: ${owner} must remove or narrow that Deny.`;
  } else if (org) {
    message = `No ${policyType} of the AWS Organization allows ${action}${on} in this account: an administrator of the organization must allow it.`;
  } else if (policyType === 'permissions boundary') {
    message = `The permissions boundary of ${who} does not allow ${action}${on}: whoever manages the boundary must add it (an Allow in the principal's own policies is not enough).`;
  } else if (policyType === 'VPC endpoint policy') {
    message = `The VPC endpoint policy the call went through does not allow ${action}${on}: whoever manages the endpoint must allow it.`;
  } else {
    message = `The ${policyType} refuses ${action}${on}: whoever manages it must allow ${who}.`;
  }
  return { policyType, action, ...(resource ? { resource } : {}), message };
}

/**
 * A check's verdict on an AWS refusal: its own explanation, then the fix built from what AWS
 * named, put where the refusing policy lives. `scopeHint`: what its scope adds to every
 * refusal's hint (a bucket's unconfirmed owner).
 */
export function denialOutcome(
  check: AnyCheck,
  ctx: AnyContext,
  d: Denied,
  scopeHint?: (ctx: AnyContext) => string | undefined,
): Outcome {
  const explained = (
    check.explainDenial as (t: Target, c: AnyContext, r: Denied) => Partial<Outcome> & { message: string }
  )(ctx.target, ctx, d);
  const outcome: Outcome = { status: 'fail', error: d.info, ...explained };
  // AWS's pointer at the policy type first, then what the check itself knows to look at.
  const hints = [d.hint, explained.hint, scopeHint?.(ctx)];
  const hint = hints.filter(Boolean).join(' ');
  if (hint) outcome.hint = hint;
  // The check knew better (a versioned bucket's delete), or the trust policy is the fix.
  if (explained.missing || explained.trustPolicyFix) {
    outcome.missing ??= [];
    return outcome;
  }

  const grants = grantsOf(check, ctx.target);
  const named = namedGrant(grants, d);
  const fallback = grants.filter((g) => !g.sessionOnly && !g.trust);
  const asked = named ? [named] : fallback;
  const who = principalArnOf(ctx);
  outcome.missing = [];
  let text: string | undefined;

  const administered = d.explicitDeny || (d.policyType !== undefined && ADMINISTERED.has(d.policyType));
  const inResourcePolicy = !administered && d.policyType === 'resource-based policy';
  const fixes = inResourcePolicy && who ? resourcePolicyFixes(asked) : undefined;
  if (fixes) {
    outcome.resourcePolicyFix = fixes;
    text = fixes
      .map(
        (f) =>
          `Allow ${f.grant.actions.join(', ')} for ${who} in the ${f.kind} policy of ${f.resource}${f.kind === 'bucket' ? ` (on ${f.grant.resources.join(', ')})` : ''}.`,
      )
      .join(' ');
  } else if (administered || inResourcePolicy || (d.policyType && d.policyType !== 'identity-based policy')) {
    const action = d.action ?? [...new Set(asked.flatMap((g) => g.actions))].join(', ');
    // The check's resource pattern where AWS named one of its own actions (not the probe's key).
    const resource = named?.resources.join(', ') ?? d.resource ?? asked[0]?.resources.join(', ');
    outcome.note = noteFor(d, action || check.id, resource, who ?? 'the principal');
    text = outcome.note.message;
  } else {
    outcome.missing = asked;
    if (asked.length) text = allowText(asked);
  }
  if (!outcome.remediation && text) outcome.remediation = text;
  return outcome;
}

/**
 * A reported (not required) check says nothing against the setup: a refusal is `skip`, saying
 * the check is optional and what it would have checked; its statement goes to
 * `remediation.optional`.
 */
export function asReported(outcome: Outcome, check: AnyCheck): Outcome {
  if (outcome.status !== 'fail') return outcome;
  const title = check.title.charAt(0).toLowerCase() + check.title.slice(1);
  const statement = outcome.missing?.length
    ? '; remediation.optional has the statement that lets it run'
    : '';
  // "The role may not …" reads on after a colon; "S3 refused …" keeps its capital.
  const said = /^[A-Z][a-z]/.test(outcome.message)
    ? outcome.message.charAt(0).toLowerCase() + outcome.message.slice(1)
    : outcome.message;
  const message = outcome.error
    ? `Optional check, not granted: ${said} It would have checked that ${title}. The product does not need it${statement}.`
    : `Optional check (not required): ${outcome.message}`;
  return {
    ...outcome,
    status: 'skip',
    message,
    ...(outcome.remediation ? { remediation: `Optional: ${outcome.remediation}` } : {}),
  };
}

/** One listed check, as the report's remediation needs it. */
export interface Listed {
  id: string;
  target: string;
  required: boolean;
  outcome: Outcome;
}

/** The report's `remediation`: every fix of the listed checks, where it goes. */
export function remediationOf(
  checks: readonly Listed[],
  v: Pick<VerificationInfo, 'vendorPrincipalArn' | 'externalId'>,
  principalArn: string | undefined,
): Remediation {
  const required: Grant[] = [];
  const optional: Grant[] = [];
  const keys = new Map<string, Grant[]>();
  const buckets = new Map<string, Grant[]>();
  const notes: NonNullable<Remediation['notes']> = [];
  let trust = false;
  for (const c of checks) {
    const o = c.outcome;
    // A required check asks for a fix when it failed or warned; a reported one also when refused (skip).
    const asks = o.status === 'fail' || o.status === 'warn' || (!c.required && o.status === 'skip');
    if (!asks) continue;
    const grants = (o.missing ?? []).filter((g) => !g.trust);
    if (!c.required) {
      optional.push(...grants);
      continue;
    }
    required.push(...grants);
    if (o.trustPolicyFix) trust = true;
    for (const f of o.resourcePolicyFix ?? []) {
      const into = f.kind === 'key' ? keys : buckets;
      into.set(f.resource, [...(into.get(f.resource) ?? []), f.grant]);
    }
    if (o.note) notes.push({ check: c.id, target: c.target, ...o.note });
  }
  // A resource policy names whom it allows: the role itself (not a session of it), or the user.
  const withPrincipal = (s: PolicyStatement): PolicyStatement => ({
    Effect: s.Effect,
    ...(principalArn ? { Principal: { AWS: principalArn } } : {}),
    Action: s.Action,
    ...(s.Resource ? { Resource: s.Resource } : {}),
    ...(s.Condition ? { Condition: s.Condition } : {}),
  });
  const remediation: Remediation = { policy: policyOf(statementsOf(required)) };
  if (optional.length) remediation.optional = policyOf(statementsOf(optional));
  const keyPolicies = [...keys].flatMap(([keyArn, grants]) =>
    statementsOf(grants).map((s) => ({ keyArn, statement: withPrincipal(s) })),
  );
  if (keyPolicies.length) remediation.keyPolicies = keyPolicies;
  const bucketPolicies = [...buckets].flatMap(([bucket, grants]) =>
    statementsOf(grants).map((s) => ({ bucket, statement: withPrincipal(s) })),
  );
  if (bucketPolicies.length) remediation.bucketPolicies = bucketPolicies;
  if (trust) remediation.trustPolicy = trustStatement(v.vendorPrincipalArn, v.externalId);
  if (notes.length) remediation.notes = notes;
  return remediation;
}
