import { parseRoleArn } from './arn.ts';
import { partitionOfRegion, type Region } from './regions.ts';
import type { PrincipalTarget } from './targets.ts';
import type { VerifyRequest } from './wire.ts';

/** The principal the request names, as the target its identity checks run on. */
export function principalOf(request: VerifyRequest, region: Region): PrincipalTarget {
  const c = request.credentials;
  if (c.type === 'role') {
    const role = parseRoleArn(c.roleArn);
    if (!role) throw new Error('role ARN not validated');
    return {
      kind: 'principal',
      key: 'principal',
      label: c.roleArn,
      partition: role.partition,
      region,
      credentials: c,
      account: role.account,
      sessionPolicies: [],
    };
  }
  return {
    kind: 'principal',
    key: 'principal',
    label: maskKeyId(c.accessKeyId),
    partition: partitionOfRegion(region) ?? 'aws',
    region,
    credentials: c,
    sessionPolicies: [],
  };
}

/** The access key id is not a secret, but the report needs only enough of it to recognise. */
export const maskKeyId = (id: string) => `${id.slice(0, 4)}…${id.slice(-4)}`;
