import { redshiftSdk } from '../../core/aws.ts';
import { type CheckDescriptor, sessionFor } from '../../core/check.ts';
import { dbGroupArn, dbNameArn, dbUserArn, issueCredentials, learnAccount } from './redshift.ts';

export const redshiftCredentials: CheckDescriptor<'redshift', 'redshift.credentials'> = {
  id: 'redshift.credentials',
  title: 'Redshift issues temporary database credentials for the db user',
  scope: 'redshift',
  calls: ['GetClusterCredentials'],
  dependsOn: [],
  appliesTo: (t) => t.cluster !== undefined,
  grants: (t) => [
    {
      actions: ['redshift:GetClusterCredentials'],
      resources: [
        dbUserArn(t),
        ...(t.dbName ? [dbNameArn(t)] : []),
        ...(t.cluster?.dbGroups ?? []).map((g) => dbGroupArn(t, g)),
      ],
    },
  ],
  async run(ctx) {
    const t = ctx.target;
    const cluster = t.cluster;
    if (!cluster) throw new Error('redshift.credentials needs a cluster');
    learnAccount(ctx);
    const credentials = sessionFor(ctx);
    const { GetClusterCredentialsCommand } = await redshiftSdk();
    // AutoCreate=false: a verification must never create a database user.
    return issueCredentials(
      ctx,
      {
        resource: `cluster ${cluster.identifier}`,
        issuedTo: `db user ${cluster.dbUser} on cluster ${cluster.identifier}`,
      },
      async () =>
        (await ctx.aws.redshift(t.region, credentials)).send(
          new GetClusterCredentialsCommand({
            ClusterIdentifier: cluster.identifier,
            DbUser: cluster.dbUser,
            ...(t.dbName ? { DbName: t.dbName } : {}),
            ...(cluster.dbGroups.length ? { DbGroups: cluster.dbGroups } : {}),
            AutoCreate: false,
            DurationSeconds: 900,
          }),
          { abortSignal: ctx.signal },
        ),
    );
  },
  explainDenial: (t, ctx) => ({
    message: `Redshift refused temporary credentials for db user ${t.cluster?.dbUser} on ${t.cluster?.identifier}${t.dbName ? `, database ${t.dbName}` : ''}.`,
    ...(ctx.principalTarget.credentials.type === 'role'
      ? {
          hint: `Check the policy's Resource names dbuser:${t.cluster?.identifier}/${t.cluster?.dbUser} (or \${redshift:DbUser}). If it has an aws:userid condition, it must be "<the role's unique id>:\${redshift:DbUser}": this service, like the vendor's product, assumes the role with the session name ${t.cluster?.dbUser}.`,
        }
      : {}),
  }),
};
