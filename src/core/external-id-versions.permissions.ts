import type { Permission } from './permissions.ts';

/**
 * Every version the external-ID secret has had, so a rotation breaks no tenant, and which of
 * them each tenant was issued, recorded in the connections table through the drift store.
 */
export const permissions: readonly Permission[] = [
  {
    actions: ['ssm:GetParameterHistory'],
    resources: ['secretParameter'],
    why: 'reads every version of the external-ID secret (ssmSecretHistory, src/core/external-id-versions.ts)',
  },
  {
    actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
    resources: ['table'],
    why: 'reads and records the version each tenant was issued (TenantVersionStore, src/core/external-id-versions.ts)',
  },
];
