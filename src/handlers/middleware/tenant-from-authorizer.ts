import type { MiddlewareObj } from '@middy/core';
import { ApiError, type HttpContext, type HttpEvent, type HttpResult } from '../http.ts';

/** What a tenant id may be: it keys the tenant's records and is part of its external ID. */
const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9._:@|+-]{0,127}$/;

/**
 * The tenant comes only from the authorizer's context: a JWT claim (configurable,
 * `TENANT_CLAIM`, default `tenant_id`) or a Lambda authorizer's context. Headers, query and body
 * are never consulted. 401 without one, 403 for one that is not a tenant id.
 */
export function tenantFromAuthorizer(
  claim = 'tenant_id',
): MiddlewareObj<HttpEvent, HttpResult, Error, HttpContext> {
  return {
    name: 'tenantFromAuthorizer',
    before: (request) => {
      const auth = request.event?.requestContext?.authorizer;
      const raw = auth?.jwt?.claims?.[claim] ?? auth?.lambda?.[claim] ?? auth?.lambda?.tenantId;
      if (raw === undefined || raw === null || raw === '') {
        throw new ApiError(401, 'Unauthorized', 'The authorizer context carries no tenant.');
      }
      if (typeof raw !== 'string' || !TENANT_ID.test(raw)) {
        throw new ApiError(403, 'Forbidden', 'The authorizer context carries no valid tenant.');
      }
      request.context.tenantId = raw;
    },
  };
}
