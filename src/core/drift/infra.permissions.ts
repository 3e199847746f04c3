import type { Permission } from '../permissions.ts';

/** What infra.ts sends itself; the store and the sealer it builds declare their own. */
export const permissions: readonly Permission[] = [
  {
    // SendMessageBatch is authorized as sqs:SendMessage; the URL is looked up by the queue's name.
    actions: ['sqs:GetQueueUrl', 'sqs:SendMessage'],
    resources: ['driftQueue'],
    why: 'the dispatcher sends every due connection to the queue (send, src/core/drift/infra.ts)',
  },
  {
    actions: ['events:PutEvents'],
    resources: ['defaultBus'],
    why: 'the worker publishes a connection’s change of access (publish, src/core/drift/infra.ts)',
  },
];
