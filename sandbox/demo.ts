/**
 * `npm run demo`: every world of the library through the real `verify` handler (middy stack,
 * validation, core, real SDK over HTTP against the sandbox), printed as a customer would read
 * it, ending with how many worlds matched their truth.
 */
import { externalIdFor, localDevSecret } from '../src/core/external-id.ts';
import type { Report } from '../src/core/wire.ts';
import { disagreements, useSandbox } from './harness.ts';
import { startSandbox } from './server.ts';
import { WORLDS } from './worlds/index.ts';

const TENANT = 't-demo';
// The report is the output here; the handler's own log lines would only repeat it.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
const color = process.stdout.isTTY
  ? {
      pass: '\x1b[32m',
      fail: '\x1b[31m',
      warn: '\x1b[33m',
      skip: '\x1b[90m',
      error: '\x1b[35m',
      off: '\x1b[0m',
    }
  : { pass: '', fail: '', warn: '', skip: '', error: '', off: '' };

// The handler reads its secret from the development file, as `sls invoke local` does.
const externalId = externalIdFor(localDevSecret(), TENANT);
const first = Object.values(WORLDS)[0];
if (!first) throw new Error('no worlds');
const sandbox = await startSandbox({ world: first.world(externalId) });
const { handler } = await import('../src/handlers/verify.ts');

let matched = 0;
const names = Object.keys(WORLDS);
for (const name of names) {
  const c = WORLDS[name];
  if (!c) continue;
  const world = c.world(externalId);
  sandbox.setWorld(world);
  useSandbox(sandbox, world);
  const response = await handler(
    {
      version: '2.0',
      routeKey: 'POST /verify',
      rawPath: '/verify',
      rawQueryString: '',
      headers: { 'content-type': 'application/json' },
      requestContext: {
        accountId: '999988887777',
        apiId: 'demo',
        domainName: 'localhost',
        domainPrefix: 'localhost',
        http: {
          method: 'POST',
          path: '/verify',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'demo',
        },
        requestId: `demo-${name}`,
        routeKey: 'POST /verify',
        stage: '$default',
        time: new Date().toISOString(),
        timeEpoch: Date.now(),
        authorizer: { jwt: { claims: { tenant_id: TENANT } } },
      },
      body: JSON.stringify(c.request),
      isBase64Encoded: false,
    },
    { awsRequestId: `demo-${name}`, functionName: 'verify', getRemainingTimeInMillis: () => 29_000 } as never,
  );
  const report = JSON.parse(response.body ?? '{}') as Report;
  const wrong = disagreements(c, report);
  if (wrong.length === 0) matched++;
  console.log(`\n■ ${name}: ${world.description}`);
  console.log(
    `  overall ${color[report.status]}${report.status}${color.off} in ${report.durationMs} ms ${wrong.length ? '✗ DOES NOT MATCH ITS TRUTH' : '✓ matches its truth'}`,
  );
  for (const check of report.checks) {
    console.log(
      `  ${color[check.status]}${check.status.padEnd(5)}${color.off} ${check.id.padEnd(25)} ${check.target}`,
    );
    console.log(`        ${check.message}`);
    if (check.hint) console.log(`        hint: ${check.hint}`);
    for (const item of check.checklist ?? []) console.log(`        □ ${item}`);
    if (check.remediation && check.status !== 'pass') console.log(`        fix:  ${check.remediation}`);
  }
  const fix = report.remediation;
  if (fix.policy.Statement.length) console.log(`  policy to add: ${JSON.stringify(fix.policy.Statement)}`);
  for (const k of fix.keyPolicies ?? [])
    console.log(`  key policy of ${k.keyArn}, add: ${JSON.stringify(k.statement)}`);
  for (const b of fix.bucketPolicies ?? [])
    console.log(`  bucket policy of ${b.bucket}, add: ${JSON.stringify(b.statement)}`);
  if (fix.trustPolicy) console.log(`  trust policy, add: ${JSON.stringify(fix.trustPolicy)}`);
  for (const n of fix.notes ?? []) console.log(`  for an administrator (${n.policyType}): ${n.message}`);
  if (fix.optional) console.log(`  optional: ${JSON.stringify(fix.optional.Statement)}`);
  for (const p of report.strandedProbes ?? [])
    console.log(`  left behind: s3://${p.bucket}/${p.key}${p.versionId ? ` (version ${p.versionId})` : ''}`);
  for (const w of wrong) console.log(`  ✗ ${w}`);
}
await sandbox.close();
console.log(`\n${matched}/${names.length} worlds matched their truth.`);
process.exit(matched === names.length ? 0 : 1);
