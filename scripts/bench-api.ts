/**
 * `npm run bench:api [-- --tenants 100 --per-tenant 20 --in-flight 50 --rate 10]`: a bounded load
 * test of the HTTP API on loopback, pass or fail. Many tenants at once, each sending
 * `--per-tenant` requests (60% `POST /verify`, rate-limited; 40% `GET /setup`, not), all within
 * one minute of the per-tenant limiter (`RATE_LIMIT_PER_MINUTE=--rate`), `--in-flight` at a time.
 *
 * The API is the real handlers behind a plain `node:http` server that builds the API Gateway
 * (payload 2.0) event as serverless-offline does (the bearer JWT's claims decoded, not
 * verified), not `sls offline` itself: serverless-offline bundles with esbuild and runs every
 * invocation through its own Lambda emulation, which on this shared 2-core machine measures
 * the emulator rather than the service. The sandbox (STS, S3) and dynalite (the table, which
 * also holds the rate counters and the tenants' external-ID versions) run in processes of
 * their own, as in `bench:drift`.
 *
 * Prints p50/p99 latency (all, and per endpoint), the statuses, 429s against what the rate
 * says for each tenant, and 5xx; exits non-zero unless every tenant got exactly its 429s and no
 * request got a 5xx.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context } from 'aws-lambda';
import { driftEnv, LOCAL_TABLE } from '../sandbox/drift.ts';
import { sandboxEnv } from '../sandbox/env.ts';
import { vendor, vendorTrust, type World } from '../sandbox/world.ts';
import { seedPolicies } from '../sandbox/worlds/seeds.ts';
import { externalIdFor, localDevSecret } from '../src/core/external-id.ts';
import type { HttpEvent, HttpResult } from '../src/handlers/http.ts';
import { startChild } from './children.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  const n = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive whole number`);
  return n;
};
const TENANTS = arg('tenants', 100);
const PER_TENANT = arg('per-tenant', 20);
const IN_FLIGHT = arg('in-flight', 50);
const RATE = arg('rate', 10);
const VERIFY_SHARE = 0.6;

const base = 5000 + Math.floor(Math.random() * 100);
const [sandboxUrl, dynamoUrl] = await Promise.all([
  startChild('sandbox/cli.ts', ['--port', String(base)], 'sandbox'),
  startChild('sandbox/dynamo.ts', ['--port', String(base + 100), '--table', LOCAL_TABLE], 'dynamo'),
]);

// ---- the world: one destination role per tenant, trusting that tenant's external ID -------------
const ACCOUNT = '111122223333';
const tenants = Array.from({ length: TENANTS }, (_, i) => `t-load-${String(i).padStart(4, '0')}`);
const roleOf = (t: string) => `arn:aws:iam::${ACCOUNT}:role/Destination-${t}`;
const secret = localDevSecret();
const v = vendor();
const world: World = {
  name: 'bench-api',
  description: 'a destination role per tenant',
  vendor: v,
  roles: tenants.map((t) => ({
    arn: roleOf(t),
    trust: vendorTrust(externalIdFor(secret, t)),
    policies: [seedPolicies.seed001('acme-destination')],
  })),
  buckets: [{ name: 'acme-destination', account: ACCOUNT, region: 'us-east-1' }],
};
const res = await fetch(`${sandboxUrl}/__sandbox/world`, { method: 'PUT', body: JSON.stringify(world) });
if (!res.ok) throw new Error(`sandbox world: ${res.status}`);
Object.assign(process.env, {
  ...sandboxEnv(sandboxUrl, v),
  ...driftEnv(sandboxUrl, dynamoUrl),
  RATE_LIMIT_TABLE: LOCAL_TABLE,
  RATE_LIMIT_PER_MINUTE: String(RATE),
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  // The handlers' EMF lines would bury the table.
  POWERTOOLS_METRICS_DISABLED: 'true',
});

// ---- the API: the real handlers, routed as serverless.ts routes them ----------------------------
type Handler = (event: HttpEvent, context: Context) => Promise<HttpResult>;
const routes: Record<string, Handler> = {
  'POST /verify': (await import('../src/handlers/verify.ts')).handler as Handler,
  'GET /setup': (await import('../src/handlers/setup.ts')).handler as Handler,
  'GET /checks': (await import('../src/handlers/checks.ts')).handler as Handler,
};
const context = (name: string): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName: `aws-access-verifier-dev-${name}`,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:999988887777:function:aws-access-verifier-dev-${name}`,
  memoryLimitInMB: '512',
  awsRequestId: crypto.randomUUID(),
  logGroupName: `/aws/lambda/aws-access-verifier-dev-${name}`,
  logStreamName: 'bench',
  getRemainingTimeInMillis: () => 29_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

/** The payload 2.0 event serverless-offline builds: the JWT's claims decoded, not verified. */
function eventOf(req: IncomingMessage, body: string): HttpEvent {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = req.method ?? 'GET';
  const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
  let claims: Record<string, unknown> | undefined;
  try {
    claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<
      string,
      unknown
    >;
  } catch {
    claims = undefined;
  }
  const headers = Object.fromEntries(Object.entries(req.headers).map(([k, x]) => [k, String(x)]));
  return {
    version: '2.0',
    routeKey: `${method} ${url.pathname}`,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    requestContext: {
      accountId: '999988887777',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: {
        method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'bench-api',
      },
      requestId: crypto.randomUUID(),
      routeKey: `${method} ${url.pathname}`,
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
      ...(claims ? { authorizer: { jwt: { claims } } } : {}),
    },
    isBase64Encoded: false,
    ...(body ? { body } : {}),
  } as HttpEvent;
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', async () => {
    const event = eventOf(req, Buffer.concat(chunks).toString());
    const handler = routes[event.routeKey];
    if (!handler) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}');
      return;
    }
    const out = await handler(event, context(event.routeKey.split(' ')[1]?.slice(1) ?? 'api'));
    res.writeHead(out.statusCode ?? 200, out.headers as Record<string, string>).end(out.body);
  });
});
// Longer than any request here: a socket the server closes as idle while the client reuses it
// is an ECONNRESET that says nothing about the service.
server.keepAliveTimeout = 120_000;
server.headersTimeout = 121_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

// ---- the load ------------------------------------------------------------------------------------
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const bearer = (tenant: string) =>
  `Bearer ${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ sub: 'bench', tenant_id: tenant, exp: Math.floor(Date.now() / 1000) + 3600 })}.unsigned`;
interface Call {
  tenant: string;
  route: 'POST /verify' | 'GET /setup';
}
const calls: Call[] = tenants.flatMap((tenant) =>
  Array.from({ length: PER_TENANT }, (_, i) => ({
    tenant,
    route: i < Math.round(PER_TENANT * VERIFY_SHARE) ? ('POST /verify' as const) : ('GET /setup' as const),
  })),
);
for (let i = calls.length - 1; i > 0; i--) {
  const j = Math.floor(Math.random() * (i + 1));
  [calls[i], calls[j]] = [calls[j] as Call, calls[i] as Call];
}
// The limiter counts per calendar minute: start where the whole run fits in one.
const intoMinute = Date.now() % 60_000;
if (intoMinute > 30_000) await new Promise((r) => setTimeout(r, 60_000 - intoMinute + 200));

const results: { tenant: string; route: string; status: number; ms: number; minute: number }[] = [];
const began = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: IN_FLIGHT }, async () => {
    while (next < calls.length) {
      const call = calls[next++] as Call;
      const t0 = performance.now();
      const minute = Math.floor(Date.now() / 60_000);
      const r =
        call.route === 'POST /verify'
          ? await fetch(`${api}/verify`, {
              method: 'POST',
              headers: { authorization: bearer(call.tenant), 'content-type': 'application/json' },
              body: JSON.stringify({
                credentials: { type: 'role', roleArn: roleOf(call.tenant) },
                region: 'us-east-1',
                profile: 'destination',
                s3: [{ bucket: 'acme-destination' }],
              }),
            })
          : await fetch(`${api}/setup?profile=destination&bucket=acme-destination`, {
              headers: { authorization: bearer(call.tenant) },
            });
      await r.arrayBuffer();
      results.push({
        tenant: call.tenant,
        route: call.route,
        status: r.status,
        ms: performance.now() - t0,
        minute,
      });
    }
  }),
);
const wallMs = performance.now() - began;

// ---- the figures ------------------------------------------------------------------------------------
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? 0;
};
const ms = (x: number) => `${x.toFixed(0)} ms`;
const byStatus = new Map<number, number>();
for (const r of results) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
// What the rate says: per tenant and minute, the first RATE limited requests pass, the rest get 429.
const limited = new Map<string, { sent: number; refused: number }>();
for (const r of results.filter((x) => x.route === 'POST /verify')) {
  const k = `${r.tenant} ${r.minute}`;
  const e = limited.get(k) ?? { sent: 0, refused: 0 };
  e.sent++;
  if (r.status === 429) e.refused++;
  limited.set(k, e);
}
const expected429 = [...limited.values()].reduce((n, e) => n + Math.max(0, e.sent - RATE), 0);
const got429 = byStatus.get(429) ?? 0;
const wrongTenants = [...limited.entries()].filter(
  ([, e]) => e.refused !== Math.max(0, e.sent - RATE),
).length;
const setup429 = results.filter((r) => r.route === 'GET /setup' && r.status === 429).length;
const fivexx = results.filter((r) => r.status >= 500).length;
const verifyPass = results.filter((r) => r.route === 'POST /verify' && r.status === 200).length;
const line = (route: string) => {
  const xs = results.filter((r) => r.route === route && r.status !== 429).map((r) => r.ms);
  return `| ${route} (answered, not 429) | ${xs.length} | ${ms(pct(xs, 50))} | ${ms(pct(xs, 99))} |`;
};
const all = results.map((r) => r.ms);
const ok = got429 === expected429 && wrongTenants === 0 && setup429 === 0 && fivexx === 0;
console.log(`
API load: ${results.length} requests from ${TENANTS} tenants, ${IN_FLIGHT} in flight, rate ${RATE}/tenant/minute on POST /verify;
handlers behind a plain node:http server on loopback; sandbox and dynalite in their own processes; ${(wallMs / 1000).toFixed(1)} s, ${((results.length / wallMs) * 1000).toFixed(0)} requests/s

| requests | count | p50 | p99 |
| --- | ---: | ---: | ---: |
| all | ${results.length} | ${ms(pct(all, 50))} | ${ms(pct(all, 99))} |
${line('POST /verify')}
${line('GET /setup')}

| figure | measured | must be | |
| --- | ---: | ---: | --- |
| statuses | ${[...byStatus]
  .sort(([a], [b]) => a - b)
  .map(([s, n]) => `${s}: ${n}`)
  .join(', ')} | | |
| 429s on POST /verify | ${got429} | ${expected429} (what the rate says) | ${got429 === expected429 ? 'ok' : '**OFF**'} |
| tenants whose 429s differ from the rate | ${wrongTenants} | 0 | ${wrongTenants === 0 ? 'ok' : '**OFF**'} |
| 429s on GET /setup (not rate-limited) | ${setup429} | 0 | ${setup429 === 0 ? 'ok' : '**OFF**'} |
| 5xx | ${fivexx} | 0 | ${fivexx === 0 ? 'ok' : '**OFF**'} |
| POST /verify answered 200 (verified) | ${verifyPass} | | |
`);
server.close();
process.exit(ok ? 0 : 1);
