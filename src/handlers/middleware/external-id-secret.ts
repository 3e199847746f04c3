import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { MiddlewareObj } from '@middy/core';
import { bounded, CALL_LIMITS } from '../../core/bounds.ts';
import type { ServiceConfig } from '../../core/config.ts';
import { tenantVersions } from '../../core/drift/tenant-versions.ts';
import { localDevSecret } from '../../core/external-id.ts';
import {
  type ExternalIdSecrets,
  externalIdSecrets,
  ssmSecretHistory,
} from '../../core/external-id-versions.ts';
import type { SecretContext, TenantSecretContext } from '../http.ts';

/**
 * Every version of the external ID secret (SSM parameter history in a deployed stage, a
 * generated file on a developer's machine) and the tenant → version record (the drift table).
 * One per container: the keyring (15 min) and each tenant's version (1 min) are cached across
 * invocations, so a warm container that saw the tenant within the minute reads nothing here.
 */
export function secretsFor(config: ServiceConfig): ExternalIdSecrets {
  const table = config.drift?.table;
  const tenants = table
    ? tenantVersions(
        DynamoDBDocumentClient.from(
          new DynamoDBClient({ region: config.region, ...bounded(CALL_LIMITS, 16) }),
        ),
        table,
      )
    : undefined;
  const parameter = config.externalIdSecretParameter;
  if (!parameter) {
    return externalIdSecrets(async () => {
      const local = localDevSecret();
      return [`${local.version}:${local.key}`];
    }, tenants);
  }
  let ssm: SSMClient | undefined;
  return externalIdSecrets(() => {
    ssm ??= new SSMClient({ region: config.region, ...bounded(CALL_LIMITS, 4) });
    return ssmSecretHistory(ssm, parameter);
  }, tenants);
}

/**
 * Puts the secrets in the context and, on an HTTP call (the tenant known), the secret of the
 * tenant's version: the ID it was issued, whatever rotated since. Only the handlers that use
 * the external ID have it (verify, setup, connections, the drift worker).
 */
export function externalIdSecret<E, R, C extends SecretContext = TenantSecretContext>(
  secrets: ExternalIdSecrets,
): MiddlewareObj<E, R, Error, C> {
  return {
    name: 'externalIdSecret',
    before: async (request) => {
      const context = request.context as C & Partial<TenantSecretContext>;
      context.externalIdSecrets = secrets;
      if (typeof context.tenantId === 'string')
        context.externalIdSecret = await secrets.forTenant(context.tenantId);
    },
  };
}
