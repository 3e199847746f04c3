import { describe, expect, it } from 'vitest';
import { parseSetupQuery } from '../../src/core/request.ts';
import { setupFor } from '../../src/core/setup.ts';

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
    const setup = setupFor({
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
});
