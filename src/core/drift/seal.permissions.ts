import type { Permission } from '../permissions.ts';

/**
 * The `service` of every encryption context seal.ts sends KMS: the key opens only for this
 * service, whatever else the key policy allows.
 */
export const SEAL_CONTEXT_SERVICE = 'aws-access-verifier';

export const permissions: readonly Permission[] = [
  {
    actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
    resources: ['connectionsKey'],
    condition: { StringEquals: { 'kms:EncryptionContext:service': SEAL_CONTEXT_SERVICE } },
    why: 'seals and opens saved connections’ key pairs (kmsSealer, src/core/drift/seal.ts)',
  },
];
