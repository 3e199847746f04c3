import type { Refusal } from './iam-documents.ts';
import type { AwsErrorInfo } from './wire.ts';

/**
 * The one place that decides what an AWS error means. Only a real authorization refusal is a
 * `fail` (the customer must change something); throttling, time-outs, 5xx, network faults and
 * anything unknown are `error` (inconclusive, never blamed on the customer).
 */

export type PolicyType =
  | 'identity-based policy'
  | 'resource-based policy'
  | 'service control policy'
  | 'resource control policy'
  | 'permissions boundary'
  | 'session policy'
  | 'VPC endpoint policy';

export interface Denied extends Refusal {
  kind: 'denied';
  info: AwsErrorInfo;
  /** The action and resource AWS named in its message, when it did. */
  action?: string;
  resource?: string;
  policyType?: PolicyType;
  explicitDeny: boolean;
  hint?: string;
}

export interface Inconclusive {
  kind: 'error';
  info: AwsErrorInfo;
  /** True when this service itself is at fault (its own credentials, its session policy). */
  ours: boolean;
  hint?: string;
}

export type Classified = Denied | Inconclusive;

/** Codes AWS uses when the caller is not allowed, or its credentials are not accepted. */
const DENIAL_CODES = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'AllAccessDisabled',
  'AccountProblem',
  'InvalidAccessKeyId',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidToken',
  'UnrecognizedClientException',
  'Forbidden',
]);

/**
 * AWS's wording (IAM User Guide, "Troubleshooting access denied error messages"):
 * `User: <arn> is not authorized to perform: <action>[ on resource: <arn>] <context>`, the
 * resource quoted by S3, bare elsewhere, absent for some services; the context is
 * `because no <type> allows the <action> action` (implicit) or
 * `with an explicit deny in a[n] <type>`.
 */
const NAMED_REFUSAL =
  /not authorized to perform: ([\w-]+:[\w*-]+)(?: on resource: "?(arn:[^"\s]+?)"?(?=\s|$|[.,;](?:\s|$)))?/;
const IMPLICIT = /because no ([\w -]+?) allows the /i;
const EXPLICIT = /with an explicit deny(?: in an? ([\w -]+?))?(?=[.,;:]|\s*$)/i;

const POLICY_TYPES: readonly [RegExp, PolicyType][] = [
  [/service control polic/i, 'service control policy'],
  [/resource control polic/i, 'resource control policy'],
  [/permissions? boundar/i, 'permissions boundary'],
  [/session polic/i, 'session policy'],
  [/VPC endpoint polic/i, 'VPC endpoint policy'],
  [/resource-based polic/i, 'resource-based policy'],
  [/identity-based polic/i, 'identity-based policy'],
];

interface SdkErrorShape {
  name?: unknown;
  Code?: unknown;
  code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: number; requestId?: string; extendedRequestId?: string };
  $response?: { statusCode?: number; headers?: Record<string, string | undefined> };
}

function shape(err: unknown): SdkErrorShape {
  return typeof err === 'object' && err !== null ? (err as SdkErrorShape) : { message: String(err) };
}

/** HTTP status of an SDK error, if it got as far as a response. */
export function httpStatusOf(err: unknown): number | undefined {
  const e = shape(err);
  return e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
}

/** A response header of an SDK error (S3 answers some questions only in headers). */
export function headerOf(err: unknown, name: string): string | undefined {
  const headers = shape(err).$response?.headers;
  if (!headers) return undefined;
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

/** The AWS error code, with the SDK's placeholders for body-less answers replaced by what they mean. */
export function codeOf(err: unknown): string {
  const e = shape(err);
  const status = httpStatusOf(err);
  const raw = typeof e.Code === 'string' ? e.Code : typeof e.name === 'string' ? e.name : 'Error';
  // HEAD answers have no body, so the SDK can only name them after the status.
  if ((raw === 'Unknown' || raw === 'UnknownError' || raw === String(status)) && status !== undefined) {
    if (status === 403) return 'AccessDenied';
    if (status === 404) return 'NotFound';
    if (status === 301) return 'PermanentRedirect';
    if (status === 400) return 'BadRequest';
  }
  return raw;
}

export function errorInfo(err: unknown): AwsErrorInfo {
  const e = shape(err);
  const status = httpStatusOf(err);
  const code = codeOf(err);
  let message = typeof e.message === 'string' && e.message !== 'UnknownError' ? e.message : '';
  if (!message && status === 403)
    message = 'Access Denied (HTTP 403 without a body: HEAD answers carry no detail)';
  if (!message) message = status ? `HTTP ${status}` : code;
  const info: AwsErrorInfo = { code, message: truncate(message, 600) };
  const requestId = e.$metadata?.requestId ?? headerOf(err, 'x-amz-request-id');
  if (requestId) info.requestId = requestId;
  if (status !== undefined) info.httpStatus = status;
  return info;
}

const OUR_CLOCK_CODES = new Set(['RequestTimeTooSkewed', 'RequestExpired', 'SignatureExpired']);

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);
const THROTTLING_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'SlowDown',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'PriorRequestNotComplete',
  'BandwidthLimitExceeded',
]);

/** Codes AWS answers when it does not accept the credentials that signed the call. */
const CREDENTIAL_CODES = new Set([
  'InvalidAccessKeyId',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidToken',
  'UnrecognizedClientException',
]);

export interface ClassifyOptions {
  /**
   * Whose credentials signed the call: the customer's key pair (then a rejected key is theirs
   * to fix), or the verifier's: this deployment's own, or the session STS just issued to it
   * (then it is ours).
   */
  credentials?: 'customer' | 'verifier';
}

/** What a refusal's message names: the action, the resource and the policy type, as AWS wrote them. */
export function parseRefusal(message: string): Refusal {
  const explicit = EXPLICIT.exec(message);
  const reason = explicit?.[1] ?? IMPLICIT.exec(message)?.[1];
  // The reason clause first; else any policy type the message mentions (older wordings).
  const policyType =
    (reason && POLICY_TYPES.find(([re]) => re.test(reason))?.[1]) ??
    POLICY_TYPES.find(([re]) => re.test(message))?.[1];
  const refusal: Refusal = { explicitDeny: explicit !== null };
  const named = NAMED_REFUSAL.exec(message);
  if (named?.[1]) refusal.action = named[1];
  if (named?.[2]) refusal.resource = named[2];
  if (policyType) refusal.policyType = policyType;
  return refusal;
}

export function classify(err: unknown, opts: ClassifyOptions = {}): Classified {
  const info = errorInfo(err);
  const e = shape(err);
  const status = info.httpStatus;

  if (e.name === 'CredentialsProviderError') {
    return {
      kind: 'error',
      ours: true,
      info: {
        code: 'ServiceCredentialsUnavailable',
        message: 'This service has no AWS credentials of its own.',
      },
      hint: 'A defect of this deployment, not of the customer setup: the service could not load its own credentials.',
    };
  }

  if (OUR_CLOCK_CODES.has(info.code)) {
    return {
      kind: 'error',
      ours: true,
      info,
      hint: 'This service’s clock is off: AWS refused the signature’s time.',
    };
  }

  if (opts.credentials === 'verifier' && CREDENTIAL_CODES.has(info.code)) {
    return {
      kind: 'error',
      ours: true,
      info,
      hint: 'AWS did not accept the credentials this service signed with (its own, or the session STS had just issued to it): a defect of this service, not of your setup.',
    };
  }

  if (DENIAL_CODES.has(info.code) || (status === 403 && !THROTTLING_CODES.has(info.code))) {
    const refusal = parseRefusal(info.message);
    const policyType = refusal.policyType as PolicyType | undefined;
    if (policyType === 'session policy') {
      // Our own session policy is built to allow every probe; its refusal is our defect.
      return {
        kind: 'error',
        ours: true,
        info,
        hint: 'This service’s session policy refused the call: a defect of the verifier, not of your setup.',
      };
    }
    const denied: Denied = { kind: 'denied', info, explicitDeny: refusal.explicitDeny };
    if (refusal.action) denied.action = refusal.action;
    if (refusal.resource) denied.resource = refusal.resource;
    if (policyType) denied.policyType = policyType;
    const hint = denialHint(info.code, policyType, refusal.explicitDeny);
    if (hint) denied.hint = hint;
    return denied;
  }

  const netCode = typeof e.code === 'string' ? e.code : undefined;
  let hint: string | undefined;
  if (THROTTLING_CODES.has(info.code)) hint = 'AWS throttled the calls; try again shortly.';
  else if (e.name === 'TimeoutError' || e.name === 'AbortError' || info.code === 'RequestTimeout')
    hint = 'AWS did not answer in time.';
  else if (netCode && NETWORK_CODES.has(netCode)) {
    info.code = netCode;
    hint = 'The connection to AWS failed.';
  } else if (status !== undefined && status >= 500) hint = 'AWS answered with a server error after retries.';
  const result: Inconclusive = { kind: 'error', ours: false, info };
  if (hint) result.hint = hint;
  return result;
}

function denialHint(
  code: string,
  policyType: PolicyType | undefined,
  explicitDeny: boolean,
): string | undefined {
  switch (code) {
    case 'InvalidAccessKeyId':
    case 'InvalidClientTokenId':
    case 'UnrecognizedClientException':
      return 'AWS does not know this access key id, or the key is deactivated: check IAM → Users → Security credentials.';
    case 'SignatureDoesNotMatch':
      return 'The secret access key does not belong to this access key id.';
    case 'ExpiredToken':
    case 'ExpiredTokenException':
    case 'InvalidToken':
      return 'The session token is expired or invalid: give long-term keys or a fresh session.';
  }
  if (!policyType) return undefined;
  if (explicitDeny) {
    return `An explicit deny in a ${policyType} refuses this; no Allow can override it: change or remove that deny.`;
  }
  switch (policyType) {
    case 'identity-based policy':
      return 'No identity-based policy (the policies attached to the role or user) allows this action.';
    case 'resource-based policy':
      return 'The resource’s own policy (bucket policy or key policy) does not allow this principal.';
    case 'permissions boundary':
      return 'The permissions boundary attached to the role or user does not allow this action.';
    case 'service control policy':
      return 'A service control policy of the AWS Organization does not allow this action in this account.';
    case 'resource control policy':
      return 'A resource control policy of the AWS Organization does not allow this action.';
    case 'VPC endpoint policy':
      return 'A VPC endpoint policy refuses this call.';
    default:
      return undefined;
  }
}

/** Whether adding an Allow to the role's or user's own policy is the fix. */
export function fixableByIdentityPolicy(denied: Denied): boolean {
  return (
    !denied.explicitDeny && (denied.policyType === undefined || denied.policyType === 'identity-based policy')
  );
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}
