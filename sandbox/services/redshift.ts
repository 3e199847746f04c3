import { authorize, refusalMessage, type Verdict } from '../iam.ts';
import { now, type SandboxState, type Session } from '../state.ts';
import type { SandboxCluster } from '../world.ts';
import { AwsError, esc, queryAction, queryError, type Service } from './aws.ts';
import { endpointOf, password } from './databases.ts';

/** Redshift (query protocol, XML): DescribeClusters and GetClusterCredentials of a provisioned cluster. */

const XMLNS = 'http://redshift.amazonaws.com/doc/2012-12-01/';

const refuse = (session: Session, iamAction: string, arn: string, v: Verdict) =>
  new AwsError(403, 'AccessDenied', refusalMessage(session.caller, iamAction, arn, v, false));

export function redshiftService(state: SandboxState): Service {
  return {
    operation: (_req, body) => queryAction(body),
    error: queryError(XMLNS),
    async handle({ session, body, region, rid }) {
      return {
        status: 200,
        headers: { 'content-type': 'text/xml' },
        body: await redshift(state, session, new URLSearchParams(body.toString()), region, rid),
      };
    },
  };
}

async function redshift(
  state: SandboxState,
  session: Session,
  params: URLSearchParams,
  region: string,
  rid: string,
) {
  const action = params.get('Action') ?? '';
  const wrap = (name: string, inner: string) =>
    `<${name}Response xmlns="${XMLNS}"><${name}Result>${inner}</${name}Result><ResponseMetadata><RequestId>${rid}</RequestId></ResponseMetadata></${name}Response>`;
  const id = params.get('ClusterIdentifier') ?? '';
  const account = session.caller.account;
  const base = `arn:aws:redshift:${region}:${account}`;
  const cluster = state.world.clusters?.find(
    (c) => c.identifier === id && c.region === region && c.account === account,
  );
  if (action === 'DescribeClusters')
    return wrap('DescribeClusters', await describeCluster(state, session, base, id, cluster));
  if (action !== 'GetClusterCredentials')
    throw new AwsError(400, 'InvalidAction', `Could not find operation ${action}`);
  const dbUser = params.get('DbUser') ?? '';
  const dbName = params.get('DbName');
  const groups = [...params.entries()].filter(([k]) => k.startsWith('DbGroups.')).map(([, g]) => g);
  const duration = Number(params.get('DurationSeconds') ?? 900);
  if (duration < 900 || duration > 3600)
    throw new AwsError(400, 'InvalidParameterValue', 'DurationSeconds must be between 900 and 3600.');
  // Redshift authorizes the db user, then the database and each group it is asked for.
  const context = {
    'redshift:DbUser': dbUser,
    ...(dbName ? { 'redshift:DbName': dbName } : {}),
    'redshift:DurationSeconds': String(duration),
  };
  const resources = [
    `${base}:dbuser:${id}/${dbUser}`,
    ...(dbName ? [`${base}:dbname:${id}/${dbName}`] : []),
    ...groups.map((g) => `${base}:dbgroup:${id}/${g}`),
  ];
  for (const arn of resources) {
    const v = await authorize(
      session.caller,
      'redshift:GetClusterCredentials',
      { arn, account },
      { context },
    );
    if (!v.allowed) throw refuse(session, 'redshift:GetClusterCredentials', arn, v);
  }
  if (!cluster) throw new AwsError(404, 'ClusterNotFound', `Cluster ${id} not found.`);
  const expiration = new Date(now(state) + duration * 1000).toISOString();
  return wrap(
    'GetClusterCredentials',
    `<DbUser>IAM:${esc(dbUser)}</DbUser><DbPassword>${password()}</DbPassword><Expiration>${expiration}</Expiration>`,
  );
}

/** DescribeClusters of one cluster: its endpoint, and the IAM roles attached with their status. */
async function describeCluster(
  state: SandboxState,
  session: Session,
  base: string,
  id: string,
  cluster: SandboxCluster | undefined,
): Promise<string> {
  const account = session.caller.account;
  const arn = `${base}:cluster:${id}`;
  const v = await authorize(session.caller, 'redshift:DescribeClusters', { arn, account });
  if (!v.allowed) throw refuse(session, 'redshift:DescribeClusters', arn, v);
  if (!cluster) throw new AwsError(404, 'ClusterNotFound', `Cluster ${id} not found.`);
  const e = endpointOf(state, cluster.reachable);
  return `<Clusters><Cluster><ClusterIdentifier>${esc(id)}</ClusterIdentifier><ClusterStatus>available</ClusterStatus><Endpoint><Address>${e.address}</Address><Port>${e.port}</Port></Endpoint><IamRoles>${(
    cluster.iamRoles ?? []
  )
    .map(
      (r) =>
        `<ClusterIamRole><IamRoleArn>${esc(r.arn)}</IamRoleArn><ApplyStatus>${r.status ?? 'in-sync'}</ApplyStatus></ClusterIamRole>`,
    )
    .join('')}</IamRoles></Cluster></Clusters>`;
}
