import { pooledHandler } from './http-pool.ts';

/**
 * Every AWS call is bounded: a connect and a socket time-out per attempt, three attempts with
 * the SDK's standard retry mode (backoff with jitter, retries on throttling and 5xx), and the
 * verification's own deadline on top through each call's abort signal. A module of its own,
 * apart from the clients of ./aws.ts, so that the functions' own clients (DynamoDB, SQS, SSM)
 * take these bounds without bundling the clients of a verification.
 */
export const CALL_LIMITS = {
  connectionTimeoutMs: 2_000,
  requestTimeoutMs: 4_000,
  maxAttempts: 3,
  /** A database endpoint that has not answered a SYN in 3 s is filtered, not slow. */
  tcpConnectMs: 3_000,
} as const;

/** An operator's local S3 (the sandbox) answers on an IP address, where bucket host names cannot resolve. */
export const s3PathStyle = () => Boolean(process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL);

/**
 * The bounds every client of this service carries: time-outs per attempt, standard retries,
 * and a lease on the container's keep-alive pool for these bounds (./http-pool.ts), the one
 * place a request handler is made.
 */
export function bounded(limits: Omit<typeof CALL_LIMITS, 'tcpConnectMs'>, maxSockets: number) {
  return {
    maxAttempts: limits.maxAttempts,
    retryMode: 'standard',
    requestHandler: pooledHandler(limits, maxSockets),
  };
}
