import type { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { MiddlewareObj } from '@middy/core';
import { bounded, CALL_LIMITS } from '../../core/bounds.ts';
import type { ServiceConfig } from '../../core/config.ts';
import { dynamoRateLimiter, type RateLimiter } from '../../core/rate-limit.ts';
import { type AdmissionContext, ApiError, type HttpEvent, type HttpResult } from '../http.ts';

/**
 * The contract's 429: a tenant over its rate, counted once the tenant is known (so the count is
 * the tenant's, whatever the request).
 *
 * The count is one DynamoDB UpdateItem. Where a request's first work is AssumeRole (POST
 * /verify, POST /connections: `beside`), the count runs beside it rather than before it: the
 * handler gets `context.admission` and hands it to the core, whose every check on a customer's
 * resource waits for it; a refused count discards the report and answers 429, so a limited
 * request still writes nothing in a customer's bucket. Anywhere else the count is waited for
 * before the handler runs. Either way no response but the 429 leaves past a refused count, and
 * a 429 wins over the request's own error (a limited tenant learns that first).
 */
export function tenantRateLimit(
  limiter: RateLimiter | undefined,
  opts: { beside?: (event: HttpEvent) => boolean } = {},
): MiddlewareObj<HttpEvent, HttpResult, Error, AdmissionContext> {
  return {
    name: 'tenantRateLimit',
    before: async (request) => {
      const admission = limiter ? admit(limiter, request.context.tenantId) : Promise.resolve();
      // Awaited below, by the handler or by `after`/`onError`: never an unhandled rejection.
      admission.catch(() => undefined);
      request.context.admission = admission;
      if (!opts.beside?.(request.event)) await admission;
    },
    after: async (request) => {
      await request.context.admission;
    },
    onError: async (request) => {
      try {
        await request.context?.admission;
      } catch (refused) {
        request.error = refused as Error;
      }
    },
  };
}

async function admit(limiter: RateLimiter, tenantId: string): Promise<void> {
  const take = await limiter.take(tenantId);
  if (take.allowed) return;
  const err = new ApiError(
    429,
    'TooManyRequests',
    `This tenant made more than ${limiter.perMinute} requests in a minute; retry in ${take.retryAfterSeconds} s.`,
  );
  err.headers = { 'retry-after': String(take.retryAfterSeconds) };
  throw err;
}

/** The stage's per-tenant limiter, if it configures one (`RATE_LIMIT_TABLE`). */
export function rateLimiterFor(config: ServiceConfig, logger: Logger): RateLimiter | undefined {
  const rate = config.rateLimit;
  if (!rate) return undefined;
  return dynamoRateLimiter(
    new DynamoDBClient({ region: config.region, ...bounded(CALL_LIMITS, 16) }),
    rate.table,
    rate.perMinute,
    logger,
  );
}
