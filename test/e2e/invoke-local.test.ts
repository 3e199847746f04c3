import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { LOCAL_QUEUE, savedDestination, startDrift } from '../../sandbox/drift.ts';
import { startSandbox } from '../../sandbox/server.ts';
import { vendor, vendorTrust } from '../../sandbox/world.ts';
import { seedPolicies } from '../../sandbox/worlds/seeds.ts';
import { connectionStore } from '../../src/core/drift/store.ts';
import { externalIdFor, localDevSecret } from '../../src/core/external-id.ts';
import { assertContract } from '../support/contract.ts';

/**
 * The functions as `sls invoke local` runs them: serverless.ts, the esbuild bundle and the
 * handlers together, on the event files in events/ (the same ones a developer uses).
 */
function invoke(fn: string, event: string) {
  const run = spawnSync(process.execPath, ['scripts/invoke-local.mjs', fn, event, '--timeout', '120000'], {
    encoding: 'utf8',
    timeout: 150_000,
    env: { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '' },
  });
  const start = run.stdout.lastIndexOf('{\n    "statusCode"');
  expect(run.status, run.stderr).toBe(0);
  expect(start, run.stdout).toBeGreaterThanOrEqual(0);
  const response = JSON.parse(run.stdout.slice(start));
  assertContract(routeKeyOf(event), response);
  return {
    statusCode: response.statusCode as number,
    body: JSON.parse(response.body),
    logs: run.stdout.slice(0, start),
  };
}

describe('sls invoke local', () => {
  it('runs setup on events/setup.json: the tenant’s external ID and its staging policy', () => {
    const res = invoke('setup', 'events/setup.json');

    expect(res.statusCode).toBe(200);
    expect(res.body).toMatchObject({ tenantId: 't-123', profile: 'staging' });
    // The same development secret whoever runs the handler: stable across invoke-local runs.
    expect(res.body.externalId).toBe(externalIdFor(localDevSecret(), 't-123'));
    expect(res.body.permissionPolicy.Statement).toContainEqual({
      Effect: 'Allow',
      Action: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'],
      Resource: 'arn:aws:s3:::acme-exports/vendor/*',
    });
  }, 150_000);

  it('serves events/openapi.json without a token: a valid OpenAPI 3.1 document from the bundle', async () => {
    const res = invoke('openapi', 'events/openapi.json');

    expect(res.statusCode).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    await expect(SwaggerParser.validate(res.body)).resolves.toBeDefined();
  }, 150_000);

  it('runs verify on events/verify-bad-request.json: every bad field named, 400 not 422', () => {
    const res = invoke('verify', 'events/verify-bad-request.json');

    expect(res.statusCode).toBe(400);
    expect(res.body.error.details).toEqual(
      expect.arrayContaining([
        { path: 'tenantId', message: 'unknown field' },
        { path: 's3[0].bucket', message: 'not a valid bucket name' },
        { path: 's3[0].bucketName', message: 'unknown field' },
      ]),
    );
    expect(res.body.error.details).toHaveLength(3);
  }, 150_000);

  it('runs verify on events/verify-role.json without AWS credentials: inconclusive, never blamed on the customer', () => {
    const res = invoke('verify', 'events/verify-role.json');

    expect(res.statusCode).toBe(200);
    expect(res.body.status).toBe('error');
    expect(res.body.checks[0]).toMatchObject({ id: 'sts.assume-role', status: 'error' });
    expect(res.body.checks.some((c: { status: string }) => c.status === 'fail')).toBe(false);
  }, 150_000);
});

/** The route an HTTP event file is for: its response is checked against the contract. */
const routeKeyOf = (event: string): string =>
  (JSON.parse(readFileSync(event, 'utf8')) as { routeKey: string }).routeKey;

/** The same, asynchronously, so the sandbox in this process keeps answering while sls runs. */
function invokeAgainst(fn: string, event: string, env: Record<string, string>) {
  return invokeRaw(fn, event, env).then((response) => {
    assertContract(routeKeyOf(event), response);
    return {
      statusCode: response.statusCode as number,
      body: JSON.parse(response.body as string) as Record<string, unknown>,
    };
  });
}

/** What the function returned: the last pretty-printed JSON document sls prints. */
function invokeRaw(fn: string, event: string, env: Record<string, string>) {
  return new Promise<Record<string, unknown>>((resolve, reject) => {
    const child = spawn(process.execPath, ['scripts/invoke-local.mjs', fn, event, '--timeout', '120000'], {
      env: { ...process.env, ...env },
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.on('exit', (code) => {
      const start = out.lastIndexOf('\n{\n');
      if (code !== 0 || start < 0) return reject(new Error(`invoke failed (${code}): ${out.slice(-2000)}`));
      resolve(JSON.parse(out.slice(start)));
    });
  });
}

describe('sls invoke local against the sandbox', () => {
  it('verifies events/verify-role.json end to end: bundle, handler, real SDK, local AWS', async () => {
    // The event's tenant t-123 set up its role as seed 003 says, with the external ID this service issues.
    const world = {
      name: 'events/verify-role.json',
      description: 'seed 003 on acme-exports',
      vendor: vendor(),
      roles: [
        {
          arn: 'arn:aws:iam::111122223333:role/VendorAccess',
          trust: vendorTrust(externalIdFor(localDevSecret(), 't-123')),
          policies: [seedPolicies.seed003('acme-exports')],
        },
      ],
      buckets: [{ name: 'acme-exports', account: '111122223333', region: 'us-east-1' }],
    };
    const sandbox = await startSandbox({ world });
    try {
      const v = world.vendor;
      const res = await invokeAgainst('verify', 'events/verify-role.json', {
        AWS_ENDPOINT_URL_STS: sandbox.url,
        AWS_ENDPOINT_URL_S3: sandbox.url,
        AWS_ENDPOINT_URL_KMS: sandbox.url,
        AWS_ENDPOINT_URL_REDSHIFT: sandbox.url,
        AWS_ENDPOINT_URL_REDSHIFT_SERVERLESS: sandbox.url,
        AWS_ENDPOINT_URL_IAM: sandbox.url,
        AWS_ACCESS_KEY_ID: v.accessKeyId,
        AWS_SECRET_ACCESS_KEY: v.secretAccessKey,
        AWS_SESSION_TOKEN: v.sessionToken,
      });

      expect(res.statusCode).toBe(200);
      const checks = res.body.checks as { id: string; status: string; error?: unknown }[];
      expect(checks.map((c) => `${c.id}:${c.status}`)).toEqual([
        'sts.assume-role:pass',
        'sts.external-id-required:pass',
        // The role may not simulate itself: an optional check, asked of the sandbox's IAM.
        'iam.simulate:skip',
        's3.bucket-region:pass',
        's3.bucket-location:pass',
        's3.list:pass',
        's3.encryption:skip',
        's3.write:pass',
        's3.read:pass',
        's3.delete:pass',
      ]);
      expect(res.body.status).toBe('pass');
      expect(sandbox.snapshotObjects()).toEqual({});
      expect(sandbox.requests.filter((r) => r.operation === 'PutObject')).toHaveLength(1);
      expect(sandbox.requests.filter((r) => r.service === 'iam').map((r) => r.code)).toEqual([
        'AccessDenied',
      ]);
    } finally {
      await sandbox.close();
    }
  }, 150_000);
});

describe('sls invoke local: the drift functions', () => {
  it('dispatches on events/drift-schedule.json and works events/drift-messages.json: one run kept, the poison failed alone', async () => {
    const world = {
      name: 'events/drift-*.json',
      description: 'seed 001 destination of tenant t-123, saved as a connection',
      vendor: vendor(),
      roles: [
        {
          arn: 'arn:aws:iam::111122223333:role/VendorAccess',
          trust: vendorTrust(externalIdFor(localDevSecret(), 't-123')),
          policies: [seedPolicies.seed001('acme-destination')],
        },
      ],
      buckets: [{ name: 'acme-destination', account: '111122223333', region: 'us-east-1' }],
    };
    const sandbox = await startSandbox({ world });
    const v = world.vendor;
    const credentials = {
      AWS_ACCESS_KEY_ID: v.accessKeyId,
      AWS_SECRET_ACCESS_KEY: v.secretAccessKey,
      AWS_SESSION_TOKEN: v.sessionToken,
    };
    Object.assign(process.env, credentials);
    const drift = await startDrift(sandbox);
    const dynamo = new DynamoDBClient({ endpoint: drift.dynamo.url, region: 'us-east-1' });
    try {
      // The connection events/drift-messages.json names, as POST /connections saves it.
      const store = connectionStore(dynamo, drift.dynamo.table);
      const connectionId = '6a1f0c52-3b7e-4d2a-9c41-5f8e2d7b9a10';
      await store.create(
        savedDestination('t-123', connectionId, 'arn:aws:iam::111122223333:role/VendorAccess'),
      );
      const env = {
        ...credentials,
        ...drift.env,
        AWS_ENDPOINT_URL_STS: sandbox.url,
        AWS_ENDPOINT_URL_S3: sandbox.url,
        AWS_ENDPOINT_URL_KMS: sandbox.url,
        AWS_ENDPOINT_URL_IAM: sandbox.url,
      };

      const dispatched = await invokeRaw('driftDispatch', 'events/drift-schedule.json', env);
      expect(dispatched).toMatchObject({ period: '2026-12-01', dispatched: 1, failed: 0 });
      expect(sandbox.queues.get(LOCAL_QUEUE)?.messages.map((m) => JSON.parse(m.body))).toEqual([
        { tenantId: 't-123', connectionId, period: '2026-12-01' },
      ]);

      const worked = await invokeRaw('driftWorker', 'events/drift-messages.json', env);
      expect(worked).toEqual({
        batchItemFailures: [{ itemIdentifier: '2e1424d4-f796-459a-8184-9c92662be6da' }],
      });
      const runs = await store.history('t-123', connectionId, 10);
      expect(runs.map((r) => `${r.period} ${r.kind} ${r.status}`)).toEqual(['2026-12-01 drift pass']);
    } finally {
      dynamo.destroy();
      await drift.close();
      await sandbox.close();
    }
  }, 200_000);
});
