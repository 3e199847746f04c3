import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../../src/checks/index.ts';
import { s3ListBuckets } from '../../../src/checks/s3/list-buckets.ts';
import { BUILTIN_PROFILES } from '../../../src/core/profiles.ts';
import { setupFor } from '../../../src/core/setup.ts';
import { s3Error } from '../../support/aws-errors.ts';
import { ACCOUNT, principalContext, run, SESSION } from '../../support/context.ts';

const s3 = mockClient(S3Client);

const context = () => {
  const ctx = principalContext();
  ctx.principal.sessions = [SESSION];
  return ctx;
};

describe('s3.list-buckets', () => {
  beforeEach(() => {
    s3.reset();
  });

  it('lists the account’s buckets, one page of names at most', async () => {
    s3.on(ListBucketsCommand).resolves({ Buckets: [{ Name: 'acme-input' }, { Name: 'acme-output' }] });

    const outcome = await run(s3ListBuckets, context());

    expect(outcome).toMatchObject({
      status: 'pass',
      message: "Listing the account's buckets works: 2 buckets.",
    });
    expect(s3).toReceiveCommandWith(ListBucketsCommand, { MaxBuckets: 1000 });
  });

  it('fails when refused, asking for s3:ListAllMyBuckets as seed 004 grants it', async () => {
    s3.on(ListBucketsCommand).rejects(
      s3Error(
        'AccessDenied',
        403,
        `User: arn:aws:sts::${ACCOUNT}:assumed-role/VendorAccess/s is not authorized to perform: s3:ListAllMyBuckets because no identity-based policy allows the s3:ListAllMyBuckets action`,
      ),
    );

    const outcome = await run(s3ListBuckets, context());

    expect(outcome.status).toBe('fail');
    expect(outcome.missing).toEqual([{ actions: ['s3:ListAllMyBuckets'], resources: ['arn:aws:s3:::*'] }]);
    expect(outcome.remediation).toBe('Allow s3:ListAllMyBuckets on arn:aws:s3:::*');
  });

  it('is an error, never a verdict, on a server error', async () => {
    s3.on(ListBucketsCommand).rejects(s3Error('InternalError', 500, 'We encountered an internal error.'));
    expect((await run(s3ListBuckets, context())).status).toBe('error');
  });

  it('is skipped, calling nothing, when the identity was not established', async () => {
    expect((await run(s3ListBuckets, principalContext())).status).toBe('skip');
    expect(s3.calls()).toHaveLength(0);
  });

  it('is granted by GET /setup only where the profile asks for it', () => {
    const base = {
      tenantId: 't-1',
      externalId: 'v1-x',
      vendorPrincipalArn: 'arn:aws:iam::999988887777:role/aws-access-verifier-dev',
      partition: 'aws' as const,
      buckets: [{ bucket: 'acme-input', access: 'read' as const }],
    };
    const actions = (p: ReturnType<typeof setupFor>) =>
      p.permissionPolicy.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    expect(actions(setupFor(CATALOGUE, base))).not.toContain('s3:ListAllMyBuckets');
    const picker = {
      ...BUILTIN_PROFILES.source,
      name: 'picker',
      checks: { ...BUILTIN_PROFILES.source?.checks, 's3.list-buckets': 'required' as const },
    } as (typeof BUILTIN_PROFILES)[string] & object;
    const answer = setupFor(CATALOGUE, { ...base, profile: picker });
    expect(answer.permissionPolicy.Statement).toContainEqual({
      Effect: 'Allow',
      Action: 's3:ListAllMyBuckets',
      Resource: 'arn:aws:s3:::*',
    });
  });
});
