import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/checks/index.ts';
import { setupFor } from '../../src/core/setup.ts';
import { parseSetupQuery } from '../../src/handlers/factories/setup-query.ts';

const VENDOR = 'arn:aws:iam::999988887777:role/aws-access-verifier-dev';

describe('GET /setup for Redshift', () => {
  it('reads clusters with their db user and name, workgroups, the account and region', () => {
    const parsed = parseSetupQuery(
      'redshiftCluster=analytics&dbUser=vendor&dbName=dev&redshiftWorkgroup=etl&account=111122223333&redshiftRegion=us-west-2',
    );
    expect(parsed).toEqual({
      ok: true,
      value: {
        buckets: [],
        redshift: [
          {
            clusterIdentifier: 'analytics',
            dbUser: 'vendor',
            dbName: 'dev',
            region: 'us-west-2',
            accountId: '111122223333',
          },
          { workgroupName: 'etl', region: 'us-west-2', accountId: '111122223333' },
        ],
      },
    });
  });

  it('names what is wrong: no account, a cluster without its user, a user without its cluster', () => {
    expect(parseSetupQuery('redshiftCluster=analytics&dbUser=a&dbUser=b')).toEqual({
      ok: false,
      errors: [
        { path: 'dbUser', message: 'given 2 times for 1 redshiftCluster(s)' },
        { path: 'account', message: 'required with a Redshift target: its ARNs name the account' },
      ],
    });
    expect(parseSetupQuery('redshiftCluster=analytics&account=111122223333')).toMatchObject({
      ok: false,
      errors: [{ path: 'redshift[0].dbUser' }],
    });
    expect(parseSetupQuery('redshiftCluster=analytics&dbUser=v&account=1234')).toMatchObject({
      ok: false,
      errors: [{ path: 'redshift[0].accountId', message: 'a 12-digit AWS account id' }],
    });
  });

  it('grants GetClusterCredentials on the db user and name, GetCredentials on the account’s workgroups, and no Describe', () => {
    const parsed = parseSetupQuery(
      'redshiftCluster=analytics&dbUser=vendor&dbName=dev&redshiftWorkgroup=etl&account=111122223333&redshiftRegion=us-west-2',
    );
    if (!parsed.ok) throw new Error('parsed');
    const setup = setupFor(CATALOGUE, {
      tenantId: 't-1',
      externalId: 'v1-x',
      vendorPrincipalArn: VENDOR,
      partition: 'aws',
      buckets: [],
      redshift: parsed.value.redshift,
      egressAddresses: ['203.0.113.10/32'],
    });
    expect(setup.permissionPolicy.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 'redshift:GetClusterCredentials',
        Resource: [
          'arn:aws:redshift:us-west-2:111122223333:dbuser:analytics/vendor',
          'arn:aws:redshift:us-west-2:111122223333:dbname:analytics/dev',
        ],
      },
      {
        Effect: 'Allow',
        Action: 'redshift-serverless:GetCredentials',
        Resource: 'arn:aws:redshift-serverless:us-west-2:111122223333:workgroup/*',
      },
    ]);
    expect(setup.network).toEqual({ egressAddresses: ['203.0.113.10/32'] });
  });

  it('generates the COPY role when asked: seed 002’s two restrictions, S3 read on the staging prefix', () => {
    const parsed = parseSetupQuery(
      'bucket=acme-staging&prefix=loads/&redshiftCluster=analytics&dbUser=vendor&redshiftCluster=events&dbUser=loader&account=111122223333&redshiftRegion=us-west-2&copyRole=RedshiftCopyUnload',
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    expect(parsed.value.copyRole).toBe('RedshiftCopyUnload');
    const answer = setupFor(CATALOGUE, {
      tenantId: 't-1',
      externalId: 'v1-x',
      vendorPrincipalArn: VENDOR,
      partition: 'aws',
      buckets: parsed.value.buckets,
      redshift: parsed.value.redshift,
      ...(parsed.value.copyRole ? { copyRole: parsed.value.copyRole } : {}),
    });
    const copy = 'arn:aws:iam::111122223333:role/RedshiftCopyUnload';
    expect(answer.copyRole).toEqual({
      roleName: 'RedshiftCopyUnload',
      roleArn: copy,
      trustPolicy: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: ['redshift.us-west-2.amazonaws.com'] },
            Action: 'sts:AssumeRole',
            Condition: {
              StringLike: {
                'sts:ExternalId': [
                  'arn:aws:redshift:us-west-2:111122223333:dbuser:analytics/vendor',
                  'arn:aws:redshift:us-west-2:111122223333:dbuser:events/loader',
                ],
              },
            },
          },
        ],
      },
      permissionPolicy: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::acme-staging/loads/*' },
          {
            Effect: 'Allow',
            Action: 's3:ListBucket',
            Resource: 'arn:aws:s3:::acme-staging',
            Condition: { StringLike: { 's3:prefix': ['loads/*'] } },
          },
        ],
      },
    });
    // The vendor's role may then read the COPY role's trust and the clusters' attached roles.
    const vendorPolicy = JSON.stringify(answer.permissionPolicy);
    expect(vendorPolicy).toContain(`"Action":"iam:GetRole","Resource":"${copy}"`);
    expect(vendorPolicy).toContain('redshift:DescribeClusters');
    // Not asked for: none of it.
    const plain = setupFor(CATALOGUE, {
      tenantId: 't-1',
      externalId: 'v1-x',
      vendorPrincipalArn: VENDOR,
      partition: 'aws',
      buckets: parsed.value.buckets,
      redshift: parsed.value.redshift,
    });
    expect(plain.copyRole).toBeUndefined();
    expect(JSON.stringify(plain.permissionPolicy)).not.toContain('iam:GetRole');
    expect(plain.cloudFormation.template.Resources.RedshiftCopyRole).toBeUndefined();
  });

  it('refuses a COPY role without a cluster or with a name IAM would refuse', () => {
    expect(parseSetupQuery('redshiftWorkgroup=etl&account=111122223333&copyRole=bad/name')).toEqual({
      ok: false,
      errors: [
        { path: 'copyRole', message: 'not a role name (1 to 64 letters, digits and + = , . @ _ -)' },
        {
          path: 'copyRole',
          message: 'needs a redshiftCluster with its dbUser: the COPY role is restricted to those db users',
        },
      ],
    });
  });
});
