import type { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { bounded, CALL_LIMITS } from '../core/aws.ts';
import type { ServiceConfig } from '../core/config.ts';
import { connectionStore } from '../core/drift/store.ts';
import { type ExternalIdSecret, localDevSecret } from '../core/external-id.ts';
import { type ExternalIdSecrets, externalIdSecrets, ssmSecretHistory } from '../core/external-id-versions.ts';
import type { RateLimiter } from '../core/rate-limit.ts';
import type { FieldError } from '../core/request.ts';

/**
 * The HTTP edge shared by every handler: the contract's error shape, the tenant from the
 * authorizer, the body limits and the external ID secret. The core never sees any of it.
 */

/** What API Gateway passes from a JWT authorizer (claims) or a Lambda authorizer (lambda). */
export type HttpEvent = APIGatewayProxyEventV2 & {
  requestContext: APIGatewayProxyEventV2['requestContext'] & {
    authorizer?: { jwt?: { claims?: Record<string, unknown> }; lambda?: Record<string, unknown> };
  };
};
export type HttpResult = Exclude<APIGatewayProxyResultV2, string>;
/** What every handler that issues external IDs (HTTP, the drift worker) gets in its context. */
export type SecretContext = Context & { externalIdSecrets: ExternalIdSecrets };
/** An HTTP call's tenant, and the version of the secret that tenant was issued. */
export type HttpContext = SecretContext & { tenantId: string; externalIdSecret: ExternalIdSecret };

export class ApiError extends Error {
  override name = 'ApiError';
  readonly statusCode: number;
  readonly code: string;
  readonly details: FieldError[];
  /** Response headers the refusal needs (Retry-After on a 429). */
  headers: Record<string, string> = {};
  constructor(
    statusCode: number,
    code: string,
    message: string,
    details: FieldError[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.statusCode = statusCode;
    this.code = code;
    this.details = details;
  }
}

export function invalid(details: FieldError[]): ApiError {
  const n = details.length;
  return new ApiError(400, 'InvalidRequest', `${n} field${n === 1 ? ' is' : 's are'} invalid`, details);
}

const HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };

export function json(statusCode: number, body: unknown): HttpResult {
  return { statusCode, headers: HEADERS, body: JSON.stringify(body) };
}

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

const requestIdOf = (event: HttpEvent | undefined, context: Context) =>
  event?.requestContext?.requestId ?? context.awsRequestId;

/** Turns every error into the contract's shape; a 5xx says nothing of its cause to the caller. */
export function httpErrors(logger: Logger): MiddlewareObj<HttpEvent, HttpResult, Error, HttpContext> {
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

const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9._:@|+-]{0,127}$/;

/**
 * The tenant comes only from the authorizer's context: a JWT claim (configurable) or a Lambda
 * authorizer's context. Headers, query and body are never consulted.
 */
export function tenantFromAuthorizer(
  claim: string,
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

/**
 * The contract's 429: a tenant over its rate, counted after the tenant is known (so the count
 * is the tenant's, whatever the request) and before any work is done for it.
 */
export function tenantRateLimit(
  limiter: RateLimiter | undefined,
): MiddlewareObj<HttpEvent, HttpResult, Error, HttpContext> {
  return {
    name: 'tenantRateLimit',
    before: async (request) => {
      if (!limiter) return;
      const take = await limiter.take(request.context.tenantId);
      if (take.allowed) return;
      const err = new ApiError(
        429,
        'TooManyRequests',
        `This tenant made more than ${limiter.perMinute} requests in a minute; retry in ${take.retryAfterSeconds} s.`,
      );
      err.headers = { 'retry-after': String(take.retryAfterSeconds) };
      throw err;
    },
  };
}

/**
 * Every version of the external ID secret (SSM parameter history in a deployed stage, a
 * generated file on a developer's machine) and the tenant → version record (the drift table).
 * One per container: the keyring and the records it read are cached across invocations.
 */
export function secretsFor(config: ServiceConfig): ExternalIdSecrets {
  const table = config.drift?.table;
  const tenants = table
    ? connectionStore(new DynamoDBClient({ region: config.region, ...bounded(CALL_LIMITS, 16) }), table)
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
 * tenant's version: the ID it was issued, whatever rotated since.
 */
export function externalIdSecret<E = HttpEvent, R = HttpResult, C extends SecretContext = HttpContext>(
  config: ServiceConfig,
  secrets: ExternalIdSecrets = secretsFor(config),
): MiddlewareObj<E, R, Error, C>[] {
  return [
    {
      name: 'externalIdSecret',
      before: async (request) => {
        const context = request.context as C & Partial<HttpContext>;
        context.externalIdSecrets = secrets;
        if (typeof context.tenantId === 'string')
          context.externalIdSecret = await secrets.forTenant(context.tenantId);
      },
    },
  ];
}

/** Reads a JSON body within the contract's size limit: 413 over it, 400 for anything unreadable. */
export function readJsonBody(event: HttpEvent, maxBytes: number): unknown {
  const raw = event.body;
  if (raw === undefined || raw === null || raw === '') {
    throw invalid([{ path: '(body)', message: 'a JSON body is required' }]);
  }
  if (typeof raw !== 'string') throw invalid([{ path: '(body)', message: 'not valid JSON' }]);
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > maxBytes) {
    throw new ApiError(413, 'PayloadTooLarge', `The body is over ${maxBytes / 1024} KiB.`);
  }
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new ApiError(
      400,
      'InvalidRequest',
      'The body is not valid JSON.',
      [{ path: '(body)', message: 'not valid JSON' }],
      { cause: err },
    );
  }
}
