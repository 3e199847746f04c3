import { authorize, refusalMessage } from '../iam.ts';
import { now, type SandboxState, type Session } from '../state.ts';
import { AwsError, jsonError, type Service } from './aws.ts';
import { endpointOf, password } from './databases.ts';
import { jsonService } from './json.ts';

/**
 * Redshift Serverless (AWS JSON 1.1): GetWorkgroup, GetCredentials and GetNamespace, authorized
 * on the workgroup's (or namespace's) ARN, which carries its id, not its name.
 */

export const redshiftServerlessService = (state: SandboxState): Service =>
  jsonService(
    jsonError,
    (op, input, caller, _failEntries, session) =>
      redshiftServerless(state, session, op, input as RedshiftServerlessInput, caller.region),
    'application/x-amz-json-1.1',
  );

interface RedshiftServerlessInput {
  workgroupName?: string;
  namespaceName?: string;
  dbName?: string;
  durationSeconds?: number;
}

async function redshiftServerless(
  state: SandboxState,
  session: Session,
  op: string,
  input: RedshiftServerlessInput,
  region: string,
) {
  const account = session.caller.account;
  if (op === 'GetNamespace') return getNamespace(state, session, input.namespaceName ?? '', region);
  const name = input.workgroupName ?? '';
  const wg = state.world.workgroups?.find(
    (w) => w.name === name && w.region === region && w.account === account,
  );
  // The workgroup's ARN names its id: an unknown name has no ARN to authorize against.
  if (!wg) throw new AwsError(400, 'ResourceNotFoundException', `Workgroup ${name} not found.`);
  const arn = `arn:aws:redshift-serverless:${region}:${account}:workgroup/${wg.id}`;
  const action = {
    GetWorkgroup: 'redshift-serverless:GetWorkgroup',
    GetCredentials: 'redshift-serverless:GetCredentials',
  }[op];
  if (!action) throw new AwsError(400, 'UnknownOperationException', op);
  const v = await authorize(session.caller, action, { arn, account });
  if (!v.allowed)
    throw new AwsError(400, 'AccessDeniedException', refusalMessage(session.caller, action, arn, v, false));
  if (op === 'GetWorkgroup') {
    const e = endpointOf(state, wg.reachable);
    return {
      workgroup: {
        workgroupName: wg.name,
        workgroupId: wg.id,
        workgroupArn: arn,
        namespaceName: wg.namespace?.name ?? `${wg.name}-ns`,
        status: 'AVAILABLE',
        endpoint: { address: e.address, port: e.port },
      },
    };
  }
  const duration = input.durationSeconds ?? 900;
  return {
    dbUser: `IAMR:${session.caller.arn.split('/').at(-2) ?? 'user'}`,
    dbPassword: password(),
    expiration: Math.floor((now(state) + duration * 1000) / 1000),
    nextRefreshTime: Math.floor((now(state) + duration * 500) / 1000),
  };
}

/** GetNamespace: its ARN carries its id; its roles in the words AWS uses, `IamRole(applyStatus=…, iamRoleArn=…)`. */
async function getNamespace(state: SandboxState, session: Session, name: string, region: string) {
  const account = session.caller.account;
  const wg = state.world.workgroups?.find(
    (w) => (w.namespace?.name ?? `${w.name}-ns`) === name && w.region === region && w.account === account,
  );
  if (!wg) throw new AwsError(400, 'ResourceNotFoundException', `Namespace ${name} not found.`);
  const id = wg.namespace?.id ?? wg.id;
  const arn = `arn:aws:redshift-serverless:${region}:${account}:namespace/${id}`;
  const action = 'redshift-serverless:GetNamespace';
  const v = await authorize(session.caller, action, { arn, account });
  if (!v.allowed)
    throw new AwsError(400, 'AccessDeniedException', refusalMessage(session.caller, action, arn, v, false));
  return {
    namespace: {
      namespaceName: name,
      namespaceId: id,
      namespaceArn: arn,
      status: 'AVAILABLE',
      iamRoles: (wg.namespace?.iamRoles ?? []).map((r) => `IamRole(applyStatus=in-sync, iamRoleArn=${r})`),
    },
  };
}
