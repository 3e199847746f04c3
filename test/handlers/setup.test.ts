import { describe, expect, it } from 'vitest';
import { handler as checks } from '../../src/handlers/checks.ts';
import { handler as setupHandler } from '../../src/handlers/setup.ts';
import { contractChecked } from '../support/contract.ts';
import { httpEvent, lambdaContext } from '../support/events.ts';

const handler = contractChecked(setupHandler);
const checksHandler = contractChecked(checks);

async function setup(rawQueryString: string, tenant = 't-123') {
  const res = await handler(
    httpEvent({ method: 'GET', path: '/setup', rawQueryString, claims: { tenant_id: tenant } }),
    lambdaContext('setup'),
  );
  return { status: res.statusCode, body: JSON.parse(res.body ?? 'null') };
}

describe('GET /setup', () => {
  it('gives the tenant its external ID, stable across calls, unique per tenant, not derived visibly from its id', async () => {
    const a1 = await setup('profile=staging&bucket=acme-exports');
    const a2 = await setup('');
    const b = await setup('', 't-124');

    expect(a1.status).toBe(200);
    expect(a1.body.externalId).toMatch(/^v1-[A-Za-z0-9_-]{32}$/);
    expect(a2.body.externalId).toBe(a1.body.externalId);
    expect(b.body.externalId).not.toBe(a1.body.externalId);
    expect(a1.body.externalId).not.toContain('t-123');
    // No CFN_TEMPLATE_BUCKET here: no link, and nothing stands in the way of the role.
    expect(Object.keys(a1.body.cloudFormation)).toEqual(['template']);
    expect(a1.body.warnings).toEqual([]);
    expect(a1.body.trustPolicy.Statement[0]).toEqual({
      Effect: 'Allow',
      Principal: { AWS: a1.body.vendorPrincipal },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'sts:ExternalId': a1.body.externalId } },
    });
  });

  it('writes the least-privilege policy for the profile and buckets named, pairing repeated parameters', async () => {
    const res = await setup('profile=destination&bucket=acme-a&prefix=out/&bucket=acme-b');

    expect(res.body.permissionPolicy.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 's3:GetEncryptionConfiguration',
        Resource: ['arn:aws:s3:::acme-a', 'arn:aws:s3:::acme-b'],
      },
      {
        Effect: 'Allow',
        Action: ['s3:DeleteObject', 's3:PutObject'],
        Resource: ['arn:aws:s3:::acme-a/out/*', 'arn:aws:s3:::acme-b/*'],
      },
    ]);
    expect(
      res.body.cloudFormation.template.Resources.VendorAccessRole.Properties.Policies[0].PolicyDocument,
    ).toEqual(res.body.permissionPolicy);
  });

  it('refuses a query that tries to name a tenant or an external ID', async () => {
    const res = await setup('tenantId=t-999&externalId=abc&bucket=acme-a');
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([
      { path: 'tenantId', message: 'unknown parameter' },
      { path: 'externalId', message: 'unknown parameter' },
    ]);
  });

  it('names bad per-bucket parameters by position', async () => {
    const res = await setup('bucket=ok-bucket&bucket=Bad_Bucket&prefix=a/&prefix=b/&prefix=c/');
    expect(res.body.error.details).toEqual([
      { path: 'prefix', message: 'given 3 times for 2 bucket(s)' },
      { path: 's3[1].bucket', message: 'not a valid bucket name' },
    ]);
  });
});

describe('GET /checks', () => {
  it('lists the catalogue with each check’s actions and the profiles that require it', async () => {
    const res = await checksHandler(httpEvent({ method: 'GET', path: '/checks' }), lambdaContext('checks'));
    const body = JSON.parse(res.body ?? '{}');

    expect(body.checks.map((c: { id: string }) => c.id)).toEqual([
      'sts.assume-role',
      'sts.external-id-required',
      'sts.caller-identity',
      's3.list-buckets',
      's3.bucket-region',
      's3.bucket-location',
      's3.list',
      's3.encryption',
      's3.write',
      's3.read',
      's3.delete',
      'kms.generate-data-key',
      'kms.encrypt',
      'kms.decrypt',
      'redshift.credentials',
      'redshift-serverless.credentials',
      'redshift.reachable',
      'redshift.copy-role',
      'iam.simulate',
    ]);
    expect(body.checks.find((c: { id: string }) => c.id === 'redshift.credentials')).toMatchObject({
      scope: 'redshift',
      actions: ['redshift:GetClusterCredentials'],
      resources: [
        'arn:aws:redshift:us-east-1:ACCOUNT_ID:dbuser:CLUSTER/DB_USER',
        'arn:aws:redshift:us-east-1:ACCOUNT_ID:dbname:CLUSTER/DB_NAME',
      ],
    });
    expect(body.checks.find((c: { id: string }) => c.id === 'redshift-serverless.credentials')).toMatchObject(
      {
        resources: ['arn:aws:redshift-serverless:us-east-1:ACCOUNT_ID:workgroup/*'],
      },
    );
    // The seeds' remaining rows: simulation (reported everywhere), the bucket picker (where a
    // profile asks), the COPY role (for a target naming it).
    expect(body.checks.find((c: { id: string }) => c.id === 'iam.simulate')).toMatchObject({
      scope: 'principal',
      actions: ['iam:SimulatePrincipalPolicy'],
      resources: ['arn:aws:iam::ACCOUNT:role/ROLE'],
      profiles: { destination: 'reported', staging: 'reported', source: 'reported' },
    });
    expect(body.checks.find((c: { id: string }) => c.id === 's3.list-buckets')).toMatchObject({
      actions: ['s3:ListAllMyBuckets'],
      resources: ['arn:aws:s3:::*'],
      profiles: { destination: 'off', staging: 'off', source: 'off' },
    });
    expect(body.checks.find((c: { id: string }) => c.id === 'redshift.copy-role')).toMatchObject({
      scope: 'redshift',
      actions: ['redshift:DescribeClusters', 'iam:GetRole'],
      resources: [
        'arn:aws:redshift:us-east-1:ACCOUNT_ID:cluster:CLUSTER',
        'arn:aws:iam::ACCOUNT_ID:role/COPY_ROLE',
      ],
    });
    expect(body.checks.find((c: { id: string }) => c.id === 's3.write')).toMatchObject({
      // GetObject only on the probe's own key, in the session: a retried write's 412 is checked by HeadObject.
      actions: ['s3:PutObject', 's3:GetObject'],
      resources: ['arn:aws:s3:::BUCKET/PREFIX/*', 'arn:aws:s3:::BUCKET/PREFIX/.aws-access-verifier-probe-*'],
      profiles: { destination: 'required', staging: 'required', source: 'off' },
    });
    expect(body.checks.find((c: { id: string }) => c.id === 'kms.decrypt')).toMatchObject({
      scope: 'kms',
      actions: ['kms:Decrypt', 'kms:DescribeKey'],
      resources: ['KMS_KEY_ARN'],
      profiles: { destination: 'required', staging: 'required', source: 'required' },
    });
  });
});
