import type { Permission } from '../permissions.ts';

/**
 * Every command the connection store (store.ts) sends, as IAM names it. Only Query reads an
 * index (`duePage`, the dispatcher's `byShard`); the others are granted there too, as the role
 * always had them, and mean nothing on an index.
 */
export const permissions: readonly Permission[] = [
  {
    actions: [
      'dynamodb:BatchWriteItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ],
    resources: ['table', 'tableIndexes'],
    why: 'connections, their runs (src/core/drift/store.ts) and the tenants’ external-ID versions (tenant-versions.ts, which the store includes)',
  },
];
