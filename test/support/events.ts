import type { Context } from 'aws-lambda';
import type { HttpEvent } from '../../src/handlers/http.ts';

/** An API Gateway HTTP API (payload 2.0) event as AWS sends it, with a JWT authorizer's claims. */
export function httpEvent(
  over: {
    method?: string;
    path?: string;
    body?: string;
    rawQueryString?: string;
    claims?: Record<string, unknown> | null;
    headers?: Record<string, string>;
    isBase64Encoded?: boolean;
  } = {},
): HttpEvent {
  const method = over.method ?? 'POST';
  const path = over.path ?? '/verify';
  const event: HttpEvent = {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: over.rawQueryString ?? '',
    headers: { 'content-type': 'application/json', ...over.headers },
    requestContext: {
      accountId: '999988887777',
      apiId: 'a1b2c3d4e5',
      domainName: 'a1b2c3d4e5.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'a1b2c3d4e5',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.10', userAgent: 'vitest' },
      requestId: 'JKJaXmPLvHcESHA=',
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: '22/Nov/2026:10:00:00 +0000',
      timeEpoch: 1795341600000,
      ...(over.claims === null
        ? {}
        : { authorizer: { jwt: { claims: over.claims ?? { tenant_id: 't-123' } } } }),
    },
    isBase64Encoded: over.isBase64Encoded ?? false,
  };
  if (over.body !== undefined) event.body = over.body;
  return event;
}

export const lambdaContext = (name = 'verify'): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName: `aws-access-verifier-dev-${name}`,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:999988887777:function:aws-access-verifier-dev-${name}`,
  memoryLimitInMB: '512',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
  logGroupName: `/aws/lambda/aws-access-verifier-dev-${name}`,
  logStreamName: '2026/11/22/[$LATEST]abcdef',
  getRemainingTimeInMillis: () => 29_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});
