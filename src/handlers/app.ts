import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { loadConfig } from '../core/config.ts';
import { createLogger } from '../core/logger.ts';
import { powertoolsMetrics } from '../core/metrics.ts';
import type { RateLimiter } from '../core/rate-limit.ts';
import type { AppDeps } from '../core/tenant-use-cases.ts';
import {
  externalIdSecret,
  type HttpContext,
  type HttpEvent,
  type HttpResult,
  httpErrors,
  tenantFromAuthorizer,
  tenantRateLimit,
} from './http.ts';

/**
 * Built once per container. loadConfig throws when a deployed stage lacks its secret
 * parameter, so such a function refuses to start rather than issue development external IDs.
 */
export function createServices(): AppDeps {
  return { config: loadConfig(), logger: createLogger(), metrics: powertoolsMetrics() };
}

/** The one middleware stack of every HTTP handler, in order; the handler itself comes last. */
export function httpHandler(
  services: AppDeps,
  handler: (event: HttpEvent, context: HttpContext) => Promise<HttpResult>,
  /** For the endpoints that do work for a tenant (verify, connections): the per-tenant rate. */
  limiter?: RateLimiter,
): (event: HttpEvent, context: Context) => Promise<HttpResult> {
  // Lambda passes a plain Context; the middlewares add the tenant and the secret that
  // HttpContext promises the handler before it runs.
  const stack = middy<HttpEvent, HttpResult, Error, HttpContext>();
  // Outermost, so the segment spans the whole request. Responses stay out of the trace: a
  // setup answer carries the tenant's external ID.
  if (services.tracer) stack.use(captureLambdaHandler(services.tracer, { captureResponse: false }));
  return (
    stack
      .use(httpErrors(services.logger))
      // Never the event: its body carries key pairs. What is worth logging is logged after validation.
      .use(injectLambdaContext(services.logger, { resetKeys: true, logEvent: false }))
      .use(tenantFromAuthorizer(services.config.tenantClaim))
      .use(tenantRateLimit(limiter))
      .use(externalIdSecret(services.config))
      .handler(handler) as unknown as (event: HttpEvent, context: Context) => Promise<HttpResult>
  );
}
