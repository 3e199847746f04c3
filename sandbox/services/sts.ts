import { randomBytes } from 'node:crypto';
import { authorize, type PolicyJson } from '../iam.ts';
import type { SandboxState, Session } from '../state.ts';
import { AwsError, accountOf, esc, queryAction, queryError, type Service, uniqueIdOf } from './aws.ts';

/** STS (query protocol, XML): GetCallerIdentity, and AssumeRole by the role's trust policy. */

const XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';

export function stsService(state: SandboxState): Service {
  return {
    operation: (_req, body) => queryAction(body),
    error: queryError(XMLNS),
    async handle({ session, body, rid, record }) {
      const params = new URLSearchParams(body.toString());
      if (record.operation === 'AssumeRole') record.roleSessionName = params.get('RoleSessionName') ?? '';
      return {
        status: 200,
        headers: { 'content-type': 'text/xml' },
        body: await sts(state, session, params, rid),
      };
    },
  };
}

async function sts(state: SandboxState, session: Session, params: URLSearchParams, rid: string) {
  const action = params.get('Action');
  const wrap = (name: string, inner: string) =>
    `<${name}Response xmlns="${XMLNS}"><${name}Result>${inner}</${name}Result><ResponseMetadata><RequestId>${rid}</RequestId></ResponseMetadata></${name}Response>`;
  if (action === 'GetCallerIdentity') {
    const c = session.caller;
    return wrap(
      'GetCallerIdentity',
      `<Arn>${c.arn}</Arn><UserId>${c.userid}</UserId><Account>${c.account}</Account>`,
    );
  }
  if (action !== 'AssumeRole') throw new AwsError(400, 'InvalidAction', `Could not find operation ${action}`);
  return wrap('AssumeRole', await assumeRole(state, session, params));
}

async function assumeRole(state: SandboxState, session: Session, params: URLSearchParams) {
  const roleArn = params.get('RoleArn') ?? '';
  const sessionName = params.get('RoleSessionName') ?? '';
  const policy = params.get('Policy');
  if (policy && policy.length > 2048) {
    throw new AwsError(
      400,
      'ValidationError',
      "1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must have length less than or equal to 2048",
    );
  }
  const duration = Number(params.get('DurationSeconds') ?? 3600);
  if (duration < 900) throw new AwsError(400, 'ValidationError', 'DurationSeconds must be at least 900');
  const role = state.world.roles?.find((r) => r.arn === roleArn);
  const externalId = params.get('ExternalId');
  const denied = new AwsError(
    403,
    'AccessDenied',
    `User: ${session.caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
  );
  // A missing role, a wrong account, an untrusted principal and a wrong external ID read alike.
  if (!role) throw denied;
  const verdict = await authorize(
    session.caller,
    'sts:AssumeRole',
    { arn: roleArn, account: accountOf(roleArn) },
    {
      resourcePolicy: role.trust,
      context: externalId ? { 'sts:ExternalId': externalId } : {},
    },
  );
  if (!verdict.allowed) throw denied;
  const roleName = roleArn.split('/').at(-1) ?? 'role';
  const keyId = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
  const secret = randomBytes(30).toString('base64');
  const token = randomBytes(48).toString('base64');
  const account = accountOf(roleArn);
  state.sessions.set(keyId, {
    caller: {
      arn: `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`,
      account,
      userid: `${role.uniqueId ?? uniqueIdOf('AROA', roleArn)}:${sessionName}`,
      identityPolicies: role.policies,
      ...(role.boundary ? { boundary: role.boundary } : {}),
      ...(policy ? { sessionPolicy: JSON.parse(policy) as PolicyJson } : {}),
      ...(state.world.scps?.[account] ? { scps: state.world.scps[account] } : {}),
    },
    secretAccessKey: secret,
    sessionToken: token,
    expires: Date.now() + duration * 1000,
    active: true,
  });
  const expiration = new Date(Date.now() + duration * 1000).toISOString();
  return `<Credentials><AccessKeyId>${keyId}</AccessKeyId><SecretAccessKey>${secret}</SecretAccessKey><SessionToken>${token}</SessionToken><Expiration>${expiration}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROA:${esc(sessionName)}</AssumedRoleId><Arn>arn:aws:sts::${account}:assumed-role/${roleName}/${esc(sessionName)}</Arn></AssumedRoleUser><PackedPolicySize>${policy ? Math.min(99, Math.ceil(policy.length / 25)) : 0}</PackedPolicySize>`;
}
