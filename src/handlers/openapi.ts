import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { createLogger } from '../core/logger.ts';
import { openApiDocument } from '../core/openapi.ts';
import { type HttpContext, type HttpEvent, type HttpResult, httpErrors } from './http.ts';

const logger = createLogger();

/**
 * GET /openapi.json, without auth: the contract is public, so a vendor's engineers can
 * generate a client before they hold a token. Nothing in it is a tenant's.
 */
export const handler = middy<HttpEvent, HttpResult, Error, HttpContext>()
  .use(httpErrors(logger))
  .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
  .handler(async () => ({
    statusCode: 200,
    headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' },
    body: JSON.stringify(openApiDocument()),
  })) as unknown as (event: HttpEvent, context: Context) => Promise<HttpResult>;
