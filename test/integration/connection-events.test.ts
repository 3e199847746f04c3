import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalDrift, savedDestination, startDrift } from '../../sandbox/drift.ts';
import { useSandbox } from '../../sandbox/harness.ts';
import { type Sandbox, startSandbox } from '../../sandbox/server.ts';
import { vendor, vendorTrust, type World } from '../../sandbox/world.ts';
import { seedPolicies } from '../../sandbox/worlds/seeds.ts';
import { connectionStore } from '../../src/core/drift/store.ts';
import { externalIdFor, localDevSecret } from '../../src/core/external-id.ts';
import type { HttpEvent, HttpResult } from '../../src/handlers/http.ts';
import { contractChecked } from '../support/contract.ts';
import { lambdaContext } from '../support/events.ts';
import { driftFunctions, endpointsGone } from '../support/functions.ts';

/**
 * The sample events of /connections (events/connections-*.json, the ones a developer passes to
 * `sls invoke local -f connections`) through the real handler, the SDK, dynalite and the
 * sandbox: each answers as the contract says.
 */
const ROLE = 'arn:aws:iam::111122223333:role/VendorAccess';
const world: World = {
  name: 'events/connections-*.json',
  description: 'seed 001 destination of tenant t-123',
  vendor: vendor(),
  roles: [
    {
      arn: ROLE,
      trust: vendorTrust(externalIdFor(localDevSecret(), 't-123')),
      policies: [seedPolicies.seed001('acme-destination')],
    },
  ],
  buckets: [{ name: 'acme-destination', account: '111122223333', region: 'us-east-1' }],
};

let sandbox: Sandbox;
let drift: LocalDrift;
let dynamo: DynamoDBClient;
let handler: (event: HttpEvent, context: ReturnType<typeof lambdaContext>) => Promise<HttpResult>;

beforeAll(async () => {
  sandbox = await startSandbox({ world });
  useSandbox(sandbox, world);
  drift = await startDrift(sandbox);
  dynamo = new DynamoDBClient({ endpoint: drift.dynamo.url, region: 'us-east-1' });
  handler = contractChecked(driftFunctions(drift.env).connections);
});
afterAll(async () => {
  endpointsGone(drift.env);
  dynamo.destroy();
  await drift.close();
  await sandbox.close();
});

const event = (file: string) => JSON.parse(readFileSync(`events/${file}`, 'utf8')) as HttpEvent;
const call = async (file: string) => {
  const res = await handler(event(file), lambdaContext('connections'));
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
};

describe('events/connections-*.json', () => {
  it('create, list, get and delete answer as the contract says', async () => {
    const created = await call('connections-create.json');
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ saved: true, connection: { name: 'acme destination' } });

    // The connection the get and delete events name (and events/drift-messages.json too).
    const { pathParameters } = event('connections-get.json');
    const id = pathParameters?.id ?? '';
    await connectionStore(dynamo, drift.dynamo.table).create(savedDestination('t-123', id, ROLE));

    const listed = await call('connections-list.json');
    expect(listed.status).toBe(200);
    expect(listed.body.connections.map((c: { connectionId: string }) => c.connectionId).sort()).toEqual(
      [created.body.connection.connectionId, id].sort(),
    );

    const got = await call('connections-get.json');
    expect(got).toMatchObject({
      status: 200,
      body: { connectionId: id, request: { credentials: { roleArn: ROLE } } },
    });

    expect((await call('connections-delete.json')).status).toBe(204);
    expect(await call('connections-get.json')).toMatchObject({
      status: 404,
      body: { error: { code: 'NotFound' } },
    });
  });
});
