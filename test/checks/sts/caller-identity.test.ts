import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { stsCallerIdentity } from '../../../src/checks/sts/caller-identity.ts';
import { stsError } from '../../support/aws-errors.ts';
import { principalContext, principalTarget, run } from '../../support/context.ts';

const sts = mockClient(STSClient);
const keyPair = () =>
  principalContext(
    principalTarget({
      label: 'AKIA…MPLE',
      credentials: {
        type: 'accessKey',
        accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
        secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      },
      sessionPolicies: [],
    }),
  );

describe('sts.caller-identity', () => {
  beforeEach(() => {
    sts.reset();
  });

  it('reports the key pair’s account and ARN and uses the key pair for every probe', async () => {
    // Prepare
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '444455556666', Arn: 'arn:aws:iam::444455556666:user/ingest', UserId: 'AIDA' });
    const ctx = keyPair();

    // Act
    const outcome = await run(stsCallerIdentity, ctx);

    // Assess
    expect(outcome).toEqual({
      status: 'pass',
      message: 'The key pair belongs to arn:aws:iam::444455556666:user/ingest in account 444455556666.',
    });
    expect(ctx.principal).toMatchObject({
      account: '444455556666',
      sessions: [{ accessKeyId: 'AKIAIOSFODNN7EXAMPLE' }],
    });
    const client = sts.commandCalls(GetCallerIdentityCommand)[0]?.thisValue;
    expect((await client?.config.credentials())?.accessKeyId).toBe('AKIAIOSFODNN7EXAMPLE');
  });

  it.each([
    [
      'InvalidClientTokenId',
      'The security token included in the request is invalid.',
      /does not know this access key/,
    ],
    [
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided.',
      /secret access key/,
    ],
    ['ExpiredToken', 'The security token included in the request is expired', /expired/],
  ])('fails on %s with a hint that says what to fix', async (code, message, hint) => {
    sts.on(GetCallerIdentityCommand).rejects(stsError(code, 403, message));

    const outcome = await run(stsCallerIdentity, keyPair());

    expect(outcome).toMatchObject({
      status: 'fail',
      message: 'AWS does not accept this access key pair.',
      error: { code },
    });
    expect(outcome.hint).toMatch(hint);
  });

  it('is inconclusive on a 500', async () => {
    sts.on(GetCallerIdentityCommand).rejects(stsError('InternalFailure', 500, 'internal'));
    expect((await run(stsCallerIdentity, keyPair())).status).toBe('error');
  });
});
