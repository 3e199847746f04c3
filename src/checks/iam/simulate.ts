import type { CheckDescriptor } from '../../core/check.ts';
import type { Need } from '../../core/facts.ts';
import type { Grant } from '../../core/iam-documents.ts';
import type { Outcome } from '../../core/outcome.ts';
import type { CheckId } from '../../core/wire.ts';
import {
  bucketsOf,
  DANGEROUS_BUCKET_ACTIONS,
  decisionFor,
  decisionKey,
  simulateGrant,
  simulation,
} from './simulation.ts';

const PROCEEDED = new Set(['pass', 'warn']);

/** The checks whose grants simulation is asked about (every planned check's, core/verify.ts `needsOf`). */
const NEEDS_COMPARED: readonly CheckId[] = [
  's3.list-buckets',
  's3.bucket-location',
  's3.list',
  's3.encryption',
  's3.write',
  's3.read',
  's3.delete',
  'kms.generate-data-key',
  'kms.encrypt',
  'kms.decrypt',
  'redshift.credentials',
  'redshift-serverless.credentials',
  'redshift.reachable',
  'redshift.copy-role',
];

/**
 * IAM policy simulation of the principal itself (seed 004 grants it "for validating
 * permissions"): it confirms what the probes found, says where simulation and probes disagree
 * (the probes stay the truth: simulation sees no bucket, key, session or VPC endpoint policy),
 * and warns of dangerous bucket actions the identity policy allows but the product never needs.
 */
export const iamSimulate: CheckDescriptor<'principal', 'iam.simulate'> = {
  id: 'iam.simulate',
  title: 'IAM policy simulation agrees with the probes and finds nothing granted beyond need',
  scope: 'principal',
  // One call per group of actions sharing a context; more pages only for a long answer.
  calls: ['SimulatePrincipalPolicy'],
  role: 'simulation',
  // Whichever identity check applies: soft, so the other's absence does not skip this one.
  dependsOn: [
    { id: 'sts.assume-role', kind: 'soft' },
    { id: 'sts.caller-identity', kind: 'soft' },
    // Each probe's verdict, to compare with simulation's: asked once simulation has answered.
    ...NEEDS_COMPARED.map((id) => ({ id, kind: 'asked' as const, on: 'all' as const })),
  ],
  grants: (t) => [simulateGrant(t)],
  async run(ctx) {
    // A key pair's account is known only once GetCallerIdentity answered: the grant names it.
    ctx.target.account ??= ctx.principal.account;
    const sim = await simulation(ctx);
    if (!sim.ok) return sim.outcome;
    const needs = ctx.principal.needs ?? [];
    const disagreements: string[] = [];
    let compared = 0;
    for (const n of needs) {
      const decision = decisionFor(n.grant, sim.decisions, ctx);
      if (!decision) continue;
      // In no-write mode these verdicts are the simulation's own: nothing to compare.
      const outcome = await ctx.outcomeOf(n.check, n.targetKey);
      if (!outcome || outcome.judgedBy === 'simulation') continue;
      if (outcome.status === 'skip' || outcome.status === 'error') continue;
      compared++;
      const probed = PROCEEDED.has(outcome.status);
      const what = `${n.grant.actions.join(', ')} for ${n.check} on ${n.targetLabel}`;
      if (probed && decision !== 'allowed')
        disagreements.push(
          `${what}: simulation says ${decision}, the probe succeeded (the probe stands; a policy simulation does not see may allow it)`,
        );
      else if (!probed && outcome.status === 'fail' && decision === 'allowed')
        disagreements.push(
          `${what}: simulation allows it, the probe was refused (the probe stands: a bucket, key, session or VPC endpoint policy simulation does not see refuses it)`,
        );
    }

    const broad = overBroad(needs, sim.decisions);
    const base = `Simulated ${sim.source}'s policies`;
    const agreement = disagreements.length
      ? ` Simulation and probes disagree on: ${disagreements.join('; ')}.`
      : compared
        ? ` Simulation agrees with the ${compared} probe results it could be compared with.`
        : '';
    if (!broad.length) {
      return { status: 'pass', message: `${base}: nothing dangerous allowed on the buckets.${agreement}` };
    }
    // The narrower statement: exactly what the product needs on those buckets.
    const names = (r: string, bucket: string) => r === bucket || r.startsWith(`${bucket}/`);
    const missing: Grant[] = needs
      .filter((n) => broad.some((b) => n.grant.resources.some((r) => names(r, b.bucket))))
      .map((n) => n.grant);
    const outcome: Outcome = {
      status: 'warn',
      message: `${base}: ${broad
        .map((b) => `${b.actions.join(', ')} allowed on ${b.bucket}`)
        .join('; ')}, which this product never needs (a statement like "s3:*" grants them).${agreement}`,
      missing,
      remediation: `Replace the statement that allows ${[...new Set(broad.flatMap((b) => b.actions))].join(', ')} on ${broad
        .map((b) => b.bucket)
        .join(', ')} with one that allows only what the product needs (the statement given for this check).`,
    };
    return outcome;
  },
  // Simulation's refusal is an outcome of its own (simulate.ts); nothing else here calls AWS.
  explainDenial: () => ({ message: 'This principal may not simulate its own policies.' }),
};

/** Per bucket, the dangerous actions simulation allowed. */
function overBroad(
  needs: readonly Need[],
  decisions: Map<string, string>,
): { bucket: string; actions: string[] }[] {
  const out: { bucket: string; actions: string[] }[] = [];
  for (const bucket of new Set(bucketsOf(needs).values())) {
    const actions = DANGEROUS_BUCKET_ACTIONS.filter(
      (a) => decisions.get(decisionKey(a, bucket)) === 'allowed',
    );
    if (actions.length) out.push({ bucket, actions });
  }
  return out;
}
