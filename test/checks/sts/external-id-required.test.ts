import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DENY_ALL_POLICY, stsExternalIdRequired } from '../../../src/checks/sts/external-id-required.ts';
import { assumeRoleDenied, stsError } from '../../support/aws-errors.ts';
import { EXTERNAL_ID, principalContext, ROLE_ARN, run } from '../../support/context.ts';

const sts = mockClient(STSClient);
const issued = {
  Credentials: {
    AccessKeyId: 'ASIAEXAMPLE',
    SecretAccessKey: 's',
    SessionToken: 't',
    Expiration: new Date(),
  },
};

describe('sts.external-id-required', () => {
  beforeEach(() => {
    sts.reset();
  });

  it('passes when AssumeRole is refused without an external ID and with a wrong one', async () => {
    // Prepare
    sts.on(AssumeRoleCommand).rejects(assumeRoleDenied());

    // Act
    const outcome = await run(stsExternalIdRequired, principalContext());

    // Assess
    expect(outcome.status).toBe('pass');
    const calls = sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(2);
    for (const input of calls) {
      expect(input).toMatchObject({ RoleArn: ROLE_ARN, DurationSeconds: 900, Policy: DENY_ALL_POLICY });
      expect(input.ExternalId).not.toBe(EXTERNAL_ID);
    }
    expect(calls.filter((c) => c.ExternalId === undefined)).toHaveLength(1);
    expect(calls.find((c) => c.ExternalId)?.ExternalId).toMatch(/^wrong-/);
  });

  it('fails when the role can be assumed without any external ID, and never keeps what it got', async () => {
    sts.on(AssumeRoleCommand).callsFake((input) => {
      if (input.ExternalId === undefined) return issued;
      throw assumeRoleDenied();
    });
    const ctx = principalContext();

    const outcome = await run(stsExternalIdRequired, ctx);

    expect(outcome).toMatchObject({ status: 'fail', trustPolicyFix: true });
    expect(outcome.message).toMatch(/without any external ID/);
    expect(outcome.remediation).toContain(EXTERNAL_ID);
    expect(ctx.principal.sessions).toEqual([]);
  });

  it('fails when any external ID is accepted (a wildcard condition), and warns where the vendor lowered it', async () => {
    sts.on(AssumeRoleCommand).callsFake((input) => {
      if (input.ExternalId) return issued;
      throw assumeRoleDenied();
    });

    expect((await run(stsExternalIdRequired, principalContext())).message).toMatch(/not this tenant’s/);
    const lowered = await run(
      stsExternalIdRequired,
      principalContext(undefined, { externalIdNotEnforced: 'warn' }),
    );
    expect(lowered.status).toBe('warn');
  });

  it('is inconclusive when a probe is throttled and the other refused', async () => {
    sts.on(AssumeRoleCommand).callsFake((input) => {
      throw input.ExternalId ? stsError('Throttling', 400, 'Rate exceeded') : assumeRoleDenied();
    });
    expect((await run(stsExternalIdRequired, principalContext())).status).toBe('error');
  });
});
