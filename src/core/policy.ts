import type { Condition, Grant, PolicyDocument, PolicyStatement } from './iam-documents.ts';
import type { Partition } from './regions.ts';

/**
 * Policies built from the catalogue's grants: the session policy passed on AssumeRole, the
 * remediation policy of a report and the permission policy of GET /setup all come from here.
 */

export const SESSION_POLICY_LIMIT = 2048;

/** One target's grants alone need more session policy than AWS takes: the request must name less. */
export class SessionPolicyTooLong extends Error {
  override name = 'SessionPolicyTooLong';
  readonly length: number;
  constructor(length: number) {
    super(`the grants of one target need ${length} characters of session policy`);
    this.length = length;
  }
}

const one = (xs: string[]) => (xs.length === 1 ? (xs[0] as string) : xs);

/**
 * The fewest statements that say exactly the grants: actions on the same resource (and
 * condition) are merged, then resources that need the same actions share a statement.
 */
export function statementsOf(grants: readonly Grant[], keepConditions = true): PolicyStatement[] {
  const perResource = new Map<string, { resource: string; condition?: Condition; actions: Set<string> }>();
  for (const g of grants) {
    const condition = keepConditions ? g.condition : undefined;
    for (const resource of g.resources) {
      const key = `${resource}|${condition ? JSON.stringify(condition) : ''}`;
      const entry = perResource.get(key) ?? {
        resource,
        ...(condition ? { condition } : {}),
        actions: new Set(),
      };
      for (const a of g.actions) entry.actions.add(a);
      perResource.set(key, entry);
    }
  }
  const groups = new Map<string, { actions: string[]; resources: string[]; condition?: Condition }>();
  for (const e of perResource.values()) {
    const actions = [...e.actions].sort();
    const key = `${actions.join(',')}|${e.condition ? JSON.stringify(e.condition) : ''}`;
    const group = groups.get(key);
    if (group) group.resources.push(e.resource);
    else
      groups.set(key, {
        actions,
        resources: [e.resource],
        ...(e.condition ? { condition: e.condition } : {}),
      });
  }
  return [...groups.values()].map((g) => ({
    Effect: 'Allow',
    Action: one(g.actions),
    Resource: one(g.resources),
    ...(g.condition ? { Condition: g.condition } : {}),
  }));
}

export const policyOf = (statements: PolicyStatement[]): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: statements,
});

/**
 * What S3 calls on the caller's behalf for SSE-KMS when the key is not known in advance: only
 * through S3, so it allows no direct KMS use.
 */
export function kmsViaS3Statement(partition: Partition): PolicyStatement {
  return {
    Effect: 'Allow',
    Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
    Resource: `arn:${partition}:kms:*:*:key/*`,
    Condition: { StringLike: { 'kms:ViaService': 's3.*' } },
  };
}

/** A session policy that allows nothing: for sessions that must do nothing. */
export const NOTHING_ALLOWED: PolicyDocument = policyOf([{ Effect: 'Deny', Action: '*', Resource: '*' }]);

export interface SessionPlan {
  policies: string[];
  /** For each group of grants (one per target), the index of the session that carries it. */
  sessionOf: number[];
  /** The role session name each session must carry, where a target needs one of its own. */
  names: (string | undefined)[];
}

/**
 * Packs each target's grants into as few session policies as fit AWS's 2,048-character limit.
 * Nothing is dropped or widened to make it fit: a target that fits nowhere opens a new session.
 * Targets that need a session name of their own (a Redshift db user that the customer's
 * policy ties to `aws:userid`) share only with targets that need the same name.
 */
export function planSessions(
  perTarget: readonly Grant[][],
  partition: Partition,
  sessionNames: readonly (string | undefined)[] = [],
): SessionPlan {
  const kms = kmsViaS3Statement(partition);
  const render = (grants: Grant[]) =>
    JSON.stringify(
      policyOf([
        ...statementsOf(
          grants.filter((g) => !g.trust),
          false,
        ),
        kms,
      ]),
    );
  if (perTarget.length === 0)
    return { policies: [JSON.stringify(NOTHING_ALLOWED)], sessionOf: [], names: [undefined] };

  const policies: string[] = [];
  const names: (string | undefined)[] = [];
  const sessionOf: number[] = [];
  const byName = new Map<string | undefined, number[]>();
  perTarget.forEach((_, i) => {
    const name = sessionNames[i];
    byName.set(name, [...(byName.get(name) ?? []), i]);
  });
  for (const [name, members] of byName) {
    let current: Grant[] = [];
    let rendered = '';
    for (const i of members) {
      const grants = perTarget[i] ?? [];
      const attempt = render([...current, ...grants]);
      if (current.length > 0 && attempt.length > SESSION_POLICY_LIMIT) {
        policies.push(rendered);
        names.push(name);
        current = [...grants];
        rendered = render(current);
      } else {
        current = [...current, ...grants];
        rendered = attempt;
      }
      if (rendered.length > SESSION_POLICY_LIMIT) {
        throw new SessionPolicyTooLong(rendered.length);
      }
      sessionOf[i] = policies.length;
    }
    policies.push(rendered);
    names.push(name);
  }
  return { policies, sessionOf, names };
}

/** The one trust statement this vendor needs: a report asks to add it, never to replace the trust. */
export function trustStatement(vendorPrincipalArn: string, externalId: string): PolicyStatement {
  return {
    Effect: 'Allow',
    Principal: { AWS: vendorPrincipalArn },
    Action: 'sts:AssumeRole',
    Condition: { StringEquals: { 'sts:ExternalId': externalId } },
  };
}

/** A whole trust policy, for a role created for this vendor alone (GET /setup). */
export function trustPolicy(vendorPrincipalArn: string, externalId: string): PolicyDocument {
  return policyOf([trustStatement(vendorPrincipalArn, externalId)]);
}
