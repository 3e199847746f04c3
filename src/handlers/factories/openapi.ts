import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { openApiDocument } from '../../core/openapi.ts';
import type { HttpEvent, HttpResult, LambdaHttpHandler } from '../http.ts';
import { httpErrors } from '../middleware/http-errors.ts';

/**
 * GET /openapi.json, without auth: the contract is public, so a vendor's engineers can
 * generate a client before they hold a token. Nothing in it is a tenant's: no tenant, no
 * external ID, no rate.
 */
export function createOpenApiHandler(deps: { logger: Logger }): LambdaHttpHandler {
  return middy<HttpEvent, HttpResult, Error, Context>()
    .use(httpErrors(deps.logger))
    .use(injectLambdaContext(deps.logger, { resetKeys: true, logEvent: false }))
    .handler(async () => ({
      statusCode: 200,
      headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' },
      body: JSON.stringify(openApiDocument()),
    })) as unknown as LambdaHttpHandler;
}
