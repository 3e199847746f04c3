import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { stsAssumeRole } from '../../../src/checks/sts/assume-role.ts';
import { assumeRoleDenied, networkError, stsError } from '../../support/aws-errors.ts';
import {
  ACCOUNT,
  EXTERNAL_ID,
  principalContext,
  principalTarget,
  ROLE_ARN,
  run,
} from '../../support/context.ts';

const sts = mockClient(STSClient);
const credentials = (n: number) => ({
  AccessKeyId: `ASIAIOSFODNN${n}EXAMPLE`,
  SecretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  SessionToken: `token-${n}`,
  Expiration: new Date(),
});

describe('sts.assume-role', () => {
  beforeEach(() => {
    sts.reset();
  });

  it('assumes the role with the tenant’s external ID, for 900 s, under the session policy and a telling name', async () => {
    // Prepare
    sts.on(AssumeRoleCommand).resolves({
      Credentials: credentials(1),
      AssumedRoleUser: {
        Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/VendorAccess/acme-verify-7f0c1a2b`,
        AssumedRoleId: 'AROA:x',
      },
    });
    const ctx = principalContext(principalTarget({ sessionPolicies: ['{"p":1}'] }));

    // Act
    const outcome = await run(stsAssumeRole, ctx);

    // Assess
    expect(outcome).toEqual({
      status: 'pass',
      message: `Assumed ${ROLE_ARN} with this tenant's external ID.`,
    });
    expect(sts).toReceiveCommandExactlyOnceWith(AssumeRoleCommand, {
      RoleArn: ROLE_ARN,
      RoleSessionName: 'acme-verify-7f0c1a2b',
      ExternalId: EXTERNAL_ID,
      DurationSeconds: 900,
      Policy: '{"p":1}',
    });
    expect(ctx.principal).toMatchObject({
      account: ACCOUNT,
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/VendorAccess/acme-verify-7f0c1a2b`,
      sessions: [{ accessKeyId: 'ASIAIOSFODNN1EXAMPLE', sessionToken: 'token-1' }],
    });
  });

  it('opens one session per session policy, all at once', async () => {
    sts.on(AssumeRoleCommand, { Policy: 'a' }).resolves({ Credentials: credentials(1) });
    sts.on(AssumeRoleCommand, { Policy: 'b' }).resolves({ Credentials: credentials(2) });
    const ctx = principalContext(principalTarget({ sessionPolicies: ['a', 'b'] }));

    await run(stsAssumeRole, ctx);

    expect(sts).toReceiveCommandTimes(AssumeRoleCommand, 2);
    expect(sts).toReceiveCommandWith(AssumeRoleCommand, {
      Policy: 'b',
      RoleSessionName: 'acme-verify2-7f0c1a2b',
    });
    expect(ctx.principal.sessions.map((s) => s.accessKeyId)).toEqual([
      'ASIAIOSFODNN1EXAMPLE',
      'ASIAIOSFODNN2EXAMPLE',
    ]);
  });

  it('names a session after the Redshift db user it serves, as aws:userid conditions expect', async () => {
    sts.on(AssumeRoleCommand).resolves({ Credentials: credentials(1) });
    const ctx = principalContext(
      principalTarget({ sessionPolicies: ['a', 'b'], sessionNames: [undefined, 'vendor'] }),
    );

    await run(stsAssumeRole, ctx);

    expect(sts).toReceiveCommandWith(AssumeRoleCommand, {
      Policy: 'a',
      RoleSessionName: 'acme-verify1-7f0c1a2b',
    });
    expect(sts).toReceiveCommandWith(AssumeRoleCommand, { Policy: 'b', RoleSessionName: 'vendor' });
  });

  it('fails with the checklist that tells the four look-alike causes apart, and asks for the trust policy', async () => {
    sts.on(AssumeRoleCommand).rejects(assumeRoleDenied());

    const outcome = await run(stsAssumeRole, principalContext());

    expect(outcome).toMatchObject({
      status: 'fail',
      message: `This service could not assume ${ROLE_ARN}.`,
      error: { code: 'AccessDenied', httpStatus: 403, requestId: 'c6104cbe-af31-11e0-8154-cbc7ccf896c7' },
      trustPolicyFix: true,
      missing: [],
    });
    expect(outcome.checklist).toEqual([
      expect.stringContaining('The role exists'),
      expect.stringContaining(`account in the ARN, ${ACCOUNT}`),
      expect.stringContaining('arn:aws:iam::999988887777:role/aws-access-verifier-dev'),
      expect.stringContaining(EXTERNAL_ID),
    ]);
  });

  it.each([
    ['throttling', stsError('Throttling', 400, 'Rate exceeded')],
    ['a server error', stsError('InternalFailure', 500, 'internal')],
    ['a network fault', networkError('ECONNRESET')],
  ])('is an error, never a fail, on %s', async (_name, err) => {
    sts.on(AssumeRoleCommand).rejects(err);
    expect((await run(stsAssumeRole, principalContext())).status).toBe('error');
  });

  it('does not apply to key pairs', () => {
    const keyPair = principalTarget({
      credentials: {
        type: 'accessKey',
        accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
        secretAccessKey: 'x'.repeat(40),
      },
    });
    expect(stsAssumeRole.appliesTo?.(keyPair)).toBe(false);
  });
});
