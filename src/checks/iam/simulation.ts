import type { ContextEntry } from '@aws-sdk/client-iam';
import { s3BucketArn } from '../../core/arn.ts';
import { iamSdk } from '../../core/aws.ts';
import type { CheckContext } from '../../core/check.ts';
import { classify } from '../../core/classify.ts';
import type { Need, SimDecision, SimulationResult } from '../../core/facts.ts';
import type { Grant } from '../../core/iam-documents.ts';
import type { Outcome } from '../../core/outcome.ts';
import type { Partition, Region } from '../../core/regions.ts';
import type { PrincipalTarget } from '../../core/targets.ts';
import { PROBE_MARKER, place, probeKey } from '../s3/probe.ts';

/**
 * IAM policy simulation (SimulatePrincipalPolicy) of the principal itself: one call per set of
 * context values, asking about every action the planned checks need on the exact resources
 * they touch, and about the dangerous bucket actions the product never needs. AWS answers one
 * result per action (the most restrictive decision over the resources) with each resource's
 * own decision in `ResourceSpecificResults`, which is what is read here.
 *
 * Simulation sees the principal's identity policies, its permissions boundary and the SCPs, not
 * bucket or key policies, session policies or VPC endpoint policies: it never overturns a probe.
 */

/** What simulation reads of a check's context: the same for checks of every scope. */
export type SimContext = Pick<
  CheckContext<'principal'>,
  'principal' | 'principalTarget' | 'aws' | 'signal' | 'verification'
>;

/** Bucket actions a data product never needs, and which would let a vendor's key wreck the bucket. */
export const DANGEROUS_BUCKET_ACTIONS = [
  's3:DeleteBucket',
  's3:PutBucketPolicy',
  's3:DeleteBucketPolicy',
  's3:PutBucketAcl',
  's3:PutLifecycleConfiguration',
  's3:PutBucketVersioning',
  's3:PutBucketPublicAccessBlock',
  's3:PutEncryptionConfiguration',
] as const;

/** IAM is global: requests are signed for the partition's own region. */
export const IAM_REGION: Record<Partition, Region> = {
  aws: 'us-east-1',
  'aws-cn': 'cn-north-1',
  'aws-us-gov': 'us-gov-west-1',
};

/** At most this many pages of results (100 actions each): a verification names far fewer. */
const MAX_PAGES = 10;

/**
 * The ARN to simulate: the role, or the key pair's IAM user. An assumed-role session's key
 * pair has no policies of its own to simulate.
 */
export function simulationSource(t: PrincipalTarget, callerArn: string | undefined): string | undefined {
  if (t.credentials.type === 'role') return t.credentials.roleArn;
  return callerArn && /^arn:[\w-]+:iam::\d{12}:user\//.test(callerArn) ? callerArn : undefined;
}

/**
 * The grant simulation needs: on the role itself, or, for a key pair's user (unknown until
 * GetCallerIdentity answers), seed 004's own statement, `user/${aws:username}`.
 */
export function simulateGrant(t: PrincipalTarget, callerArn?: string): Grant {
  const source = simulationSource(t, callerArn);
  return {
    actions: ['iam:SimulatePrincipalPolicy'],
    resources: [
      // `${aws:username}` is an IAM policy variable, escaped: IAM resolves it, not JavaScript.
      source ?? `arn:${t.partition}:iam::${t.account ?? 'ACCOUNT_ID'}:user/\${aws:username}`,
    ],
  };
}

/**
 * The exact resources a grant's calls touch: a prefix's objects become the very key the probe
 * writes; other wildcards (a workgroup before its id is known) cannot be simulated exactly.
 */
export function exactResources(grant: Grant, ctx: Pick<SimContext, 'verification'>) {
  return grant.resources.flatMap((r) => {
    const objects = /^(arn:[\w-]+:s3:::[^/]+\/)([^*]*)\*$/.exec(r);
    if (objects) {
      // The probe read-back's grant already ends in the probe marker: the key starts before it.
      const prefix = objects[2] ?? '';
      const base = prefix.endsWith(PROBE_MARKER) ? prefix.slice(0, -PROBE_MARKER.length) : prefix;
      return [`${objects[1]}${probeKey(base, ctx.verification)}`];
    }
    // ListAllMyBuckets has no resource type: `arn:<partition>:s3:::*` is its exact resource.
    if (/^arn:[\w-]+:s3:::\*$/.test(r)) return [r];
    return r.includes('*') ? [] : [r];
  });
}

/** The context values a grant's condition implies (`s3:prefix` of `vendor/*` is `vendor/`). */
function contextOf(grant: Grant): ContextEntry[] {
  const entries: ContextEntry[] = [];
  for (const block of Object.values(grant.condition ?? {})) {
    for (const [key, value] of Object.entries(block)) {
      const values = (Array.isArray(value) ? value : [value]).map((v) => v.replace(/\*$/, ''));
      entries.push({ ContextKeyName: key, ContextKeyValues: values, ContextKeyType: 'string' });
    }
  }
  return entries;
}

export const decisionKey = (action: string, resource: string) => `${action} ${resource}`;

/** The least allowing of decisions: an explicit deny beats an implicit one beats an allow. */
export function worst(decisions: (SimDecision | undefined)[]): SimDecision | undefined {
  if (decisions.includes('explicitDeny')) return 'explicitDeny';
  if (decisions.includes('implicitDeny')) return 'implicitDeny';
  return decisions.length && decisions.every((d) => d === 'allowed') ? 'allowed' : undefined;
}

/** What simulation decided for a grant's actions on its exact resources; undefined: not simulated. */
export function decisionFor(
  grant: Grant,
  decisions: Map<string, SimDecision>,
  ctx: Pick<SimContext, 'verification'>,
): SimDecision | undefined {
  const resources = exactResources(grant, ctx);
  if (!resources.length) return undefined;
  return worst(grant.actions.flatMap((a) => resources.map((r) => decisions.get(decisionKey(a, r)))));
}

/** The buckets the needs name, as bucket ARNs, for the over-broad test. */
export function bucketsOf(needs: readonly Need[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const n of needs) {
    for (const r of n.grant.resources) {
      const m = /^arn:([\w-]+):s3:::([^/*]+)/.exec(r);
      if (m?.[1] && m[2]) out.set(n.targetKey, s3BucketArn(m[1] as Partition, m[2]));
    }
  }
  return out;
}

/**
 * The simulation of this verification, run once and shared (iam.simulate and, in no-write
 * mode, s3.write and s3.delete all read it). Never throws: a refusal or an error is an outcome.
 */
export function simulation(ctx: SimContext): Promise<SimulationResult> {
  ctx.principal.simulation ??= runSimulation(ctx);
  return ctx.principal.simulation;
}

async function runSimulation(ctx: SimContext): Promise<SimulationResult> {
  const t = ctx.principalTarget;
  const source = simulationSource(t, ctx.principal.arn);
  const credentials = ctx.principal.sessions[t.session ?? 0];
  if (!credentials)
    return {
      ok: false,
      outcome: { status: 'skip', message: 'Not simulated: the principal’s identity was not established.' },
    };
  if (!source)
    return {
      ok: false,
      outcome: {
        status: 'skip',
        message: `Not simulated: ${ctx.principal.arn ?? 'this key pair'} is not an IAM user or role, whose policies IAM could simulate.`,
      },
    };
  const needs = ctx.principal.needs ?? [];
  // A call asks every action about every resource, under one set of context values: resources
  // are grouped by the context and the actions asked of them, so no action meets a resource
  // type it does not take (an object's ARN for s3:ListBucket).
  const perResource = new Map<string, { context: ContextEntry[]; resource: string; actions: Set<string> }>();
  const add = (context: ContextEntry[], actions: readonly string[], resources: readonly string[]) => {
    for (const resource of resources) {
      const key = `${JSON.stringify(context)}|${resource}`;
      const entry = perResource.get(key) ?? { context, resource, actions: new Set() };
      for (const a of actions) entry.actions.add(a);
      perResource.set(key, entry);
    }
  };
  for (const n of needs) add(contextOf(n.grant), n.grant.actions, exactResources(n.grant, ctx));
  add([], DANGEROUS_BUCKET_ACTIONS, [...new Set(bucketsOf(needs).values())]);
  const calls = new Map<string, { context: ContextEntry[]; actions: string[]; resources: string[] }>();
  for (const e of perResource.values()) {
    const actions = [...e.actions].sort();
    const key = `${JSON.stringify(e.context)}|${actions.join(',')}`;
    const call = calls.get(key) ?? { context: e.context, actions, resources: [] };
    call.resources.push(e.resource);
    calls.set(key, call);
  }

  const decisions = new Map<string, SimDecision>();
  const { SimulatePrincipalPolicyCommand } = await iamSdk();
  const iam = await ctx.aws.iam(IAM_REGION[t.partition], credentials);
  try {
    for (const call of calls.values()) {
      let marker: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const out = await iam.send(
          new SimulatePrincipalPolicyCommand({
            PolicySourceArn: source,
            ActionNames: call.actions,
            ResourceArns: call.resources,
            ...(call.context.length ? { ContextEntries: call.context } : {}),
            ...(marker ? { Marker: marker } : {}),
          }),
          { abortSignal: ctx.signal },
        );
        for (const r of out.EvaluationResults ?? []) {
          if (!r.EvalActionName) continue;
          const specific = r.ResourceSpecificResults ?? [];
          for (const s of specific)
            if (s.EvalResourceName && s.EvalResourceDecision)
              decisions.set(decisionKey(r.EvalActionName, s.EvalResourceName), s.EvalResourceDecision);
          if (!specific.length && r.EvalResourceName && r.EvalDecision)
            decisions.set(decisionKey(r.EvalActionName, r.EvalResourceName), r.EvalDecision);
        }
        marker = out.IsTruncated ? out.Marker : undefined;
        if (!marker) break;
      }
    }
  } catch (err) {
    const c = classify(err);
    if (c.kind === 'denied') {
      const grant = simulateGrant(t, ctx.principal.arn);
      return {
        ok: false,
        source,
        outcome: {
          status: 'skip',
          message: `Not simulated: ${source} may not simulate its own policies. Allow iam:SimulatePrincipalPolicy on ${grant.resources[0]} to let this service confirm the probes and find grants broader than needed.`,
          error: c.info,
          missing: [grant],
          remediation: `Allow iam:SimulatePrincipalPolicy on ${grant.resources[0]}`,
        },
      };
    }
    const outcome: Outcome = {
      status: 'error',
      message: `Not simulated: ${c.info.code}. ${c.hint ?? 'IAM did not give a usable answer.'}`,
      error: c.info,
    };
    return { ok: false, source, outcome };
  }
  return { ok: true, source, decisions };
}

/**
 * No-write mode: a write or delete judged by simulation alone, on the very key a probe would
 * have used. The verdict is marked as simulation's; without simulation there is none to give.
 */
export async function judgedBySimulation(
  ctx: CheckContext<'bucket'>,
  grants: readonly Grant[],
  what: string,
): Promise<Outcome> {
  const sim = await simulation(ctx);
  if (!sim.ok) {
    const outcome: Outcome = {
      status: sim.outcome.status === 'skip' && sim.outcome.missing ? 'fail' : sim.outcome.status,
      judgedBy: 'simulation',
      message: `No-write mode judges ${what} by policy simulation, which did not run. ${sim.outcome.message}`,
      missing: sim.outcome.missing ?? [],
    };
    if (sim.outcome.error) outcome.error = sim.outcome.error;
    if (outcome.missing?.length)
      outcome.remediation = outcome.missing
        .map((g) => `Allow ${g.actions.join(', ')} on ${g.resources.join(', ')}`)
        .join('; ');
    return outcome;
  }
  const judged = grants.map((g) => ({ grant: g, decision: decisionFor(g, sim.decisions, ctx) }));
  const refused = judged.filter((j) => j.decision !== undefined && j.decision !== 'allowed');
  if (refused.length) {
    return {
      status: 'fail',
      judgedBy: 'simulation',
      message: `Simulation (no-write mode, nothing written): ${refused
        .map(
          (j) =>
            `${j.grant.actions.join(', ')} on ${exactResources(j.grant, ctx).join(', ')} is ${j.decision}`,
        )
        .join('; ')}.`,
      missing: refused.filter((j) => j.decision === 'implicitDeny').map((j) => j.grant),
    };
  }
  return {
    status: 'pass',
    judgedBy: 'simulation',
    message: `Simulation allows ${what} on ${place(ctx.target)} (no-write mode: nothing was written; the identity policy, boundary and SCPs were simulated, not the bucket policy).`,
  };
}
