import { iamSdk, redshiftSdk } from '../../core/aws.ts';
import { type CheckContext, type CheckDescriptor, sessionFor } from '../../core/check.ts';
import { classify } from '../../core/classify.ts';
import type { Grant } from '../../core/iam-documents.ts';
import type { Outcome } from '../../core/outcome.ts';
import type { RedshiftTarget } from '../../core/targets.ts';
import { IAM_REGION } from '../iam/simulation.ts';
import { base, clusterArn, dbUserArn, learnAccount, lookUp } from './redshift.ts';

/**
 * Seed 002: the role Redshift assumes for COPY and UNLOAD must be attached to the cluster and
 * in sync (DescribeClusters → IamRoles[].ApplyStatus), or attached to the Serverless namespace
 * (GetNamespace → iamRoles). Where its trust can be read (GET /setup's policy allows iam:GetRole
 * on the role it generates), the trust must name the product's db user and the cluster's region.
 */

/** Any namespace of the account and region: its id is known only to AWS. */
const anyNamespaceArn = (t: RedshiftTarget) => `${base(t, 'redshift-serverless')}:namespace/*`;

const describeGrants = (t: RedshiftTarget): Grant[] =>
  t.cluster
    ? [{ actions: ['redshift:DescribeClusters'], resources: [clusterArn(t)] }]
    : [
        {
          actions: ['redshift-serverless:GetWorkgroup'],
          resources: [t.workgroup?.arn ?? `${base(t, 'redshift-serverless')}:workgroup/*`],
        },
        { actions: ['redshift-serverless:GetNamespace'], resources: [anyNamespaceArn(t)] },
      ];

/** GetNamespace words its roles `IamRole(applyStatus=in-sync, iamRoleArn=arn:…)`, fields in either order. */
export function parseNamespaceRole(text: string): { arn: string; status?: string } | undefined {
  const arn = /iamRoleArn=([^,)\s]+)/.exec(text)?.[1] ?? (text.startsWith('arn:') ? text : undefined);
  const status = /applyStatus=([^,)\s]+)/.exec(text)?.[1];
  return arn ? { arn, ...(status ? { status } : {}) } : undefined;
}

export const redshiftCopyRole: CheckDescriptor<'redshift', 'redshift.copy-role'> = {
  id: 'redshift.copy-role',
  title: 'The role Redshift assumes for COPY/UNLOAD is attached and in sync',
  scope: 'redshift',
  calls: (t) => (t.cluster ? ['DescribeClusters', 'GetRole'] : ['GetWorkgroup', 'GetNamespace']),
  dependsOn: [],
  appliesTo: (t) => Boolean(t.copyRoleArn),
  // Reading the attached roles (and the role's trust) is optional for the customer: allowed in
  // the session, never demanded; without it the check says what would let it test.
  grants: (t) => [
    ...describeGrants(t).map((g) => ({ ...g, sessionOnly: true })),
    ...(t.copyRoleArn ? [{ actions: ['iam:GetRole'], resources: [t.copyRoleArn], sessionOnly: true }] : []),
  ],
  async run(ctx) {
    const t = ctx.target;
    const role = t.copyRoleArn as string;
    learnAccount(ctx);
    // Without a session nothing below can be asked: the engine's defect, thrown as such.
    sessionFor(ctx);
    const attached = t.cluster ? await clusterRoles(ctx) : await namespaceRoles(ctx);
    if ('skip' in attached) return attached.skip;
    const where = t.cluster ? `cluster ${t.cluster.identifier}` : `the namespace ${ctx.facts.namespaceName}`;
    const found = attached.roles.find((r) => r.arn === role);
    if (!found) {
      const others = attached.roles.map((r) => r.arn);
      return {
        status: 'fail',
        message: `${role} is not attached to ${where}${others.length ? ` (attached: ${others.join(', ')})` : ' (no role is attached)'}: COPY and UNLOAD naming it are refused.`,
        missing: [],
        remediation: t.cluster
          ? `Attach ${role} to ${where}: aws redshift modify-cluster-iam-roles --cluster-identifier ${t.cluster.identifier} --add-iam-roles ${role}`
          : `Attach ${role} to ${where}: aws redshift-serverless update-namespace --namespace-name ${ctx.facts.namespaceName} --iam-roles ${[...others, role].join(' ')} (the list replaces the roles attached)`,
      };
    }
    if (found.status && found.status !== 'in-sync') {
      return {
        status: 'warn',
        message: `${role} is attached to ${where} but not in sync yet (${found.status}): COPY can use it once it is in-sync.`,
        missing: [],
      };
    }
    const trust = await trustProblem(ctx, role);
    if (trust)
      return { status: 'warn', message: `${role} is attached to ${where}, but ${trust}`, missing: [] };
    return {
      status: 'pass',
      message: `${role} is attached to ${where}${found.status ? ' and in sync' : ''}.`,
    };
  },
  explainDenial: () => ({ message: 'The roles attached could not be read.' }),
};

type Roles = { roles: { arn: string; status?: string }[] } | { skip: Outcome };

const notTested = (why: string, g: Grant): { skip: Outcome } => ({
  skip: {
    status: 'skip',
    message: `Not tested: ${why}. Allow ${g.actions.join(', ')} on ${g.resources.join(', ')} so the roles attached can be read.`,
  },
});

async function clusterRoles(ctx: CheckContext<'redshift'>): Promise<Roles> {
  await lookUp(ctx);
  const roles = ctx.facts.attachedRoles;
  const [g] = describeGrants(ctx.target);
  if (!roles) return notTested(ctx.facts.endpointUnknown ?? 'DescribeClusters gave no answer', g as Grant);
  return { roles };
}

async function namespaceRoles(ctx: CheckContext<'redshift'>): Promise<Roles> {
  await lookUp(ctx);
  const [wg, ns] = describeGrants(ctx.target) as [Grant, Grant];
  const name = ctx.facts.namespaceName;
  if (!name) return notTested(ctx.facts.endpointUnknown ?? 'GetWorkgroup did not name the namespace', wg);
  try {
    const { GetNamespaceCommand } = await redshiftSdk();
    const out = await (await ctx.aws.redshiftServerless(ctx.target.region, sessionFor(ctx))).send(
      new GetNamespaceCommand({ namespaceName: name }),
      { abortSignal: ctx.signal },
    );
    return { roles: (out.namespace?.iamRoles ?? []).flatMap((r) => parseNamespaceRole(r) ?? []) };
  } catch (err) {
    if (classify(err).kind !== 'denied') throw err;
    return notTested(`redshift-serverless:GetNamespace on namespace ${name} is not allowed`, ns);
  }
}

/** A trust statement's values for a condition key, under any operator. */
function conditionValues(statement: Record<string, unknown>, key: string): string[] | undefined {
  const condition = statement.Condition as Record<string, Record<string, string | string[]>> | undefined;
  for (const block of Object.values(condition ?? {})) {
    const v = block[key];
    if (v !== undefined) return Array.isArray(v) ? v : [v];
  }
  return undefined;
}

const like = (pattern: string, value: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  ).test(value);

/**
 * Seed 002's two restrictions, read from the role's trust where iam:GetRole is allowed (GET
 * /setup grants it on the role it generates): the db users (`sts:ExternalId`) must include the
 * product's, the regional principals the cluster's region. Unreadable: nothing is claimed.
 */
async function trustProblem(ctx: CheckContext<'redshift'>, role: string): Promise<string | undefined> {
  const t = ctx.target;
  if (!t.cluster) return undefined;
  let document: string | undefined;
  try {
    const { GetRoleCommand } = await iamSdk();
    const out = await (await ctx.aws.iam(IAM_REGION[t.partition], sessionFor(ctx))).send(
      new GetRoleCommand({ RoleName: role.split('/').at(-1) }),
      { abortSignal: ctx.signal },
    );
    document = out.Role?.AssumeRolePolicyDocument;
  } catch (err) {
    if (classify(err).kind !== 'denied')
      ctx.logger.info('copy role trust not read', { error: classify(err).info.code });
    return undefined;
  }
  if (!document) return undefined;
  let trust: { Statement?: Record<string, unknown>[] | Record<string, unknown> };
  try {
    // IAM returns the trust URL-encoded.
    trust = JSON.parse(decodeURIComponent(document));
  } catch {
    return undefined;
  }
  const statements = (Array.isArray(trust.Statement) ? trust.Statement : [trust.Statement ?? {}]).filter(
    (s) => {
      const service = (s.Principal as { Service?: string | string[] } | undefined)?.Service;
      const services = Array.isArray(service) ? service : service ? [service] : [];
      return (
        s.Effect === 'Allow' && services.some((x) => /^redshift(\.[a-z0-9-]+)?\.amazonaws\.com$/.test(x))
      );
    },
  );
  if (!statements.length) return 'its trust does not let Redshift (redshift.amazonaws.com) assume it.';
  const user = dbUserArn(t);
  const admits = statements.filter((s) => {
    const ids = conditionValues(s, 'sts:ExternalId');
    return !ids || ids.some((p) => like(p, user));
  });
  if (!admits.length) {
    const named = statements.flatMap((s) => conditionValues(s, 'sts:ExternalId') ?? []);
    return `its trust restricts it to the db users ${named.join(', ')}: the product's db user ${user} is not among them, so Redshift refuses COPY run as ${t.cluster.dbUser}. Add ${user} to the trust's sts:ExternalId condition.`;
  }
  const regional = admits.every((s) => {
    const service = (s.Principal as { Service: string | string[] }).Service;
    const services = Array.isArray(service) ? service : [service];
    return (
      services.every((x) => x !== 'redshift.amazonaws.com') &&
      !services.includes(`redshift.${t.region}.amazonaws.com`)
    );
  });
  if (regional)
    return `its trust admits Redshift only in other regions: add redshift.${t.region}.amazonaws.com to its Principal.Service.`;
  return undefined;
}
