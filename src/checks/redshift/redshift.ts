import { redshiftSdk } from '../../core/aws.ts';
import { type CheckContext, sessionFor } from '../../core/check.ts';
import { classify, codeOf } from '../../core/classify.ts';
import type { Outcome } from '../../core/outcome.ts';
import { isRegion, type Partition, type Region } from '../../core/regions.ts';
import type { RedshiftTarget } from '../../core/targets.ts';
import type { RedshiftInput } from '../../core/wire.ts';

/**
 * Redshift targets, their ARNs and what their checks share. GetClusterCredentials is
 * authorized on the db user, db name and db group ARNs; Redshift Serverless's GetCredentials on
 * the workgroup ARN, which carries an id that only GetWorkgroup tells.
 */

/** Placeholder for an account a key pair's caller identity has not told yet. */
const UNKNOWN_ACCOUNT = 'ACCOUNT_ID';

export function planRedshiftTargets(
  inputs: readonly RedshiftInput[],
  partition: Partition,
  region: Region,
  principalAccount: string | undefined,
): RedshiftTarget[] {
  return inputs.map((r, i) => {
    const t: RedshiftTarget = {
      kind: 'redshift',
      key: `redshift:${i}`,
      label: '',
      partition,
      region: r.region && isRegion(r.region) ? r.region : region,
      session: 0,
    };
    const account = r.accountId ?? principalAccount;
    if (account) t.account = account;
    if (r.dbName) t.dbName = r.dbName;
    if (r.copyRoleArn) t.copyRoleArn = r.copyRoleArn;
    if (r.clusterIdentifier) {
      const dbUser = r.dbUser ?? '';
      t.cluster = { identifier: r.clusterIdentifier, dbUser, dbGroups: r.dbGroups ?? [] };
      t.label = `redshift://${r.clusterIdentifier}/${r.dbName ?? ''}?user=${dbUser}`;
    } else {
      t.workgroup = { name: r.workgroupName ?? '' };
      t.label = `redshift-serverless://${r.workgroupName ?? ''}/${r.dbName ?? ''}`;
    }
    return t;
  });
}

export const base = (t: RedshiftTarget, service: 'redshift' | 'redshift-serverless') =>
  `arn:${t.partition}:${service}:${t.region}:${t.account ?? UNKNOWN_ACCOUNT}`;

export const clusterArn = (t: RedshiftTarget) => `${base(t, 'redshift')}:cluster:${t.cluster?.identifier}`;
export const dbUserArn = (t: RedshiftTarget) =>
  `${base(t, 'redshift')}:dbuser:${t.cluster?.identifier}/${t.cluster?.dbUser}`;
export const dbNameArn = (t: RedshiftTarget) =>
  `${base(t, 'redshift')}:dbname:${t.cluster?.identifier}/${t.dbName}`;
export const dbGroupArn = (t: RedshiftTarget, group: string) =>
  `${base(t, 'redshift')}:dbgroup:${t.cluster?.identifier}/${group}`;
/** Any workgroup of the account and region: for the session policy, before the id is known. */
export const anyWorkgroupArn = (t: RedshiftTarget) => `${base(t, 'redshift-serverless')}:workgroup/*`;

/** The characters (and length) IAM allows in a role session name. */
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

/**
 * A cluster's db user becomes the role session name: AWS's documented way to scope
 * GetClusterCredentials is `"aws:userid": "<role id>:${redshift:DbUser}"` (seed 000 uses it),
 * which only a session named after the db user satisfies. The vendor's product connects the
 * same way, so the verifier does too.
 */
export function sessionNameFor(t: RedshiftTarget): string | undefined {
  const user = t.cluster?.dbUser;
  return user && SESSION_NAME.test(user) ? user : undefined;
}

/**
 * A key pair's account is known only once GetCallerIdentity answered: the target's ARNs name it
 * from then on. Every Redshift check calls this before it names an ARN.
 */
export function learnAccount(ctx: CheckContext<'redshift'>): void {
  ctx.target.account ??= ctx.principal.account;
}

/**
 * The cluster's or workgroup's endpoint and, for a workgroup, its ARN: asked once per target
 * and shared by its checks. A refusal is not a failure: the customer's policy need not allow
 * Describe (seed 000's does not), and then the endpoint is simply not known.
 */
export function lookUp(ctx: CheckContext<'redshift'>): Promise<void> {
  ctx.facts.lookup ??= (async () => {
    const t = ctx.target;
    learnAccount(ctx);
    const credentials = sessionFor(ctx);
    const { DescribeClustersCommand, GetWorkgroupCommand } = await redshiftSdk();
    try {
      if (t.cluster) {
        const out = await (await ctx.aws.redshift(t.region, credentials)).send(
          new DescribeClustersCommand({ ClusterIdentifier: t.cluster.identifier }),
          {
            abortSignal: ctx.signal,
          },
        );
        const e = out.Clusters?.[0]?.Endpoint;
        ctx.facts.attachedRoles = (out.Clusters?.[0]?.IamRoles ?? []).flatMap((r) =>
          r.IamRoleArn ? [{ arn: r.IamRoleArn, ...(r.ApplyStatus ? { status: r.ApplyStatus } : {}) }] : [],
        );
        if (e?.Address && e.Port) ctx.facts.endpoint = { host: e.Address, port: e.Port };
        else ctx.facts.endpointUnknown = `DescribeClusters gave no endpoint for ${t.cluster.identifier}`;
      } else if (t.workgroup) {
        const out = await (await ctx.aws.redshiftServerless(t.region, credentials)).send(
          new GetWorkgroupCommand({ workgroupName: t.workgroup.name }),
          { abortSignal: ctx.signal },
        );
        const w = out.workgroup;
        if (w?.workgroupArn) ctx.facts.workgroupArn = w.workgroupArn;
        if (w?.namespaceName) ctx.facts.namespaceName = w.namespaceName;
        if (w?.endpoint?.address && w.endpoint.port)
          ctx.facts.endpoint = { host: w.endpoint.address, port: w.endpoint.port };
        else ctx.facts.endpointUnknown = `GetWorkgroup gave no endpoint for ${t.workgroup.name}`;
      }
    } catch (err) {
      const action = t.cluster ? 'redshift:DescribeClusters' : 'redshift-serverless:GetWorkgroup';
      const on = t.cluster ? clusterArn(t) : anyWorkgroupArn(t);
      const c = classify(err);
      ctx.facts.endpointUnknown =
        c.kind === 'denied'
          ? `${action} on ${on} is not allowed`
          : notFound(err)
            ? `no ${t.cluster ? `cluster ${t.cluster.identifier}` : `workgroup ${t.workgroup?.name}`} in ${t.region}`
            : `${action} did not answer (${c.info.code})`;
    }
  })();
  return ctx.facts.lookup;
}

export const notFound = (err: unknown) =>
  ['ClusterNotFound', 'ClusterNotFoundFault', 'ResourceNotFoundException'].includes(codeOf(err) ?? '');

/**
 * Asks for temporary database credentials and drops what comes back unread: a password is never
 * returned, logged or kept. AWS authorizes before it looks the cluster or workgroup up, so one
 * that does not exist means the call was allowed: its own failure, nothing to grant.
 */
export async function issueCredentials(
  ctx: CheckContext<'redshift'>,
  /** The cluster or workgroup, and whom the credentials are for. */
  what: { resource: string; issuedTo: string },
  call: () => Promise<unknown>,
): Promise<Outcome> {
  const t = ctx.target;
  try {
    await call();
  } catch (err) {
    if (!notFound(err)) throw err;
    return {
      status: 'fail',
      message: `No ${what.resource} in account ${t.account ?? 'of the principal'}, ${t.region}: check the name and the region.`,
      missing: [],
    };
  }
  return { status: 'pass', message: `Temporary credentials issued for ${what.issuedTo} (discarded unread).` };
}
