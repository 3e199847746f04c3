import type { Permission } from './permissions.ts';

/**
 * The one client built with the service's own credentials (`AwsAccess.sts(region)`, without a
 * session's): the principal checks assume the customer's role with it. What a session may then
 * do is bounded by the session policy each verification passes, not by this role.
 */
export const permissions: readonly Permission[] = [
  {
    actions: ['sts:AssumeRole'],
    resources: ['customerRoles'],
    why: 'assumes the customer’s role with the tenant’s external ID (src/checks/sts/assume-role.ts, external-id-required.ts)',
  },
];
