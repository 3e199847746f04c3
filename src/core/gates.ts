import type { Planned } from './plan.ts';
import type { GraphNode } from './runner.ts';

type Wait = GraphNode['deps'][number];

/** Why a resource is not probed with a role that any tenant could name. */
export const CONFUSED_DEPUTY_SKIP =
  'Not probed: this service uses the role only once it refuses AssumeRole without this tenant’s external ID and with a wrong one (sts.external-id-required did not pass), or any tenant could make it act on your resources. Add the statement in remediation.trustPolicy to the role’s trust policy, then verify again.';

/**
 * What every resource check waits for before it touches a resource: the identity whose session
 * it uses, and, where the profile requires the external ID, both external-ID probes refused.
 * The probes run beside the real AssumeRole (they use this service's own credentials), so the
 * gate adds no call to the longest chain.
 */
export function resourceGates(planned: readonly Planned[]): Wait[] {
  const principal = planned.filter((p) => p.target.kind === 'principal');
  const identity = principal.find(
    (p) => p.check.id === 'sts.assume-role' || p.check.id === 'sts.caller-identity',
  );
  const externalId = principal.find(
    (p) => p.check.id === 'sts.external-id-required' && p.requirement === 'required',
  );
  const gates: Wait[] = [];
  if (identity) gates.push({ key: identity.key, name: identity.check.id, kind: 'hard' });
  if (externalId)
    gates.push({
      key: externalId.key,
      name: externalId.check.id,
      kind: 'hard',
      // A profile that lowers a loose trust to a warning still gets no probe with that role.
      passOnly: true,
      skipMessage: CONFUSED_DEPUTY_SKIP,
    });
  return gates;
}
