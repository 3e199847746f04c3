import type { Permission } from './permissions.ts';

/** The per-tenant counter (rate-limit.ts): one conditional UpdateItem per request. */
export const permissions: readonly Permission[] = [
  {
    actions: ['dynamodb:UpdateItem'],
    resources: ['table'],
    why: 'counts each tenant’s requests per minute in the connections table (src/core/rate-limit.ts)',
  },
];
