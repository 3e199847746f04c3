import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context } from 'aws-lambda';
import type { ApiHandler } from '../../scripts/web-server.ts';
import type { HttpEvent, HttpResult } from '../../src/handlers/http.ts';
import { httpEvent, lambdaContext } from './events.ts';

type Handler = (event: HttpEvent, context: Context) => Promise<HttpResult>;

/**
 * The HTTP API in-process, as serverless-offline serves it locally: the route's real handler
 * gets a payload 2.0 event whose authorizer claims are the bearer token's (decoded, not
 * verified, as serverless-offline's `ignoreJWTSignature` does). A missing or unreadable token
 * gets API Gateway's own 401. Saves the browser test serverless-offline's 15–60 s of bundling.
 */
export function inProcessApi(routes: Record<string, Handler>): ApiHandler {
  return (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const method = req.method ?? 'GET';
      const handler = routes[`${method} ${url.pathname}`];
      if (!handler) {
        res.writeHead(404, { 'content-type': 'application/json' });
        return res.end('{"message":"Not Found"}');
      }
      const claims = claimsOf(req.headers.authorization);
      if (!claims) {
        res.writeHead(401, { 'content-type': 'application/json' });
        return res.end('{"message":"Unauthorized"}');
      }
      const body = Buffer.concat(chunks).toString('utf8');
      const event = httpEvent({
        method,
        path: url.pathname,
        rawQueryString: url.search.slice(1),
        claims,
        headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
        ...(body ? { body } : {}),
      });
      try {
        const out = await handler(event, lambdaContext(url.pathname.slice(1) || 'root'));
        const headers = Object.fromEntries(Object.entries(out.headers ?? {}).map(([k, v]) => [k, String(v)]));
        res.writeHead(out.statusCode ?? 200, { 'content-type': 'application/json', ...headers });
        res.end(out.body ?? '');
      } catch (err) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: (err as Error).message }));
      }
    });
  };
}

function claimsOf(authorization: string | undefined): Record<string, unknown> | undefined {
  const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
  const payload = token?.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return claims && typeof claims === 'object' ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A local, unsigned JWT carrying the tenant claim, as `npm start` makes for the demo tenant. */
export function localToken(tenantId: string): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return [
    b64({ alg: 'RS256', typ: 'JWT' }),
    b64({ sub: 'test-user', tenant_id: tenantId, exp: Math.floor(Date.now() / 1000) + 3600 }),
    'unsigned-local-test',
  ].join('.');
}
