import { type AppDeps, catalogueView } from '../../core/tenant-use-cases.ts';
import { httpHandler } from '../app.ts';
import { json, type LambdaHttpHandler } from '../http.ts';

/**
 * GET /checks: the catalogue, its IAM actions and which profiles require each check. The
 * tenant is still required (the route is behind the authorizer), but no external ID and no
 * rate: it calls nothing.
 */
export function createChecksHandler(deps: AppDeps): LambdaHttpHandler {
  const listing = catalogueView(deps.config.profiles);
  return httpHandler(deps, async () => json(200, listing));
}
