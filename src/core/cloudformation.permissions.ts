import type { Permission } from './permissions.ts';

/** GET /setup's templates, stored where the customer's console can open them. */
export const permissions: readonly Permission[] = [
  {
    actions: ['s3:PutObject'],
    resources: ['templateBucket'],
    why: 'stores the template a quick-create link opens (publishTemplate, src/core/cloudformation.ts)',
  },
];
