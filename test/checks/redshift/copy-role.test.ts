import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { DescribeClustersCommand, RedshiftClient } from '@aws-sdk/client-redshift';
import {
  GetNamespaceCommand,
  GetWorkgroupCommand,
  RedshiftServerlessClient,
} from '@aws-sdk/client-redshift-serverless';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseNamespaceRole, redshiftCopyRole } from '../../../src/checks/redshift/copy-role.ts';
import { iamError, redshiftError, redshiftServerlessError } from '../../support/aws-errors.ts';
import { ACCOUNT, CLUSTER, redshiftContext, run } from '../../support/context.ts';

const redshift = mockClient(RedshiftClient);
const serverless = mockClient(RedshiftServerlessClient);
const iam = mockClient(IAMClient);
const COPY = `arn:aws:iam::${ACCOUNT}:role/RedshiftCopyUnload`;
const OTHER = `arn:aws:iam::${ACCOUNT}:role/Other`;
const USER = `arn:aws:redshift:us-west-2:${ACCOUNT}:dbuser:analytics/vendor`;

const trust = (users: string[], service: string | string[] = 'redshift.us-west-2.amazonaws.com') =>
  encodeURIComponent(
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: service },
          Action: 'sts:AssumeRole',
          Condition: { StringLike: { 'sts:ExternalId': users } },
        },
      ],
    }),
  );

const attached = (...roles: { IamRoleArn: string; ApplyStatus: string }[]) =>
  redshift.on(DescribeClustersCommand).resolves({
    Clusters: [{ ClusterIdentifier: 'analytics', IamRoles: roles, Endpoint: { Address: 'h', Port: 5439 } }],
  });

const cluster = () => redshiftContext({ ...CLUSTER, copyRoleArn: COPY });

describe('redshift.copy-role', () => {
  beforeEach(() => {
    redshift.reset();
    serverless.reset();
    iam.reset();
    iam.on(GetRoleCommand).resolves({
      Role: {
        Path: '/',
        RoleName: 'RedshiftCopyUnload',
        RoleId: 'AROAEXAMPLE',
        Arn: COPY,
        CreateDate: new Date(),
        AssumeRolePolicyDocument: trust([USER]),
      },
    });
  });

  it('applies only to a target that names its COPY role', () => {
    expect(redshiftCopyRole.appliesTo?.(redshiftContext().target)).toBe(false);
    expect(redshiftCopyRole.appliesTo?.(cluster().target)).toBe(true);
  });

  it('passes when the role is attached to the cluster and in sync, its trust naming the db user', async () => {
    attached({ IamRoleArn: OTHER, ApplyStatus: 'in-sync' }, { IamRoleArn: COPY, ApplyStatus: 'in-sync' });

    const outcome = await run(redshiftCopyRole, cluster());

    expect(outcome).toMatchObject({
      status: 'pass',
      message: `${COPY} is attached to cluster analytics and in sync.`,
    });
    expect(redshift).toReceiveCommandWith(DescribeClustersCommand, { ClusterIdentifier: 'analytics' });
    expect(iam).toReceiveCommandWith(GetRoleCommand, { RoleName: 'RedshiftCopyUnload' });
  });

  it('fails with the command that attaches it when it is not attached', async () => {
    attached({ IamRoleArn: OTHER, ApplyStatus: 'in-sync' });

    const outcome = await run(redshiftCopyRole, cluster());

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toContain(`(attached: ${OTHER})`);
    expect(outcome.missing).toEqual([]);
    expect(outcome.remediation).toBe(
      `Attach ${COPY} to cluster analytics: aws redshift modify-cluster-iam-roles --cluster-identifier analytics --add-iam-roles ${COPY}`,
    );
  });

  it('warns while the association is not in sync', async () => {
    attached({ IamRoleArn: COPY, ApplyStatus: 'adding' });
    expect(await run(redshiftCopyRole, cluster())).toMatchObject({
      status: 'warn',
      message: expect.stringContaining('(adding)'),
    });
  });

  it('warns when the trust names other db users, or Redshift only in other regions', async () => {
    attached({ IamRoleArn: COPY, ApplyStatus: 'in-sync' });
    iam.on(GetRoleCommand).resolves({
      Role: {
        Path: '/',
        RoleName: 'RedshiftCopyUnload',
        RoleId: 'AROAEXAMPLE',
        Arn: COPY,
        CreateDate: new Date(),
        AssumeRolePolicyDocument: trust([`arn:aws:redshift:us-west-2:${ACCOUNT}:dbuser:analytics/loader`]),
      },
    });
    const other = await run(redshiftCopyRole, cluster());
    expect(other.status).toBe('warn');
    expect(other.message).toContain(`the product's db user ${USER} is not among them`);

    iam.on(GetRoleCommand).resolves({
      Role: {
        Path: '/',
        RoleName: 'RedshiftCopyUnload',
        RoleId: 'AROAEXAMPLE',
        Arn: COPY,
        CreateDate: new Date(),
        AssumeRolePolicyDocument: trust([USER], 'redshift.us-east-1.amazonaws.com'),
      },
    });
    expect((await run(redshiftCopyRole, cluster())).message).toContain(
      'add redshift.us-west-2.amazonaws.com',
    );
  });

  it('claims nothing of the trust where iam:GetRole is not allowed', async () => {
    attached({ IamRoleArn: COPY, ApplyStatus: 'in-sync' });
    iam
      .on(GetRoleCommand)
      .rejects(iamError('AccessDenied', 403, 'User: x is not authorized to perform: iam:GetRole'));
    expect((await run(redshiftCopyRole, cluster())).status).toBe('pass');
  });

  it('is skipped when DescribeClusters is refused, saying what would let it test', async () => {
    redshift
      .on(DescribeClustersCommand)
      .rejects(
        redshiftError('AccessDenied', 403, 'User: x is not authorized to perform: redshift:DescribeClusters'),
      );

    const outcome = await run(redshiftCopyRole, cluster());

    expect(outcome.status).toBe('skip');
    expect(outcome.message).toContain(
      `Allow redshift:DescribeClusters on arn:aws:redshift:us-west-2:${ACCOUNT}:cluster:analytics so the roles attached can be read.`,
    );
  });

  it('reads a Serverless namespace’s roles through GetWorkgroup and GetNamespace', async () => {
    serverless.on(GetWorkgroupCommand).resolves({
      workgroup: { workgroupName: 'etl', namespaceName: 'etl-ns', workgroupArn: 'arn:wg' },
    });
    serverless.on(GetNamespaceCommand).resolves({
      namespace: { namespaceName: 'etl-ns', iamRoles: [`IamRole(iamRoleArn=${COPY}, applyStatus=in-sync)`] },
    });
    const ctx = redshiftContext({ workgroupName: 'etl', region: 'us-west-2', copyRoleArn: COPY });

    expect((await run(redshiftCopyRole, ctx)).status).toBe('pass');
    expect(serverless).toReceiveCommandWith(GetNamespaceCommand, { namespaceName: 'etl-ns' });

    serverless
      .on(GetNamespaceCommand)
      .rejects(
        redshiftServerlessError(
          'AccessDeniedException',
          400,
          'User: x is not authorized to perform: redshift-serverless:GetNamespace',
        ),
      );
    const refused = await run(
      redshiftCopyRole,
      redshiftContext({ workgroupName: 'etl', region: 'us-west-2', copyRoleArn: COPY }),
    );
    expect(refused.status).toBe('skip');
    expect(refused.message).toContain(
      `Allow redshift-serverless:GetNamespace on arn:aws:redshift-serverless:us-west-2:${ACCOUNT}:namespace/*`,
    );
  });

  it('reads GetNamespace’s role strings in either field order', () => {
    expect(parseNamespaceRole(`IamRole(applyStatus=in-sync, iamRoleArn=${COPY})`)).toEqual({
      arn: COPY,
      status: 'in-sync',
    });
    expect(parseNamespaceRole(`IamRole(iamRoleArn=${COPY}, applyStatus=adding)`)).toEqual({
      arn: COPY,
      status: 'adding',
    });
  });

  it('is an error, never a verdict, when Redshift fails', async () => {
    redshift.on(DescribeClustersCommand).rejects(redshiftError('InternalFailure', 500, 'internal'));
    serverless
      .on(GetNamespaceCommand)
      .rejects(redshiftServerlessError('InternalServerException', 500, 'internal'));
    serverless
      .on(GetWorkgroupCommand)
      .resolves({ workgroup: { workgroupName: 'etl', namespaceName: 'etl-ns' } });
    // A failed Describe means the roles are unknown: not tested, never failed.
    expect((await run(redshiftCopyRole, cluster())).status).toBe('skip');
    const ctx = redshiftContext({ workgroupName: 'etl', region: 'us-west-2', copyRoleArn: COPY });
    expect((await run(redshiftCopyRole, ctx)).status).toBe('error');
  });
});
