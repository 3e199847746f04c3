import type { TemporaryCredentials } from './facts.ts';
import type { Planned } from './plan.ts';
import type { Wait } from './runner.ts';
import type { PrincipalTarget, Target } from './targets.ts';

/** Why a resource is not probed with a role that any tenant could name. */
export const CONFUSED_DEPUTY_SKIP =
  'Not probed: this service uses the role only once it refuses AssumeRole without this tenant’s external ID and with a wrong one (sts.external-id-required did not pass), or any tenant could make it act on your resources. Add the statement in remediation.trustPolicy to the role’s trust policy, then verify again.';

/**
 * What every resource check waits for before it touches a resource: the identity whose session
 * it uses, and, where the profile requires the external ID, both external-ID probes refused.
 * The probes run beside the real AssumeRole (they use this service's own credentials), so the
 * gate adds no call to the longest chain.
 *
 * A key pair is the customer's own credential: no tenant can name it for another, so its
 * resource checks run beside GetCallerIdentity where they need nothing it tells (an S3 call
 * must name the bucket's owner: the account, unless the request declared it). Its verdict
 * still decides: a key AWS refuses makes them `skip`, as if they had waited.
 */
export function resourceGates(planned: readonly Planned[]): (target: Target) => Wait[] {
  const principal = planned.filter((p) => p.target.kind === 'principal');
  const identity = principal.find((p) => p.check.role === 'identity');
  const externalId = principal.find(
    (p) => p.check.role === 'externalIdProbe' && p.requirement === 'required',
  );
  const deputy: Wait[] = externalId
    ? [
        {
          key: externalId.key,
          name: externalId.check.id,
          kind: 'hard',
          // A profile that lowers a loose trust to a warning still gets no probe with that role.
          passOnly: true,
          skipMessage: CONFUSED_DEPUTY_SKIP,
        },
      ]
    : [];
  return (target) => {
    if (!identity) return deputy;
    // A key pair's identity (GetCallerIdentity) gates nothing its checks must know first.
    const keyPair = identity.target.kind === 'principal' && identity.target.credentials.type === 'accessKey';
    const beside = keyPair && needsNoAccount(target);
    return [{ key: identity.key, name: identity.check.id, kind: beside ? 'beside' : 'hard' }, ...deputy];
  };
}

/** Whether a target's checks can make their calls before the principal's account is known. */
function needsNoAccount(t: Target): boolean {
  if (t.kind === 'kms') return true;
  if (t.kind === 'bucket') return t.expectedBucketOwner !== undefined;
  if (t.kind === 'redshift') return t.account !== undefined;
  return false;
}

/** The sessions known before any call: a key pair is its own (a role's come from AssumeRole). */
export function initialSessions(target: PrincipalTarget): TemporaryCredentials[] {
  const c = target.credentials;
  if (c.type !== 'accessKey') return [];
  return [
    {
      accessKeyId: c.accessKeyId,
      secretAccessKey: c.secretAccessKey,
      ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}),
    },
  ];
}
