import httpRouterHandler, { type Method, type Route } from '@middy/http-router';
import { connectionView, createConnection, type DriftDeps } from '../../core/drift/connections.ts';
import { infraDeps } from '../../core/drift/infra.ts';
import type { ExternalIdSecret } from '../../core/external-id.ts';
import { LIMITS } from '../../core/request-schema.ts';
import type { AppDeps } from '../../core/tenant-use-cases.ts';
import { httpHandler } from '../app.ts';
import {
  type AdmissionContext,
  ApiError,
  type HttpEvent,
  type HttpFn,
  type HttpResult,
  json,
  type LambdaHttpHandler,
  readJsonBody,
  type TenantSecretContext,
} from '../http.ts';
import { externalIdSecret } from '../middleware/external-id-secret.ts';
import { tenantRateLimit } from '../middleware/rate-limit.ts';
import { idOf, notFound, pageOf, parseCreate } from './connections-input.ts';
import { type TenantWorkDeps, tenantWorkDeps } from './tenant-work.ts';

export interface ConnectionsDeps extends TenantWorkDeps {
  /** The drift dependencies sealing with a secret; none where the stage has no connections. */
  forSecret?: (secret: ExternalIdSecret) => DriftDeps;
}

/** The container's own: the table and sealing of the stage's drift configuration. */
export function connectionsDeps(deps: AppDeps): ConnectionsDeps {
  const drift = deps.config.drift;
  return { ...tenantWorkDeps(deps), ...(drift ? { forSecret: infraDeps(deps, drift) } : {}) };
}

type Ctx = TenantSecretContext & AdmissionContext;
type RouteFn = (event: HttpEvent, context: Ctx, s: DriftDeps) => Promise<HttpResult>;

/** One route per method and path, as API Gateway routes them to this function (serverless.ts). */
const ROUTES: { method: Method; path: string; run: RouteFn }[] = [
  {
    method: 'POST',
    path: '/connections',
    run: async (event, context, s) => {
      const { request, name } = parseCreate(readJsonBody(event, LIMITS.bodyBytes), s.config);
      const out = await createConnection(
        s,
        context.tenantId,
        context.externalIdSecret,
        request,
        name,
        context.admission,
      );
      // A connection that did not verify is a result, as for POST /verify: 200, not saved.
      return json(out.saved ? 201 : 200, out);
    },
  },
  {
    method: 'GET',
    path: '/connections',
    run: async (event, context, s) => {
      const { limit, after } = pageOf(event, true, 50);
      const page = await s.store.list(context.tenantId, limit, after);
      return json(200, {
        connections: page.items.map(connectionView),
        ...(page.next ? { next: page.next } : {}),
      });
    },
  },
  {
    method: 'GET',
    path: '/connections/{id}',
    run: async (event, context, s) => {
      const c = await s.store.get(context.tenantId, idOf(event));
      if (!c) throw notFound();
      return json(200, connectionView(c));
    },
  },
  {
    method: 'GET',
    path: '/connections/{id}/history',
    run: async (event, context, s) => {
      const id = idOf(event);
      const { limit } = pageOf(event, false, 20);
      if (!(await s.store.get(context.tenantId, id))) throw notFound();
      return json(200, { connectionId: id, runs: await s.store.history(context.tenantId, id, limit) });
    },
  },
  {
    method: 'DELETE',
    path: '/connections/{id}',
    run: async (event, context, s) => {
      const id = idOf(event);
      const existed = await s.store.remove(context.tenantId, id);
      // The history goes in the same request (its runs name buckets and keys). After the
      // connection, so no drift run can add to it unseen (a run that finds its connection gone
      // removes its own); and even on a 404, so a DELETE that failed half-way can be repeated.
      await s.store.removeHistory(context.tenantId, id);
      if (!existed) throw notFound();
      return { statusCode: 204, headers: { 'cache-control': 'no-store' } };
    },
  },
];

/** A path one of the routes has, under another method: 405 and the methods it has. */
function notRouted({ method, path }: { method: string; path: string }): never {
  const allowed = ROUTES.filter((r) => pathPattern(r.path).test(path)).map((r) => r.method);
  if (allowed.length === 0) throw notFound();
  const err = new ApiError(405, 'MethodNotAllowed', `${method} is not a method of this path.`);
  err.headers = { allow: allowed.join(', ') };
  throw err;
}

const pathPattern = (path: string) => new RegExp(`^${path.replaceAll(/\{[^/]+\}/g, '[^/]+')}/?$`);

/**
 * /connections: save what verified, list, read, read the history, delete. Every key starts
 * from the authorizer's tenant, so no input reaches another tenant's connection. The rate is
 * counted beside AssumeRole for a save, before anything else for the rest.
 */
export function createConnectionsHandler(deps: ConnectionsDeps): LambdaHttpHandler {
  const driftDeps = async (context: Ctx): Promise<DriftDeps> => {
    if (!deps.forSecret)
      throw new ApiError(501, 'NotConfigured', 'Saved connections are not configured on this stage.');
    // Sealing derives from the first version (local runs; a deployed stage seals with KMS).
    return deps.forSecret((await context.externalIdSecrets.keyring()).oldest);
  };
  const routes: Route<HttpEvent, HttpResult>[] = ROUTES.map((r) => ({
    method: r.method,
    path: r.path,
    handler: (async (event: HttpEvent, context: Ctx) =>
      r.run(event, context, await driftDeps(context))) as unknown as Route<HttpEvent, HttpResult>['handler'],
  }));
  const router = httpRouterHandler<HttpEvent, HttpResult>({ routes, notFoundResponse: notRouted });
  return httpHandler<Ctx>(
    deps,
    router as unknown as HttpFn<Ctx>,
    tenantRateLimit(deps.limiter, { beside: (e) => e.requestContext.http.method === 'POST' }),
    externalIdSecret(deps.secrets),
  );
}
