import { connectionView, createConnection, type DriftDeps } from '../core/drift/connections.ts';
import { infraDeps } from '../core/drift/infra.ts';
import { LIMITS, parseVerifyRequest, WELL_FORMED } from '../core/request.ts';
import { createServices, httpHandler } from './app.ts';
import { ApiError, type HttpContext, type HttpEvent, invalid, json, readJsonBody } from './http.ts';
import { rateLimiterFor } from './rate-limit.ts';
import { tracer } from './tracing.ts';

export const services = { ...createServices(), tracer };
const drift = services.config.drift;
const forSecret = drift ? infraDeps(services, drift) : undefined;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Another tenant's connection and a connection that never existed answer alike. */
const notFound = () => new ApiError(404, 'NotFound', 'No such connection.');

async function driftServices(context: HttpContext): Promise<DriftDeps> {
  if (!forSecret)
    throw new ApiError(501, 'NotConfigured', 'Saved connections are not configured on this stage.');
  // Sealing derives from the first version (local runs; a deployed stage seals with KMS).
  return forSecret((await context.externalIdSecrets.keyring()).oldest);
}

function idOf(event: HttpEvent): string {
  const id = event.pathParameters?.id ?? '';
  if (!UUID.test(id)) throw notFound();
  return id;
}

/** `limit` (1 to 100) and the page token, if any; nothing else is accepted. */
function pageOf(event: HttpEvent, allowAfter: boolean, fallback: number) {
  const q = new URLSearchParams(event.rawQueryString ?? '');
  const details = [...new Set(q.keys())]
    .filter((k) => k !== 'limit' && !(allowAfter && k === 'after'))
    .map((path) => ({ path, message: 'unknown parameter' }));
  const limitText = q.get('limit');
  const limit = limitText === null ? fallback : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    details.push({ path: 'limit', message: 'a whole number from 1 to 100' });
  const after = q.get('after') ?? undefined;
  if (after !== undefined && !UUID.test(after)) details.push({ path: 'after', message: 'not a page token' });
  if (details.length) throw invalid(details);
  return { limit, ...(after ? { after } : {}) };
}

/** The body of POST /connections: a POST /verify body, and an optional name. */
function parseCreate(body: unknown) {
  const isObject = typeof body === 'object' && body !== null && !Array.isArray(body);
  const { name, ...request } = (isObject ? body : {}) as Record<string, unknown>;
  const parsed = parseVerifyRequest(
    isObject ? request : body,
    services.config.profiles,
    services.config.region,
  );
  const errors = parsed.ok ? [] : [...parsed.errors];
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
  if (name !== undefined && (typeof name !== 'string' || !/^[^\u0000-\u001f\u007f]{1,64}$/.test(name))) {
    errors.push({ path: 'name', message: '1 to 64 characters, no control characters' });
  } else if (typeof name === 'string' && !name.isWellFormed()) {
    errors.push({ path: 'name', message: WELL_FORMED });
  }
  // A session token expires within hours: a connection saved with it would drift to failure.
  if (parsed.ok && parsed.value.credentials.type === 'accessKey' && parsed.value.credentials.sessionToken) {
    errors.push({
      path: 'credentials.sessionToken',
      message: 'temporary credentials expire: save a role, or a long-term access key',
    });
  }
  if (!parsed.ok || errors.length) throw invalid(errors);
  return { request: parsed.value, ...(typeof name === 'string' ? { name } : {}) };
}

/**
 * /connections: save what verified, list, read, read the history, delete. Every key starts
 * from the authorizer's tenant, so no input reaches another tenant's connection.
 */
export const handler = httpHandler(
  services,
  async (event, context) => {
    const s = await driftServices(context);
    const tenant = context.tenantId;
    switch (event.routeKey) {
      case 'POST /connections': {
        const { request, name } = parseCreate(readJsonBody(event, LIMITS.bodyBytes));
        const out = await createConnection(s, tenant, context.externalIdSecret, request, name);
        // A connection that did not verify is a result, as for POST /verify: 200, not saved.
        return json(out.saved ? 201 : 200, out);
      }
      case 'GET /connections': {
        const { limit, after } = pageOf(event, true, 50);
        const page = await s.store.list(tenant, limit, after);
        return json(200, {
          connections: page.items.map(connectionView),
          ...(page.next ? { next: page.next } : {}),
        });
      }
      case 'GET /connections/{id}': {
        const c = await s.store.get(tenant, idOf(event));
        if (!c) throw notFound();
        return json(200, connectionView(c));
      }
      case 'GET /connections/{id}/history': {
        const id = idOf(event);
        const { limit } = pageOf(event, false, 20);
        if (!(await s.store.get(tenant, id))) throw notFound();
        return json(200, { connectionId: id, runs: await s.store.history(tenant, id, limit) });
      }
      case 'DELETE /connections/{id}': {
        const id = idOf(event);
        const existed = await s.store.remove(tenant, id);
        // The history goes in the same request (its runs name buckets and keys). After the
        // connection, so no drift run can add to it unseen (a run that finds its connection gone
        // removes its own); and even on a 404, so a DELETE that failed half-way can be repeated.
        await s.store.removeHistory(tenant, id);
        if (!existed) throw notFound();
        return { statusCode: 204, headers: { 'cache-control': 'no-store' } };
      }
      default:
        throw notFound();
    }
  },
  rateLimiterFor(services),
);
