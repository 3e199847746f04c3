import type { Catalogue } from './catalogue.ts';
import { grantsOf } from './check.ts';
import type { VerificationPlan } from './plan.ts';
import { planSessions } from './policy.ts';
import type { ProbeMode } from './targets.ts';

/**
 * Spreads the plan's targets over AssumeRole sessions whose policies allow exactly what the
 * planned checks call, and records on each target which session it runs in. A key pair has no
 * session policy: nothing to do.
 */
export function assignSessions(
  catalogue: Catalogue,
  plan: VerificationPlan,
  probe: ProbeMode | undefined,
): void {
  const { principalTarget, resources, planned } = plan;
  if (principalTarget.credentials.type !== 'role') return;
  const perTarget = resources.map((r) =>
    planned.filter((p) => p.target === r).flatMap((p) => grantsOf(p.check, r)),
  );
  const names = resources.map((r) => catalogue.sessionName(r));
  // The principal's own checks (simulation, ListBuckets) run in a session that allows their calls too.
  const own = planned
    .filter((p) => p.target === principalTarget)
    .flatMap((p) => grantsOf(p.check, principalTarget))
    .filter((g) => !g.trust);
  // No-write verification judges by simulation: its calls are granted even where it is not planned.
  const simulation = catalogue.checks.find((c) => c.role === 'simulation');
  if (probe === 'simulate' && simulation && !planned.some((p) => p.check === simulation))
    own.push(...grantsOf(simulation, principalTarget));
  if (own.length) {
    perTarget.push(own);
    // Beside the first target, whatever its session name: no extra session when they fit.
    names.push(names[0]);
  }
  const sessions = planSessions(perTarget, principalTarget.partition, names);
  if (own.length) principalTarget.session = sessions.sessionOf[resources.length] ?? 0;
  principalTarget.sessionPolicies = sessions.policies;
  if (sessions.names.some(Boolean)) principalTarget.sessionNames = sessions.names;
  resources.forEach((r, i) => {
    r.session = sessions.sessionOf[i] ?? 0;
  });
}
