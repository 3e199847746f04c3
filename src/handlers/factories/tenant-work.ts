import type { ExternalIdSecrets } from '../../core/external-id-versions.ts';
import type { RateLimiter } from '../../core/rate-limit.ts';
import type { AppDeps } from '../../core/tenant-use-cases.ts';
import { secretsFor } from '../middleware/external-id-secret.ts';
import { rateLimiterFor } from '../middleware/rate-limit.ts';

/** What a handler that works for a tenant with its external ID needs besides AppDeps. */
export interface TenantWorkDeps extends AppDeps {
  /** The external-ID secret's versions, one per container. */
  secrets: ExternalIdSecrets;
  /** The per-tenant rate; none where the stage configures none. */
  limiter?: RateLimiter;
}

/** The container's own: the secrets and the rate limiter the configuration names. */
export function tenantWorkDeps(deps: AppDeps): TenantWorkDeps {
  const limiter = rateLimiterFor(deps.config, deps.logger);
  return { ...deps, secrets: secretsFor(deps.config), ...(limiter ? { limiter } : {}) };
}
