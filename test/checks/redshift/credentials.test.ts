import {
  DescribeClustersCommand,
  GetClusterCredentialsCommand,
  RedshiftClient,
} from '@aws-sdk/client-redshift';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { redshiftCredentials } from '../../../src/checks/redshift/credentials.ts';
import { redshiftError } from '../../support/aws-errors.ts';
import { ACCOUNT, CLUSTER, redshiftContext, run } from '../../support/context.ts';

const redshift = mockClient(RedshiftClient);
const PASSWORD = 'ExamplePassword-never-in-a-report-0123';
const DBUSER_ARN = `arn:aws:redshift:us-west-2:${ACCOUNT}:dbuser:analytics/vendor`;

describe('redshift.credentials', () => {
  beforeEach(() => {
    redshift.reset();
  });

  it('asks for the db user with AutoCreate=false and the minimum duration, and keeps nothing it got', async () => {
    redshift
      .on(GetClusterCredentialsCommand)
      .resolves({ DbUser: 'IAM:vendor', DbPassword: PASSWORD, Expiration: new Date() });
    const ctx = redshiftContext({ ...CLUSTER, dbGroups: ['loaders'] });

    const outcome = await run(redshiftCredentials, ctx);

    expect(outcome.status).toBe('pass');
    expect(redshift).toReceiveCommandWith(GetClusterCredentialsCommand, {
      ClusterIdentifier: 'analytics',
      DbUser: 'vendor',
      DbName: 'dev',
      DbGroups: ['loaders'],
      AutoCreate: false,
      DurationSeconds: 900,
    });
    expect(redshift).not.toReceiveCommand(DescribeClustersCommand);
    expect(JSON.stringify({ outcome, facts: ctx.facts, target: ctx.target })).not.toContain(PASSWORD);
  });

  it('declares the db user, db name and group ARNs it needs, in the cluster’s region and account', () => {
    const { target } = redshiftContext({ ...CLUSTER, dbGroups: ['loaders'] });
    expect(redshiftCredentials.grants(target)).toEqual([
      {
        actions: ['redshift:GetClusterCredentials'],
        resources: [
          DBUSER_ARN,
          `arn:aws:redshift:us-west-2:${ACCOUNT}:dbname:analytics/dev`,
          `arn:aws:redshift:us-west-2:${ACCOUNT}:dbgroup:analytics/loaders`,
        ],
      },
    ]);
    expect(redshiftCredentials.appliesTo?.(redshiftContext({ workgroupName: 'etl' }).target)).toBe(false);
  });

  it('fails on a refusal, asks for exactly the resource AWS named, and explains aws:userid', async () => {
    redshift
      .on(GetClusterCredentialsCommand)
      .rejects(
        redshiftError(
          'AccessDenied',
          403,
          `User: arn:aws:sts::${ACCOUNT}:assumed-role/VendorAccess/vendor is not authorized to perform: redshift:GetClusterCredentials on resource: ${DBUSER_ARN} because no identity-based policy allows the redshift:GetClusterCredentials action`,
        ),
      );

    const outcome = await run(redshiftCredentials, redshiftContext());

    expect(outcome.status).toBe('fail');
    expect(outcome.error?.code).toBe('AccessDenied');
    expect(outcome.missing).toEqual([
      { actions: ['redshift:GetClusterCredentials'], resources: [DBUSER_ARN] },
    ]);
    expect(outcome.hint).toContain('aws:userid');
    expect(outcome.hint).toContain('session name vendor');
  });

  it('says a cluster is missing (AWS authorizes first, so the policy was not the problem)', async () => {
    redshift
      .on(GetClusterCredentialsCommand)
      .rejects(redshiftError('ClusterNotFound', 404, 'Cluster analytics not found.'));
    const outcome = await run(redshiftCredentials, redshiftContext());
    expect(outcome).toMatchObject({ status: 'fail', missing: [] });
    expect(outcome.message).toContain(`No cluster analytics in account ${ACCOUNT}, us-west-2`);
  });

  it('is inconclusive, never a failure, when Redshift throttles or fails', async () => {
    redshift
      .on(GetClusterCredentialsCommand)
      .rejects(redshiftError('ThrottlingException', 400, 'Rate exceeded'));
    expect((await run(redshiftCredentials, redshiftContext())).status).toBe('error');
    redshift.on(GetClusterCredentialsCommand).rejects(redshiftError('InternalFailure', 500, 'internal'));
    expect((await run(redshiftCredentials, redshiftContext())).status).toBe('error');
  });
});
