import { S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/checks/index.ts';
import { createAwsAccess } from '../../src/core/aws.ts';
import { parseVerifyRequest } from '../../src/core/request.ts';
import { verify } from '../../src/core/verify.ts';
import { s3Error } from '../support/aws-errors.ts';
import { ACCOUNT, silentLogger, verificationInfo } from '../support/context.ts';
import { refuseSimulation } from '../support/iam-simulation.ts';

const sts = mockClient(STSClient);
refuseSimulation();
const s3 = mockClient(S3Client);
const KEY_PAIR = {
  type: 'accessKey',
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
} as const;
const CN_KEY = `arn:aws-cn:kms:cn-north-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

describe('a key pair without a region, in a deployment in China', () => {
  beforeEach(() => {
    sts.reset();
    s3.reset();
    sts.on(GetCallerIdentityCommand).resolves({
      Account: ACCOUNT,
      Arn: `arn:aws-cn:iam::${ACCOUNT}:user/ingest`,
      UserId: 'AIDAEXAMPLE',
    });
    s3.onAnyCommand().rejects(s3Error('AccessDenied', 403, 'Access Denied'));
  });

  it('is accepted with ARNs of the service’s partition, and verified in it', async () => {
    const parsed = parseVerifyRequest(
      CATALOGUE,
      {
        credentials: KEY_PAIR,
        s3: [{ bucket: 'acme-exports', kmsKeyArn: CN_KEY }],
        kms: [{ keyArn: CN_KEY }],
      },
      undefined,
      'cn-north-1',
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const report = await verify(parsed.value, verificationInfo(), {
      catalogue: CATALOGUE,
      aws: createAwsAccess(),
      logger: silentLogger(),
      serviceRegion: 'cn-north-1',
    });
    const resources = report.checks.flatMap((c) => c.resources);
    expect(resources).toContain('arn:aws-cn:s3:::acme-exports');
    for (const arn of resources) expect(arn).toMatch(/^arn:aws-cn:/);
    expect(sts).toHaveReceivedCommandTimes(GetCallerIdentityCommand, 1);
    expect(await sts.call(0).thisValue.config.region()).toBe('cn-north-1');
  });

  it('is refused, by field, with ARNs of another partition', () => {
    expect(
      parseVerifyRequest(
        CATALOGUE,
        { credentials: KEY_PAIR, kms: [{ keyArn: CN_KEY }] },
        undefined,
        'us-east-1',
      ),
    ).toEqual({
      ok: false,
      errors: [{ path: 'kms[0].keyArn', message: 'is in partition aws-cn, the credentials in aws' }],
    });
  });
});
