/**
 * `npm run bench:cpu [-- --against /path/to/checkout] [--runs 40] [--rounds 3] [--tracing]`:
 * CPU ms per one-bucket staging verification of the verify bundle as deployed (the handler
 * alone in a process, against the sandbox, no latency), then a `--cpu-prof` of the same
 * loop (the inspector's profiler, as `--cpu-prof`) grouped by where the time goes (scripts/cpu-profile.ts).
 *
 * The machine is shared, so one absolute figure means little: with `--against`, that
 * checkout's bundle is built too and the two alternate, round by round, and the ratio of
 * each round is what to compare. `--tracing` runs the handler as Lambda does with active
 * tracing (a trace header in the environment, X-Ray segments sent over UDP to nowhere).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { sandboxEnv } from '../sandbox/env.ts';
import { startSandbox } from '../sandbox/server.ts';
import { vendor, vendorTrust, type World } from '../sandbox/world.ts';
import { seedPolicies } from '../sandbox/worlds/seeds.ts';
import { externalIdFor, localDevSecret } from '../src/core/external-id.ts';
import { buildDeployed } from './bundle-sizes.ts';
import { summarize } from './cpu-profile.ts';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const RUNS = Number(arg('runs') ?? 40);
const ROUNDS = Number(arg('rounds') ?? 3);
const tracing = process.argv.includes('--tracing');
const root = join(import.meta.dirname, '..');
const out = join(root, '.bench', 'cpu');

/** The deployed build (serverless.ts), whatever its format, from one checkout's handler. */
const bundle = (checkout: string, name: string): Promise<string> =>
  buildDeployed(join(checkout, 'src/handlers/verify.ts'), join(out, name), {
    // The profile maps minified positions back to sources, so the maps must be files.
    sourcemap: 'linked',
    nodePaths: [join(root, 'node_modules')],
  });

const TENANT = 't-bench-cpu';
const v = vendor();
const bucket = 'bench-cpu-bucket';
const world: World = {
  name: 'bench-cpu',
  description: 'one staging bucket',
  vendor: v,
  roles: [
    {
      arn: 'arn:aws:iam::111122223333:role/VendorAccess',
      trust: vendorTrust(externalIdFor(localDevSecret(), TENANT)),
      policies: [seedPolicies.seed003(bucket)],
    },
  ],
  buckets: [{ name: bucket, account: '111122223333', region: 'us-east-1' }],
};
const body = JSON.stringify({
  credentials: { type: 'role', roleArn: 'arn:aws:iam::111122223333:role/VendorAccess' },
  region: 'us-east-1',
  profile: 'staging',
  s3: [{ bucket, prefix: 'vendor/exports/' }],
});

const workerScript = (file: string) => `
const { pathToFileURL } = require('node:url');
(async () => {
  const { handler } = await import(pathToFileURL(${JSON.stringify(file)}).href);
  const event = { version: '2.0', routeKey: 'POST /verify', rawPath: '/verify', rawQueryString: '', headers: {},
    requestContext: { requestId: 'bench', http: { method: 'POST', path: '/verify' }, authorizer: { jwt: { claims: { tenant_id: ${JSON.stringify(TENANT)} } } } },
    body: ${JSON.stringify(body)}, isBase64Encoded: false };
  const context = { awsRequestId: 'bench', functionName: 'verify', getRemainingTimeInMillis: () => 29000 };
  for (let i = 0; i < 5; i++) await handler(event, context);
  const profiling = process.argv.includes('--profile');
  const session = profiling ? new (require('node:inspector/promises').Session)() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const before = process.cpuUsage();
  let status;
  for (let i = 0; i < ${RUNS}; i++) status = JSON.parse((await handler(event, context)).body).status;
  const cpu = process.cpuUsage(before);
  if (session) {
    const { profile } = await session.post('Profiler.stop');
    require('node:fs').writeFileSync(process.argv.at(-1), JSON.stringify(profile));
  }
  console.log(JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000 / ${RUNS}, status }));
  process.exit(0);
})();`;

mkdirSync(out, { recursive: true });
const sandbox = await startSandbox({ world, port: 0 });
const env = {
  ...process.env,
  ...sandboxEnv(sandbox.url, v),
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  ...(tracing
    ? {
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
        _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
        AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:9',
        AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
      }
    : {}),
};
const run = promisify(execFile);
async function measure(file: string, profileTo?: string) {
  const args = ['-e', workerScript(file), ...(profileTo ? ['--', '--profile', profileTo] : [])];
  const { stdout } = await run(process.execPath, args, {
    env,
    cwd: out,
    timeout: 300_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { cpuMs: number; status: string };
}

const mine = await bundle(root, 'this');
const againstDir = arg('against');
const theirs = againstDir ? await bundle(againstDir, 'against') : undefined;
const fmt = (x: number) => x.toFixed(1);
console.log(
  `CPU ms per one-bucket staging verification (mean of ${RUNS} after 5 warm-ups)${tracing ? ', tracing on' : ''}`,
);
for (let round = 1; round <= ROUNDS; round++) {
  const a = await measure(mine);
  const b = theirs ? await measure(theirs) : undefined;
  console.log(
    `round ${round}: this ${fmt(a.cpuMs)} ms (${a.status})` +
      (b ? `, against ${fmt(b.cpuMs)} ms (${b.status}), ratio ${(a.cpuMs / b.cpuMs).toFixed(2)}` : ''),
  );
}

// The inspector's profiler (what --cpu-prof uses), over the measured verifications only.
const profileFile = join(out, 'verify.cpuprofile');
await measure(mine, profileFile);
const profile = JSON.parse(readFileSync(profileFile, 'utf8'));
console.log(`\nwhere it goes (this bundle, CPU profile of the ${RUNS} verifications, share of samples):`);
for (const [group, share] of summarize(profile, dirname(mine))) {
  console.log(`  ${group.padEnd(34)} ${(share * 100).toFixed(1).padStart(5)} %`);
}
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(', ')} on ${availableParallelism()} cores`,
);
await sandbox.close();
process.exit(0);
