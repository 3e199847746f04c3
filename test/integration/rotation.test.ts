import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetParameterHistoryCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalDynamo, startDynamo } from '../../sandbox/dynamo.ts';
import { useSandbox } from '../../sandbox/harness.ts';
import { type Sandbox, startSandbox } from '../../sandbox/server.ts';
import { VENDOR_ROLE, vendor, vendorTrust, type World } from '../../sandbox/world.ts';
import { seedPolicies } from '../../sandbox/worlds/seeds.ts';
import { CHECK_IDS } from '../../src/checks/index.ts';
import { loadConfig, type ServiceConfig } from '../../src/core/config.ts';
import { type ChangeEvent, createConnection, type DriftDeps } from '../../src/core/drift/connections.ts';
import { localSealer } from '../../src/core/drift/seal.ts';
import { connectionStore } from '../../src/core/drift/store.ts';
import { workBatch } from '../../src/core/drift/worker.ts';
import { externalIdFor, parseSecret } from '../../src/core/external-id.ts';
import { ssmSecretHistory } from '../../src/core/external-id-versions.ts';
import { verifyForTenant } from '../../src/core/tenant-use-cases.ts';
import { createDeps } from '../../src/handlers/deps.ts';
import { createSetupHandler } from '../../src/handlers/factories/setup.ts';
import type { HttpEvent } from '../../src/handlers/http.ts';
import { secretsFor } from '../../src/handlers/middleware/external-id-secret.ts';
import { httpEvent, lambdaContext } from '../support/events.ts';

/**
 * Rotating the external-ID secret breaks no tenant: the secret's versions are the SSM
 * parameter's history (the sandbox's Parameter Store, through the real SDK), each tenant's
 * version is recorded in the table (dynalite), and the GET /setup handler runs as deployed.
 */
const ACCOUNT = '111122223333';
const PARAMETER = '/aws-access-verifier/test/external-id-secret';
const V1 = 'v1:rotation-first-secret-0123456789abcdef0123';
const V2 = 'v2:rotation-second-secret-0123456789abcdef012';
const OLD = 't-before-rotation';
const NEW = 't-after-rotation';
const roleOf = (tenant: string) => `arn:aws:iam::${ACCOUNT}:role/Destination-${tenant}`;

/** Each tenant's role trusts the external ID the tenant was given, and nothing else. */
const world = (ids: Record<string, string>): World => ({
  name: 'rotation',
  description: 'one destination role per tenant, trusting that tenant’s external ID',
  vendor: vendor(),
  roles: Object.entries(ids).map(([tenant, id]) => ({
    arn: roleOf(tenant),
    trust: vendorTrust(id),
    policies: [seedPolicies.seed001('acme-destination')],
  })),
  buckets: [
    {
      name: 'acme-destination',
      account: ACCOUNT,
      region: 'us-east-1',
      objects: { '.aws-access-verifier-marker-vendor': 'marker' },
    },
  ],
});

let sandbox: Sandbox;
let dynamo: LocalDynamo;
let ssm: SSMClient;
let config: ServiceConfig;
const logger = new Logger({ logLevel: 'SILENT' });
const put = (Value: string, Overwrite = true) =>
  ssm.send(new PutParameterCommand({ Name: PARAMETER, Value, Type: 'SecureString', Overwrite }));

beforeAll(async () => {
  sandbox = await startSandbox({ world: world({}) });
  dynamo = await startDynamo();
  useSandbox(sandbox, world({}));
  process.env.AWS_ENDPOINT_URL_SSM = sandbox.url;
  process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.url;
  ssm = new SSMClient({ region: 'us-east-1' });
  await put(V1, false);
  config = {
    ...loadConfig({ AWS_REGION: 'us-east-1', VENDOR_NAME: 'acme' }, CHECK_IDS),
    externalIdSecretParameter: PARAMETER,
    drift: { table: dynamo.table, eventBus: 'default', period: 'day', historyDays: 90 },
  };
});
afterAll(async () => {
  ssm.destroy();
  delete process.env.AWS_ENDPOINT_URL_SSM;
  delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
  await sandbox.close();
  await dynamo.close();
});

describe('external ID secret rotation', () => {
  it('reads every version of the parameter, oldest first, decrypted, page by page', async () => {
    const name = '/aws-access-verifier/test/paged';
    for (let i = 1; i <= 60; i++)
      await ssm.send(
        new PutParameterCommand({
          Name: name,
          Value: `v${i}:${'k'.repeat(32)}${i}`,
          Type: 'SecureString',
          Overwrite: i > 1,
        }),
      );
    const values = await ssmSecretHistory(ssm, name);
    expect(values).toHaveLength(60);
    expect(values[0]).toBe(`v1:${'k'.repeat(32)}1`);
    expect(values.at(-1)).toBe(`v60:${'k'.repeat(32)}60`);
  });

  it('is served by a sandbox Parameter Store that answers as SSM does', async () => {
    await expect(put(V1, false)).rejects.toMatchObject({ name: 'ParameterAlreadyExists' });
    await expect(ssmSecretHistory(ssm, '/no/such/parameter')).rejects.toMatchObject({
      name: 'ParameterNotFound',
    });
    const sealed = await ssm.send(new GetParameterHistoryCommand({ Name: PARAMETER }));
    // Without decryption a SecureString's value is its ciphertext.
    expect(sealed.Parameters?.[0]).toMatchObject({ Name: PARAMETER, Type: 'SecureString', Version: 1 });
    expect(sealed.Parameters?.[0]?.Value).not.toContain('rotation-first-secret');
  });

  it('keeps old tenants on their version, issues the new one to new tenants, and drift sees no change', async () => {
    // Prepare: a tenant onboarded under v1, its connection saved.
    const before = secretsFor(config);
    const oldSecret = await before.forTenant(OLD);
    expect(oldSecret.version).toBe('v1');
    const oldId = externalIdFor(oldSecret, OLD);
    sandbox.setWorld(world({ [OLD]: oldId }));
    const client = new DynamoDBClient({ region: 'us-east-1' });
    const store = connectionStore(client, dynamo.table);
    const published: ChangeEvent[] = [];
    const services = { config, logger };
    const drift: DriftDeps = {
      ...services,
      store,
      sealer: localSealer((await before.keyring()).oldest),
      historyDays: 90,
      publish: async (e) => {
        published.push(e);
      },
    };
    const request = (tenant: string) => ({
      credentials: { type: 'role' as const, roleArn: roleOf(tenant) },
      region: 'us-east-1' as const,
      profile: 'destination',
      s3: [{ bucket: 'acme-destination' }],
    });
    const saved = await createConnection(drift, OLD, oldSecret, request(OLD));
    if (!saved.saved) throw new Error(`onboarding did not verify: ${saved.report.status}`);
    const { connectionId } = saved.connection;

    // Act: rotate; a container started after it, and the one that ran before.
    await put(V2);
    const after = secretsFor(config);
    const newSecret = await after.forTenant(NEW);

    // Assess: the new tenant gets v2; the old one keeps v1 in both containers.
    expect(newSecret).toEqual(parseSecret(V2));
    expect(externalIdFor(newSecret, NEW)).toMatch(/^v2-/);
    expect(await after.forTenant(OLD)).toEqual(parseSecret(V1));
    expect(await before.forTenant(OLD)).toEqual(parseSecret(V1));
    // The container that cached v1 alone learns v2 when a tenant holds it.
    expect(await before.forTenant(NEW)).toEqual(parseSecret(V2));

    sandbox.setWorld(world({ [OLD]: oldId, [NEW]: externalIdFor(newSecret, NEW) }));
    const oldReport = await verifyForTenant(services, OLD, await after.forTenant(OLD), request(OLD));
    const newReport = await verifyForTenant(services, NEW, await after.forTenant(NEW), request(NEW));
    expect(oldReport.status).toBe('pass');
    expect(newReport.status).toBe('pass');

    // Drift, after the rotation: the old tenant's connection passes, and no event says otherwise.
    const body = JSON.stringify({ tenantId: OLD, connectionId, period: '2026-12-02' });
    expect(await workBatch(drift, (t) => after.forTenant(t), [{ messageId: 'm1', body }], logger)).toEqual(
      [],
    );
    expect(published).toEqual([]);
    expect(await store.get(OLD, connectionId)).toMatchObject({
      lastStatus: 'pass',
      lastPeriod: '2026-12-02',
    });
    client.destroy();
  });

  it('moves a tenant that re-runs setup with renewExternalId=true, and the answer says the trust must change', async () => {
    // The configuration a deployed container reads: the parameter, the table, a Lambda's name.
    const deployed = createDeps(CHECK_IDS, {
      ...process.env,
      AWS_LAMBDA_FUNCTION_NAME: 'aws-access-verifier-test-setup',
      EXTERNAL_ID_SECRET_PARAMETER: PARAMETER,
      CONNECTIONS_TABLE: dynamo.table,
      CONNECTIONS_KMS_KEY_ID: 'alias/aws-access-verifier-test-connections',
      VENDOR_PRINCIPAL_ARN: VENDOR_ROLE,
    });
    const handler = createSetupHandler({ ...deployed, secrets: secretsFor(deployed.config) });
    const setup = async (tenant: string, query = '') => {
      const event: HttpEvent = httpEvent({
        method: 'GET',
        path: '/setup',
        rawQueryString: query,
        claims: { tenant_id: tenant },
      });
      const res = await handler(event, lambdaContext('setup'));
      return { status: res.statusCode, body: JSON.parse(res.body ?? 'null') };
    };
    const oldId = externalIdFor(parseSecret(V1), OLD);
    const newId = externalIdFor(parseSecret(V2), OLD);

    const plain = await setup(OLD, 'bucket=acme-destination');
    expect(plain.body.externalId).toBe(oldId);
    expect(plain.body.trustUpdate).toBeUndefined();

    const renewed = await setup(OLD, 'bucket=acme-destination&renewExternalId=true');
    expect(renewed.status).toBe(200);
    expect(renewed.body.externalId).toBe(newId);
    expect(renewed.body.trustPolicy.Statement[0].Condition).toEqual({
      StringEquals: { 'sts:ExternalId': newId },
    });
    expect(renewed.body.trustUpdate).toEqual({
      previousExternalId: oldId,
      externalId: newId,
      message: expect.stringContaining(`must name ${newId} instead of ${oldId}`),
    });
    // From now on the tenant holds v2; asking again changes nothing more.
    expect((await setup(OLD)).body.externalId).toBe(newId);
    const again = await setup(OLD, 'renewExternalId=true');
    expect(again.body.externalId).toBe(newId);
    expect(again.body.trustUpdate).toBeUndefined();
    // Only `true` is a request to renew.
    expect((await setup(OLD, 'renewExternalId=yes')).body.error.details).toEqual([
      { path: 'renewExternalId', message: 'only true' },
    ]);
  });
});
