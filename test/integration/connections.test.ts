import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type LocalDynamo, startDynamo } from '../../sandbox/dynamo.ts';
import { useSandbox } from '../../sandbox/harness.ts';
import { type Sandbox, startSandbox } from '../../sandbox/server.ts';
import { vendor, vendorTrust, type World } from '../../sandbox/world.ts';
import { seedPolicies } from '../../sandbox/worlds/seeds.ts';
import { CHECK_IDS } from '../../src/checks/index.ts';
import type { ChangeEvent, DriftDeps } from '../../src/core/drift/connections.ts';
import { runDrift } from '../../src/core/drift/connections.ts';
import { driftInfra } from '../../src/core/drift/infra.ts';
import { STALE_CLAIM_MS } from '../../src/core/drift/timing.ts';
import { externalIdFor, localDevSecret } from '../../src/core/external-id.ts';
import type { AppDeps } from '../../src/core/tenant-use-cases.ts';
import { createDeps } from '../../src/handlers/deps.ts';
import { connectionsDeps, createConnectionsHandler } from '../../src/handlers/factories/connections.ts';
import type { HttpEvent } from '../../src/handlers/http.ts';
import { contractChecked } from '../support/contract.ts';
import { httpEvent, lambdaContext } from '../support/events.ts';

/**
 * Saved connections through the real handler, the real SDK, a local DynamoDB (dynalite) and
 * the sandbox: what is saved, what a tenant can see of another's (nothing), what drift does.
 */
const ACCOUNT = '111122223333';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/VendorAccess`;
const USER_KEY = 'AKIAIOSFODNN7EXAMPLE';
const USER_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const A = 't-alpha';
const B = 't-bravo';
const secret = localDevSecret();

const world = (writePolicy = true): World => ({
  name: 'connections',
  description: 'seed 001 destination by role; seed 004 input by key pair',
  vendor: vendor(),
  roles: [
    {
      arn: ROLE,
      trust: vendorTrust(externalIdFor(secret, A)),
      policies: writePolicy ? [seedPolicies.seed001('acme-destination')] : [],
    },
  ],
  users: [
    {
      arn: `arn:aws:iam::${ACCOUNT}:user/ingest`,
      accessKeyId: USER_KEY,
      secretAccessKey: USER_SECRET,
      policies: [seedPolicies.seed004('acme-input', 'acme-output', ACCOUNT)],
    },
  ],
  buckets: [
    { name: 'acme-destination', account: ACCOUNT, region: 'us-east-1' },
    { name: 'acme-input', account: ACCOUNT, region: 'us-east-1', objects: { 'data/part-0.csv': 'id\n1\n' } },
  ],
});

let sandbox: Sandbox;
let dynamo: LocalDynamo;
let output = '';
let deps: AppDeps;
let handler: (
  e: HttpEvent,
  c: ReturnType<typeof lambdaContext>,
) => Promise<{ statusCode: number; body?: string }>;

beforeAll(async () => {
  sandbox = await startSandbox({ world: world() });
  dynamo = await startDynamo();
  useSandbox(sandbox, world());
  process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.url;
  // Every log line, at the most talkative level, is kept to be scanned for secrets.
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  deps = createDeps(CHECK_IDS, { ...process.env, CONNECTIONS_TABLE: dynamo.table });
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
      return true;
    });
  }
  handler = contractChecked(createConnectionsHandler(connectionsDeps(deps))) as typeof handler;
});
afterAll(async () => {
  vi.restoreAllMocks();
  delete process.env.POWERTOOLS_LOG_LEVEL;
  delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
  await sandbox.close();
  await dynamo.close();
});

async function call(tenant: string, method: string, path: string, body?: unknown, query = '') {
  const event = httpEvent({
    method,
    path: path.replace(/\/[0-9a-f-]{36}/, '/{id}'),
    claims: { tenant_id: tenant },
    rawQueryString: query,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const id = /\/([0-9a-f-]{36})/.exec(path)?.[1];
  if (id) event.pathParameters = { id };
  event.rawPath = path;
  event.requestContext.http.path = path;
  const res = await handler(event, lambdaContext('connections'));
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined, raw: res.body ?? '' };
}

const destination = {
  credentials: { type: 'role', roleArn: ROLE },
  region: 'us-east-1',
  profile: 'destination',
  s3: [{ bucket: 'acme-destination' }],
};

async function rawTable(): Promise<string> {
  const client = new DynamoDBClient({ endpoint: dynamo.url, region: 'us-east-1' });
  const out = await client.send(new ScanCommand({ TableName: dynamo.table }));
  client.destroy();
  return JSON.stringify(out.Items);
}

describe('saved connections', () => {
  let roleId = '';

  it('saves what verified, leaving only the drift marker in the destination bucket', async () => {
    const res = await call(A, 'POST', '/connections', { ...destination, name: 'warehouse exports' });

    expect(res.status).toBe(201);
    expect(res.body.report.status).toBe('pass');
    roleId = res.body.connection.connectionId;
    // The request as saved, and what the last run said: no bookkeeping of the worker's.
    expect(res.body.connection).toEqual({
      connectionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'warehouse exports',
      createdAt: res.body.report.startedAt,
      request: destination,
      lastStatus: 'pass',
      lastRunAt: res.body.report.startedAt,
      lastChecks: expect.objectContaining({ 's3.write s3://acme-destination/': 'pass' }),
    });
    expect(Object.keys(sandbox.snapshotObjects())).toEqual([
      'acme-destination/.aws-access-verifier-marker-vendor#0',
      'acme-input/data/part-0.csv#0',
    ]);
  });

  it('does not save what did not verify: 200 with the report, as POST /verify', async () => {
    const res = await call(A, 'POST', '/connections', {
      ...destination,
      credentials: { type: 'role', roleArn: `arn:aws:iam::${ACCOUNT}:role/Nope` },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ saved: false, report: { status: 'fail' } });
    expect((await call(A, 'GET', '/connections')).body.connections).toHaveLength(1);
  });

  it('keeps a key pair sealed: never in the table in clear, never in an answer; deleting it deletes the secret', async () => {
    const res = await call(A, 'POST', '/connections', {
      credentials: { type: 'accessKey', accessKeyId: USER_KEY, secretAccessKey: USER_SECRET },
      region: 'us-east-1',
      profile: 'source',
      s3: [{ bucket: 'acme-input' }],
    });
    expect(res.status).toBe(201);
    const id = res.body.connection.connectionId as string;
    expect(res.raw).not.toContain(USER_SECRET);
    expect(res.body.connection.request.credentials).toEqual({ type: 'accessKey', accessKeyId: 'AKIA…MPLE' });
    const table = await rawTable();
    expect(table).toContain('"sealed"');
    expect(table).not.toContain(USER_SECRET);
    // Drift opens the sealed secret for its run only: the key pair verifies again.
    const infra = driftInfra(
      { table: dynamo.table, eventBus: 'default', period: 'day', historyDays: 90 },
      'us-east-1',
    );
    const drifted = await runDrift(
      { ...deps, store: infra.store, sealer: infra.sealer(secret), historyDays: 90 },
      secret,
      { tenantId: A, connectionId: id, period: '2026-12-01' },
    );
    expect(drifted).toBe('verified');
    expect((await infra.store.history(A, id, 5)).map((r) => `${r.period} ${r.status}`)).toEqual([
      '2026-12-01 pass',
      'onboarding pass',
    ]);
    infra.close();
    const read = await call(A, 'GET', `/connections/${id}`);
    expect(read.raw).not.toContain(USER_SECRET);
    expect(read.raw).not.toContain('sealed');

    expect((await call(A, 'DELETE', `/connections/${id}`)).status).toBe(204);
    expect(await rawTable()).not.toContain('"sealed"');
    expect((await call(A, 'GET', `/connections/${id}`)).status).toBe(404);
  });

  it('deletes the connection’s history with it, in the same request, past one batch of 25', async () => {
    const res = await call(A, 'POST', '/connections', destination);
    const id = res.body.connection.connectionId as string;
    const infra = driftInfra(
      { table: dynamo.table, eventBus: 'default', period: 'day', historyDays: 90 },
      'us-east-1',
    );
    // Sixty days of runs, each naming the bucket and a check's message.
    const [onboarding] = await infra.store.history(A, id, 1);
    if (!onboarding) throw new Error('no onboarding run');
    for (let d = 1; d <= 60; d++) {
      const period = new Date(Date.UTC(2026, 9, d)).toISOString().slice(0, 10);
      await infra.store.addRun(A, id, { ...onboarding, period, kind: 'drift' }, 90);
    }
    expect(await infra.store.history(A, id, 100)).toHaveLength(61);

    expect((await call(A, 'DELETE', `/connections/${id}`)).status).toBe(204);
    expect(await infra.store.history(A, id, 100)).toEqual([]);
    expect(await rawTable()).not.toContain(`H#${A}#${id}`);
    // Deleted again: 404, as before.
    expect((await call(A, 'DELETE', `/connections/${id}`)).status).toBe(404);
    infra.close();
  });

  it('shows a tenant nothing of another’s: not in lists, not by id, not its history, not to delete', async () => {
    expect((await call(B, 'GET', '/connections')).body).toEqual({ connections: [] });
    for (const [method, path] of [
      ['GET', `/connections/${roleId}`],
      ['GET', `/connections/${roleId}/history`],
      ['DELETE', `/connections/${roleId}`],
    ] as const) {
      const res = await call(B, method, path);
      expect(res.status, `${method} ${path}`).toBe(404);
      // The same answer as for an id that never existed: existence is not disclosed.
      expect(res.body.error.code).toBe('NotFound');
    }
    expect((await call(A, 'GET', `/connections/${roleId}`)).status).toBe(200);
    expect((await call(B, 'GET', '/connections', undefined, `after=${roleId}`)).body.connections).toEqual([]);
  });

  it('refuses bad input by name: unknown fields, bad names, bad paging', async () => {
    const res = await call(A, 'POST', '/connections', { ...destination, name: '', tenantId: B });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([
      { path: 'tenantId', message: 'unknown field' },
      { path: 'name', message: '1 to 64 characters, no control characters' },
    ]);
    expect((await call(A, 'GET', '/connections', undefined, 'limit=0&tenant=x')).body.error.details).toEqual([
      { path: 'tenant', message: 'unknown parameter' },
      { path: 'limit', message: 'a whole number from 1 to 100' },
    ]);
    expect((await call(A, 'GET', '/connections/not-a-uuid')).status).toBe(404);
    const temporary = await call(A, 'POST', '/connections', {
      credentials: {
        type: 'accessKey',
        accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
        secretAccessKey: USER_SECRET,
        sessionToken: 'FwoGZXIvYXdzEXAMPLEtemporarySessionToken0',
      },
    });
    expect(temporary.body.error.details).toEqual([
      {
        path: 'credentials.sessionToken',
        message: 'temporary credentials expire: save a role, or a long-term access key',
      },
    ]);
  });

  it('re-verifies in drift with the zero-write probe, keeps each run, and says what changed, once', async () => {
    const infra = driftInfra(
      { table: dynamo.table, eventBus: 'default', period: 'day', historyDays: 90 },
      'us-east-1',
    );
    const published: ChangeEvent[] = [];
    const s: DriftDeps = {
      config: deps.config,
      logger: deps.logger,
      store: infra.store,
      sealer: infra.sealer(secret),
      historyDays: 90,
      publish: async (e) => {
        published.push(e);
      },
    };
    const before = sandbox.snapshotObjects();
    const ref = { tenantId: A, connectionId: roleId, period: '2026-12-01' };

    expect(await runDrift(s, secret, ref)).toBe('verified');
    // Write access proven without writing: S3 answered 412 on the marker.
    expect(sandbox.snapshotObjects()).toEqual(before);
    const puts = sandbox.requests.filter((r) => r.operation === 'PutObject');
    expect(puts.at(-1)).toMatchObject({ status: 412, headers: { 'if-none-match': '*' } });
    expect(published).toEqual([]);

    // Redelivered: the period is taken, nothing runs again.
    const seen = sandbox.requests.length;
    expect(await runDrift(s, secret, ref)).toBe('duplicate');
    expect(sandbox.requests.length).toBe(seen);

    // The customer drops s3:PutObject: the next period's run says exactly that.
    sandbox.setWorld(world(false));
    expect(await runDrift(s, secret, { ...ref, period: '2026-12-02' })).toBe('verified');
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      tenantId: A,
      connectionId: roleId,
      period: '2026-12-02',
      status: { from: 'pass', to: 'fail' },
      // Seed 001 grants no s3:ListBucket: once the write is refused too, nothing confirms the
      // bucket is the customer's any more, so s3.bucket-region no longer passes either.
      changes: [
        { check: 's3.bucket-region', target: 's3://acme-destination/', from: 'pass', to: 'fail' },
        { check: 's3.write', target: 's3://acme-destination/', from: 'pass', to: 'fail' },
      ],
    });

    const history = await call(A, 'GET', `/connections/${roleId}/history`);
    expect(
      history.body.runs.map((r: { period: string; status: string }) => `${r.period} ${r.status}`),
    ).toEqual(['2026-12-02 fail', '2026-12-01 pass', 'onboarding pass']);
    infra.close();
  });

  it('claims a period once: busy while a delivery runs it, taken over when that run died, gone once deleted', async () => {
    const infra = driftInfra(
      { table: dynamo.table, eventBus: 'default', period: 'day', historyDays: 90 },
      'us-east-1',
    );
    const ref = { tenantId: A, connectionId: roleId, period: '2026-12-03' };
    const t0 = Date.parse('2026-12-03T00:00:00Z');
    expect((await infra.store.claim(ref, t0)).kind).toBe('claimed');
    // Another delivery while the first still runs: retried later, not dropped.
    expect((await infra.store.claim(ref, t0 + 60_000)).kind).toBe('busy');
    // The first run died without finishing: once its claim is stale, a delivery takes over.
    expect((await infra.store.claim(ref, t0 + STALE_CLAIM_MS + 1)).kind).toBe('claimed');
    expect(
      (await infra.store.claim({ ...ref, connectionId: '00000000-0000-4000-8000-000000000000' }, t0)).kind,
    ).toBe('gone');
    infra.close();
  });

  it('answers anything a caller may send with a 2xx or 4xx, never a 5xx or a stack trace', async () => {
    const methods = ['GET', 'POST', 'DELETE'] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...methods),
        fc.constantFrom(
          '/connections',
          `/connections/${roleId}`,
          `/connections/${roleId}/history`,
          '/connections/x',
        ),
        fc.oneof(
          { weight: 20, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
          { weight: 20, arbitrary: fc.string() },
          // 32,000 invalid fields in under 64 KiB: at most 50 come back.
          { weight: 1, arbitrary: fc.constant(JSON.stringify({ s3: Array(32_000).fill(0) })) },
        ),
        fc.string({ maxLength: 40 }),
        async (method, path, body, query) => {
          const event = httpEvent({
            method,
            // As API Gateway routes it: any one segment after /connections/ is the {id}.
            path: path.replace(/\/([0-9a-f-]{36}|x)(?=\/|$)/, '/{id}'),
            claims: { tenant_id: B },
            body,
            rawQueryString: query,
          });
          const id = /\/([0-9a-f-]{36}|x)(\/|$)/.exec(path)?.[1];
          if (id) event.pathParameters = { id };
          const res = await handler(event, lambdaContext('connections'));
          expect(res.statusCode).toBeLessThan(500);
          expect(res.body ?? '').not.toMatch(/\bat \w+ \(|node_modules/);
          if ((res.statusCode ?? 0) >= 400) expect((res.body ?? '').length).toBeLessThan(16 * 1024);
        },
      ),
      { numRuns: 300 },
    );
  }, 60_000);

  it('refuses a lone UTF-16 surrogate in a name or a prefix with a 400 naming the field', async () => {
    const lone = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
    const text = fc
      .tuple(fc.string({ maxLength: 20 }), lone, fc.string({ maxLength: 20 }))
      .map(([a, l, b]) => `${a}${l}${b}`)
      // Nothing else wrong with it, so the surrogate is what gets named.
      .filter(
        (t) =>
          !t.startsWith('/') &&
          t.length <= 64 &&
          !t.isWellFormed() &&
          [...t].every((ch) => ch.charCodeAt(0) > 0x1f && ch.charCodeAt(0) !== 0x7f),
      );
    await fc.assert(
      fc.asyncProperty(text, fc.boolean(), async (t, inName) => {
        const body = inName
          ? { ...destination, name: t }
          : { ...destination, s3: [{ bucket: 'acme-destination', prefix: t }] };
        // JSON.stringify writes a lone surrogate as `\udXXX`, as a client's JSON would.
        const res = await call(B, 'POST', '/connections', body);
        expect(res.status).toBe(400);
        expect(res.body.error.details).toEqual([
          {
            path: inName ? 'name' : 's3[0].prefix',
            message: 'contains a lone UTF-16 surrogate: not valid Unicode',
          },
        ]);
      }),
      { numRuns: 100 },
    );
    expect((await call(B, 'GET', '/connections')).body.connections).toEqual([]);
  });

  it('refuses a limited tenant with 429, counted beside AssumeRole: nothing written in a bucket, nothing saved', async () => {
    const limited = contractChecked(
      createConnectionsHandler({
        ...connectionsDeps(deps),
        limiter: { perMinute: 1, take: async () => ({ allowed: false, retryAfterSeconds: 5 }) },
      }),
    );
    const saved = (await call(A, 'GET', '/connections')).body.connections.length;
    const seen = sandbox.requests.length;
    const event = httpEvent({
      method: 'POST',
      path: '/connections',
      claims: { tenant_id: A },
      body: JSON.stringify(destination),
    });

    const res = await limited(event, lambdaContext('connections'));

    expect(res.statusCode).toBe(429);
    const sent = sandbox.requests.slice(seen);
    // The verification started (AssumeRole went out beside the count), and stopped there.
    expect(sent.map((r) => r.operation)).toContain('AssumeRole');
    expect(sent.filter((r) => r.service === 's3')).toEqual([]);
    expect((await call(A, 'GET', '/connections')).body.connections.length).toBe(saved);
  });

  it('logged no secret on any of these paths, key pair and sealed data key included', () => {
    expect(output.length).toBeGreaterThan(0);
    expect(output).not.toContain(USER_SECRET);
    expect(output).not.toContain('"sealed"');
  });
});
