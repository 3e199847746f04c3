import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import type { CheckDescriptor, VerificationInfo } from '../../core/check.ts';
import type { PrincipalTarget } from '../../core/targets.ts';

/** AWS words a refused AssumeRole identically for all of these; only the customer can tell them apart. */
export function assumeRoleChecklist(target: PrincipalTarget, v: VerificationInfo): string[] {
  const roleArn = target.credentials.type === 'role' ? target.credentials.roleArn : target.label;
  return [
    `The role exists: IAM → Roles shows ${roleArn.split('/').at(-1)} (a missing role is refused the same way).`,
    `The account in the ARN, ${target.account ?? 'unknown'}, is the account that holds the role.`,
    `The role's trust policy allows the principal ${v.vendorPrincipalArn} to call sts:AssumeRole.`,
    `The trust policy's condition requires sts:ExternalId equal to ${v.externalId}, this tenant's external ID, exactly.`,
  ];
}

export const roleSessionName = (v: VerificationInfo, purpose: string) =>
  `${v.vendorName.replace(/[^\w+=,.@-]/g, '-').slice(0, 24)}-${purpose}-${v.id.slice(0, 8)}`.slice(0, 64);

export const stsAssumeRole: CheckDescriptor<'principal', 'sts.assume-role'> = {
  id: 'sts.assume-role',
  title: 'The service can assume the role with the tenant’s external ID',
  scope: 'principal',
  calls: ['AssumeRole'],
  role: 'identity',
  dependsOn: [],
  appliesTo: (t) => t.credentials.type === 'role',
  grants: (t) => [{ actions: ['sts:AssumeRole'], resources: [t.label], trust: true }],
  async run(ctx) {
    const { target, verification: v } = ctx;
    if (target.credentials.type !== 'role') throw new Error('sts.assume-role needs a role');
    const sts = ctx.aws.sts(target.region);
    const roleArn = target.credentials.roleArn;
    // One session per session policy, all at once: their policies split the buckets.
    const answers = await Promise.all(
      target.sessionPolicies.map((policy, i) =>
        sts.send(
          new AssumeRoleCommand({
            RoleArn: roleArn,
            RoleSessionName:
              target.sessionNames?.[i] ??
              roleSessionName(v, target.sessionPolicies.length > 1 ? `verify${i + 1}` : 'verify'),
            ExternalId: v.externalId,
            DurationSeconds: 900,
            Policy: policy,
          }),
          { abortSignal: ctx.signal },
        ),
      ),
    );
    for (const [i, answer] of answers.entries()) {
      const c = answer.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('AssumeRole returned no credentials');
      ctx.principal.sessions[i] = {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
      };
    }
    const assumed = answers[0]?.AssumedRoleUser?.Arn;
    ctx.principal.account = target.account;
    if (assumed) ctx.principal.arn = assumed;
    const sessions = answers.length > 1 ? ` (${answers.length} sessions, one per group of buckets)` : '';
    return { status: 'pass', message: `Assumed ${roleArn} with this tenant's external ID${sessions}.` };
  },
  explainDenial: (target, ctx) => ({
    message: `This service could not assume ${target.label}.`,
    checklist: assumeRoleChecklist(target, ctx.verification),
    trustPolicyFix: true,
    remediation:
      'Add the statement in remediation.trustPolicy to the role’s trust policy, keeping its other statements.',
  }),
};
