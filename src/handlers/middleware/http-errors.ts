import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { FieldError } from '../../core/field-errors.ts';
import { ApiError, type HttpEvent, type HttpResult, json } from '../http.ts';

/**
 * The contract's error shape (docs/verify-api.md) for whatever a handler or a middleware threw:
 * an ApiError says its status, code and fields; anything else is a 500 that names no cause.
 * Outermost of the stack (after the tracer), so every other middleware's error reaches it.
 */

/** At most this many entries in an error's `details`; `detailsOmitted` counts the rest. */
export const MAX_DETAILS = 50;

const depth = (path: string) => path.split(/[.[]/).length;

/**
 * A 64 KiB body of `[0,0,…]` names 30,000 fields. Over the cap, the shallowest entries are kept,
 * in their order: a field of the body itself (an unknown `tenantId`) says more than the
 * 30,000th `s3[i]`.
 */
function capped(details: FieldError[]): FieldError[] {
  if (details.length <= MAX_DETAILS) return details;
  return details
    .map((d, i) => ({ d, i, depth: depth(d.path) }))
    .sort((a, b) => a.depth - b.depth || a.i - b.i)
    .slice(0, MAX_DETAILS)
    .sort((a, b) => a.i - b.i)
    .map((x) => x.d);
}

const requestIdOf = (event: HttpEvent | undefined, context: Context | undefined) =>
  event?.requestContext?.requestId ?? context?.awsRequestId;

/** Turns every error into the contract's shape; a 5xx says nothing of its cause to the caller. */
export function httpErrors<C extends Context = Context>(
  logger: Logger,
): MiddlewareObj<HttpEvent, HttpResult, Error, C> {
  return {
    name: 'httpErrors',
    onError: (request) => {
      const err = request.error;
      const requestId = requestIdOf(request.event, request.context);
      if (err instanceof ApiError) {
        const details = capped(err.details);
        const omitted = err.details.length - details.length;
        logger.info('request refused', { statusCode: err.statusCode, code: err.code, details, omitted });
        const error: Record<string, unknown> = { code: err.code, message: err.message };
        if (details.length) error.details = details;
        if (omitted > 0) error.detailsOmitted = omitted;
        const response = json(err.statusCode, { error, requestId });
        response.headers = { ...response.headers, ...err.headers };
        request.response = response;
        return;
      }
      logger.error('unhandled error', { error: err ?? undefined });
      request.response = json(500, {
        error: { code: 'InternalError', message: 'The service failed; this is not caused by your request.' },
        requestId,
      });
    },
  };
}
