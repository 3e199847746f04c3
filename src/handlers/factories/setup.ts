import { externalIdFor } from '../../core/external-id.ts';
import { trustUpdate } from '../../core/setup.ts';
import { setupForTenant } from '../../core/tenant-use-cases.ts';
import { httpHandler } from '../app.ts';
import { invalid, json, type LambdaHttpHandler, type TenantSecretContext } from '../http.ts';
import { externalIdSecret } from '../middleware/external-id-secret.ts';
import { parseSetupQuery } from './setup-query.ts';
import type { TenantWorkDeps } from './tenant-work.ts';

const RENEW = 'renewExternalId';

/**
 * GET /setup: what the tenant must create, from the same catalogue that checks it. With
 * `renewExternalId=true`, the tenant moves to the newest version of the external-ID secret
 * (after a rotation), and the answer says the role's trust must change to the new ID. Not
 * rate-limited: it reads nothing of the customer's.
 */
export function createSetupHandler(deps: Omit<TenantWorkDeps, 'limiter'>): LambdaHttpHandler {
  return httpHandler<TenantSecretContext>(
    deps,
    async (event, context) => {
      const query = new URLSearchParams(event.rawQueryString ?? '');
      const renew = query.getAll(RENEW);
      query.delete(RENEW);
      const parsed = parseSetupQuery(query.toString(), deps.config.profiles);
      const renewProblem =
        renew.length > 1
          ? 'given more than once'
          : renew.length === 1 && renew[0] !== 'true'
            ? 'only true'
            : undefined;
      if (!parsed.ok || renewProblem)
        throw invalid([
          ...(parsed.ok ? [] : parsed.errors),
          ...(renewProblem ? [{ path: RENEW, message: renewProblem }] : []),
        ]);
      let secret = context.externalIdSecret;
      let previousExternalId: string | undefined;
      if (renew.length === 1) {
        const renewed = await context.externalIdSecrets.renew(context.tenantId);
        secret = renewed.secret;
        if (renewed.previous) previousExternalId = externalIdFor(renewed.previous, context.tenantId);
      }
      const answer = await setupForTenant(deps, context.tenantId, secret, parsed.value);
      return json(
        200,
        previousExternalId
          ? { ...answer, trustUpdate: trustUpdate(previousExternalId, answer.externalId) }
          : answer,
      );
    },
    externalIdSecret(deps.secrets),
  );
}
