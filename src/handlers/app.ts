import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { AppDeps } from '../core/tenant-use-cases.ts';
import type { HttpContext, HttpEvent, HttpFn, HttpResult, LambdaHttpHandler } from './http.ts';
import { httpErrors } from './middleware/http-errors.ts';
import { tenantFromAuthorizer } from './middleware/tenant-from-authorizer.ts';

/**
 * The one middleware stack of every tenant's HTTP handler, in order: the tracer (outermost, so
 * its segment spans the whole request), the contract's errors, the logger's context, the tenant;
 * then what the handler itself needs (its rate limit, its external-ID secret); the handler last.
 */
export function httpHandler<C extends HttpContext>(
  deps: AppDeps,
  handler: HttpFn<C>,
  ...needs: MiddlewareObj<HttpEvent, HttpResult, Error, C>[]
): LambdaHttpHandler {
  const stack = middy<HttpEvent, HttpResult, Error, C>();
  // Responses stay out of the trace: a setup answer carries the tenant's external ID.
  if (deps.tracer) stack.use(captureLambdaHandler(deps.tracer, { captureResponse: false }));
  stack
    .use(httpErrors<C>(deps.logger))
    // Never the event: its body carries key pairs. What is worth logging is logged after validation.
    .use(injectLambdaContext(deps.logger, { resetKeys: true, logEvent: false }))
    .use(
      tenantFromAuthorizer(deps.config.tenantClaim) as unknown as MiddlewareObj<
        HttpEvent,
        HttpResult,
        Error,
        C
      >,
    );
  for (const need of needs) stack.use(need);
  // Lambda passes a plain Context; the middlewares add what C promises the handler before it runs.
  return stack.handler(handler) as unknown as LambdaHttpHandler;
}
