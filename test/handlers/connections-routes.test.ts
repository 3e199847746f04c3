import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { CHECK_IDS } from '../../src/checks/index.ts';
import { loadConfig } from '../../src/core/config.ts';
import { localDevSecret } from '../../src/core/external-id.ts';
import { externalIdSecrets } from '../../src/core/external-id-versions.ts';
import { createConnectionsHandler } from '../../src/handlers/factories/connections.ts';
import { httpEvent, lambdaContext } from '../support/events.ts';

/**
 * /connections routed by @middy/http-router, one route per method and path: what has no route
 * answers in the contract's error shape, 404 for a path it does not have, 405 (and `Allow`) for
 * a method a path does not take. No table is configured, so a routed request answers 501.
 */
const secret = localDevSecret();
const handler = createConnectionsHandler({
  config: loadConfig({ AWS_REGION: 'us-east-1' }, CHECK_IDS),
  logger: new Logger({ logLevel: 'SILENT' }),
  secrets: externalIdSecrets(async () => [`${secret.version}:${secret.key}`], undefined),
});
const ID = '6a1f0c52-3b7e-4d2a-9c41-5f8e2d7b9a10';

async function call(method: string, path: string) {
  const event = httpEvent({ method, path, ...(method === 'POST' ? { body: '{}' } : {}) });
  const res = await handler(event, lambdaContext('connections'));
  return { status: res.statusCode, headers: res.headers, body: JSON.parse(res.body ?? 'null') };
}

describe('/connections routes', () => {
  it.each([
    ['POST', '/connections'],
    ['GET', '/connections'],
    ['GET', `/connections/${ID}`],
    ['GET', `/connections/${ID}/history`],
    ['DELETE', `/connections/${ID}`],
  ])('routes %s %s to its handler', async (method, path) => {
    expect((await call(method, path)).body.error.code).toBe('NotConfigured');
  });

  it('answers a path it does not have with 404 in the contract’s shape', async () => {
    for (const path of ['/connections/x/y/z', '/elsewhere', `/connections/${ID}/runs`]) {
      expect(await call('GET', path)).toMatchObject({
        status: 404,
        body: { error: { code: 'NotFound', message: 'No such connection.' }, requestId: 'JKJaXmPLvHcESHA=' },
      });
    }
  });

  it('answers a method a path does not take with 405, naming the ones it does', async () => {
    expect(await call('PUT', '/connections')).toMatchObject({
      status: 405,
      headers: { allow: 'POST, GET' },
      body: { error: { code: 'MethodNotAllowed' }, requestId: 'JKJaXmPLvHcESHA=' },
    });
    expect((await call('POST', `/connections/${ID}`)).headers).toMatchObject({ allow: 'GET, DELETE' });
    expect((await call('DELETE', `/connections/${ID}/history`)).headers).toMatchObject({ allow: 'GET' });
  });
});
