import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import type { ExternalIdSecret } from '../core/external-id.ts';
import type { ExternalIdSecrets } from '../core/external-id-versions.ts';
import type { FieldError } from '../core/field-errors.ts';

/**
 * The HTTP edge's shapes and helpers, shared by every handler and middleware
 * (src/handlers/middleware/): events, contexts, the contract's errors, the body limits. The
 * core never sees any of it.
 */

/** What API Gateway passes from a JWT authorizer (claims) or a Lambda authorizer (lambda). */
export type HttpEvent = APIGatewayProxyEventV2 & {
  requestContext: APIGatewayProxyEventV2['requestContext'] & {
    authorizer?: { jwt?: { claims?: Record<string, unknown> }; lambda?: Record<string, unknown> };
  };
};
export type HttpResult = Exclude<APIGatewayProxyResultV2, string>;
/** An HTTP call's tenant, from the authorizer (middleware/tenant-from-authorizer.ts). */
export type HttpContext = Context & { tenantId: string };
/** What every handler that issues external IDs (HTTP, the drift worker) gets in its context. */
export type SecretContext = Context & { externalIdSecrets: ExternalIdSecrets };
/** An HTTP call of a handler that uses the external ID: the secret of the tenant's version. */
export type TenantSecretContext = HttpContext & SecretContext & { externalIdSecret: ExternalIdSecret };
/**
 * A rate-limited call (middleware/rate-limit.ts): settles once the tenant's count allowed it,
 * rejects with the 429 otherwise. Whoever acts on a customer's resources waits for it.
 */
export type AdmissionContext = HttpContext & { admission: Promise<void> };
/** The handler of a call, after its middlewares put what its context promises there. */
export type HttpFn<C extends HttpContext = HttpContext> = (
  event: HttpEvent,
  context: C,
) => Promise<HttpResult>;
/** What Lambda calls: a plain Context in, the middlewares add the rest. */
export type LambdaHttpHandler = (event: HttpEvent, context: Context) => Promise<HttpResult>;

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
