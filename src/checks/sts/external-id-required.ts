import { randomBytes } from 'node:crypto';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import type { CheckDescriptor } from '../../core/check.ts';
import { classify } from '../../core/classify.ts';
import type { Outcome } from '../../core/outcome.ts';
import { roleSessionName } from './assume-role.ts';

/** Even if AWS hands out credentials to a probe, they could do nothing: and they are dropped unused. */
export const DENY_ALL_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }],
});

type Attempt = 'accepted' | 'refused' | { inconclusive: unknown };

export const stsExternalIdRequired: CheckDescriptor<'principal', 'sts.external-id-required'> = {
  id: 'sts.external-id-required',
  title: 'The role refuses to be assumed without this tenant’s external ID',
  scope: 'principal',
  // Both probes at once: one call deep.
  calls: ['AssumeRole'],
  role: 'externalIdProbe',
  // Beside the real AssumeRole, not after it: the probes use this service's own credentials,
  // and the resource checks wait for both (core/gates.ts), so the longest chain does not grow.
  // The real AssumeRole's verdict is asked for only once both probes were refused.
  dependsOn: [{ id: 'sts.assume-role', kind: 'asked' }],
  appliesTo: (t) => t.credentials.type === 'role',
  grants: (t) => [{ actions: ['sts:AssumeRole'], resources: [t.label], trust: true }],
  async run(ctx) {
    const { target, verification: v } = ctx;
    if (target.credentials.type !== 'role') throw new Error('sts.external-id-required needs a role');
    const sts = ctx.aws.sts(target.region);
    const attempt = async (externalId: string | undefined, purpose: string): Promise<Attempt> => {
      try {
        // The answer's credentials are never read: only whether AWS issued them.
        await sts.send(
          new AssumeRoleCommand({
            RoleArn: target.credentials.type === 'role' ? target.credentials.roleArn : '',
            RoleSessionName: roleSessionName(v, purpose),
            DurationSeconds: 900,
            Policy: DENY_ALL_POLICY,
            ...(externalId === undefined ? {} : { ExternalId: externalId }),
          }),
          { abortSignal: ctx.signal },
        );
        return 'accepted';
      } catch (err) {
        // Signed with this service's own credentials: a rejected signature is ours, not a refusal.
        return classify(err, { credentials: 'verifier' }).kind === 'denied'
          ? 'refused'
          : { inconclusive: err };
      }
    };
    const wrongId = `wrong-${randomBytes(16).toString('base64url')}`;
    const [withoutId, withWrongId] = await Promise.all([
      attempt(undefined, 'extid-absent'),
      attempt(wrongId, 'extid-wrong'),
    ]);

    const loose: string[] = [];
    if (withoutId === 'accepted') loose.push('without any external ID');
    if (withWrongId === 'accepted') loose.push('with an external ID that is not this tenant’s');
    if (loose.length > 0) {
      const outcome: Outcome = {
        status: v.externalIdNotEnforced,
        message: `The role can be assumed ${loose.join(' and ')}: anyone who learns its ARN could make this service act on it (confused deputy).`,
        trustPolicyFix: true,
        remediation: `In the role's trust policy, give the statement that trusts ${v.vendorPrincipalArn} the condition "StringEquals": {"sts:ExternalId": "${v.externalId}"}: remediation.trustPolicy is that statement. Keep the other statements.`,
      };
      return outcome;
    }
    const inconclusive = [withoutId, withWrongId].find((a) => typeof a === 'object');
    if (inconclusive && typeof inconclusive === 'object') throw inconclusive.inconclusive;
    // Both refused: that means something only if the role accepts this tenant's own external ID
    // (a missing role, or one that trusts nobody, refuses everything). Asked only now, so the
    // probes still ran beside the real AssumeRole.
    const assumed = await ctx.outcomeOf('sts.assume-role');
    if (assumed && assumed.status !== 'pass' && assumed.status !== 'warn') {
      return {
        status: 'skip',
        message:
          'Not concluded: the role refused this tenant’s own external ID too (sts.assume-role), so its refusals without it say nothing yet.',
      };
    }
    return {
      status: 'pass',
      message: 'The role refuses AssumeRole without the external ID and with a wrong one.',
    };
  },
  explainDenial: () => ({ message: 'Unexpected refusal while testing the external ID rule.' }),
};
