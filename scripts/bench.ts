/**
 * `npm run bench`: figures, never a pass/fail. The sandbox runs in its own process (so the
 * verifier's CPU and memory are measured alone) with 50 ms injected on every AWS call.
 *
 * - verify wall time ÷ the critical path (the longest chain of dependent calls × 50 ms) at
 *   1, 10 and 50 buckets, and beside it the same verification one check at a time;
 * - CPU per verification without latency, peak RSS at 50 buckets (a CommonJS build of verify);
 * - every function's bundle size, and the verify bundle's init time ÷ importing the bare SDK
 *   clients it loads (scripts/bench-bundles.ts); a drift worker batch's peak RSS (scripts/bench-memory.ts).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Logger } from '@aws-lambda-powertools/logger';
import { sandboxEnv } from '../sandbox/env.ts';
import { vendor, vendorTrust, type World } from '../sandbox/world.ts';
import { seedPolicies } from '../sandbox/worlds/seeds.ts';
import { CHECK_IDS } from '../src/checks/index.ts';
import { loadConfig } from '../src/core/config.ts';
import { externalIdFor, localDevSecret, parseSecret } from '../src/core/external-id.ts';
import { verifyForTenant } from '../src/core/tenant-use-cases.ts';
import type { Report, VerifyRequest } from '../src/core/wire.ts';
import { bundleFigures, bundleReport } from './bench-bundles.ts';
import { BATCH, driftBatchPeak } from './bench-memory.ts';
import { buildDeployed } from './bundle-sizes.ts';
import { minimalChain } from './minimal-chain.ts';

const LATENCY_MS = 50;
const EVALUATORS = 2;
/**
 * The staging profile's longest chain of dependent calls: AssumeRole → PutObject → GetObject →
 * DeleteObject (test/critical-path.test.ts computes it from the declared graph). Everything
 * else (HeadBucket and the listing beside the write, the sweep in the listing's page, location,
 * encryption, the external-ID probes, the other buckets) runs beside it.
 */
const CRITICAL_PATH_CALLS = 4;
const root = join(import.meta.dirname, '..');
const out = join(root, '.bench');
mkdirSync(out, { recursive: true });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

// ---- bundles ---------------------------------------------------------------------------------------
// The CPU and RSS runs below load the verify handler as deployed (ESM, split, minified).
const verifyBundle = await buildDeployed(join(root, 'src/handlers/verify.ts'), join(out, 'verify'));
// Every function's bundle and the init ratio, in the deployed format (scripts/bench-bundles.ts),
// and a drift worker batch's peak (scripts/bench-memory.ts), its heap capped as in its 1024 MB
// function. Printed at the end with the rest.
const bundles = await bundleFigures(out);
const driftBatch = await driftBatchPeak(out, 920);

// ---- the sandbox, in a process of its own ------------------------------------------------------
const port = 4700 + Math.floor(Math.random() * 200);
// Two evaluator threads: AWS decides the calls it receives together side by side (sandbox/iam-pool.ts).
const sandboxProcess = spawn(
  process.execPath,
  [join(root, 'sandbox/cli.ts'), '--port', String(port), '--evaluators', String(EVALUATORS)],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
process.on('exit', () => sandboxProcess.kill('SIGTERM'));
await new Promise<void>((resolve) => {
  sandboxProcess.stdout.on('data', (c: Buffer) => {
    if (c.toString().includes('sandbox ready')) resolve();
  });
});
const url = `http://127.0.0.1:${port}`;
// A fresh connection each time: a kept-alive one may have been closed by the sandbox while a
// spawnSync below blocked this event loop, and reusing it fails with "other side closed".
const control = (path: string, body: unknown) =>
  fetch(`${url}/__sandbox/${path}`, {
    method: 'PUT',
    body: JSON.stringify(body),
    headers: { connection: 'close' },
  });

const TENANT = 't-bench';
const SECRET = parseSecret('v1:bench-secret-0123456789abcdef0123456789');
const externalId = externalIdFor(SECRET, TENANT);
const v = vendor();
Object.assign(process.env, sandboxEnv(url, v));
const deps = {
  config: loadConfig({ AWS_REGION: 'us-east-1', VENDOR_NAME: 'bench' }, CHECK_IDS),
  logger: new Logger({ logLevel: 'SILENT' }),
};

/** The bundled handler derives its tenant's external ID from the project's development secret. */
const WORKER_TENANT = 't-bench-worker';
const workerExternalId = externalIdFor(localDevSecret(), WORKER_TENANT);

function worldOf(n: number, xid = externalId): { world: World; request: VerifyRequest } {
  const names = Array.from({ length: n }, (_, i) => `bench-bucket-${String(i).padStart(2, '0')}`);
  const world: World = {
    name: `bench-${n}`,
    description: `${n} staging buckets`,
    vendor: v,
    roles: [
      {
        arn: 'arn:aws:iam::111122223333:role/VendorAccess',
        trust: vendorTrust(xid),
        policies: names.map((b) => seedPolicies.seed003(b)),
      },
    ],
    buckets: names.map((name) => ({ name, account: '111122223333', region: 'us-east-1' })),
  };
  const request: VerifyRequest = {
    credentials: { type: 'role', roleArn: 'arn:aws:iam::111122223333:role/VendorAccess' },
    region: 'us-east-1',
    profile: 'staging',
    s3: names.map((bucket) => ({ bucket, prefix: 'vendor/exports/' })),
  };
  return { world, request };
}

async function timeVerify(
  request: VerifyRequest,
  oneAtATime = false,
): Promise<{ ms: number; report: Report }> {
  const started = performance.now();
  const report = await verifyForTenant(
    { ...deps, ...(oneAtATime ? { oneAtATime: true, deadlineMs: 300_000 } : {}) },
    TENANT,
    SECRET,
    request,
  );
  return { ms: performance.now() - started, report };
}

const rows: string[] = [];
await control(
  'faults',
  ['sts', 's3', 'kms'].map((service) => ({ service, latencyMs: LATENCY_MS })),
);
for (const n of [1, 10, 50]) {
  const { world, request } = worldOf(n);
  await control('world', world);
  await timeVerify(request); // warm-up: connections, first-use code paths
  const runs: number[] = [];
  let report: Report | undefined;
  for (let i = 0; i < 3; i++) {
    const r = await timeVerify(request);
    runs.push(r.ms);
    report = r.report;
  }
  const sequential = await timeVerify(request, true);
  // The same chain with nothing else (scripts/minimal-chain.ts), timed right after verify's.
  const target = {
    roleArn: request.credentials.type === 'role' ? request.credentials.roleArn : '',
    externalId,
    region: request.region ?? 'us-east-1',
    buckets: request.s3 ?? [],
  };
  await minimalChain(target); // warm-up
  const floor: number[] = [];
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    await minimalChain(target);
    floor.push(performance.now() - started);
  }
  const path = CRITICAL_PATH_CALLS * LATENCY_MS;
  const wall = median(runs);
  const minimal = median(floor);
  console.error(
    `bench: ${n} bucket(s), wall ${wall.toFixed(0)} ms, minimal chain ${minimal.toFixed(0)} ms, one at a time ${sequential.ms.toFixed(0)} ms`,
  );
  rows.push(
    `| ${String(n).padStart(7)} | ${wall.toFixed(0).padStart(12)} | ${String(path).padStart(17)} | ${(wall / path).toFixed(2).padStart(5)} | ${minimal.toFixed(0).padStart(12)} | ${(wall / minimal).toFixed(2).padStart(9)} | ${sequential.ms.toFixed(0).padStart(15)} | ${report?.status} |`,
  );
}
// CPU and memory as Lambda would see them: the minified bundle's handler, alone in a process.
const worker = (buckets: number, runs: number) => {
  const { world } = worldOf(buckets, workerExternalId);
  const body = JSON.stringify(worldOf(buckets, workerExternalId).request);
  return {
    world,
    script: `
    (async () => {
    const { handler } = await import(${JSON.stringify(pathToFileURL(verifyBundle).href)});
    const event = { version: '2.0', routeKey: 'POST /verify', rawPath: '/verify', rawQueryString: '', headers: {},
      requestContext: { requestId: 'bench', http: { method: 'POST', path: '/verify' }, authorizer: { jwt: { claims: { tenant_id: ${JSON.stringify(WORKER_TENANT)} } } } },
      body: ${JSON.stringify(body)}, isBase64Encoded: false };
    const context = { awsRequestId: 'bench', functionName: 'verify', getRemainingTimeInMillis: () => 29000 };
      for (let i = 0; i < 5; i++) await handler(event, context);
      const before = process.cpuUsage();
      let status;
      for (let i = 0; i < ${runs}; i++) status = JSON.parse((await handler(event, context)).body).status;
      const cpu = process.cpuUsage(before);
      console.log(JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000 / ${runs}, maxRssMb: process.resourceUsage().maxRSS / 1024, status }));
    })();`,
  };
};
async function runWorker(buckets: number, runs: number, heapMb?: number) {
  const w = worker(buckets, runs);
  await control('world', w.world);
  const r = spawnSync(
    process.execPath,
    [...(heapMb ? [`--max-old-space-size=${heapMb}`] : []), '-e', w.script],
    {
      encoding: 'utf8',
      timeout: 120_000,
      cwd: root,
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' },
    },
  );
  return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as {
    cpuMs: number;
    maxRssMb: number;
    status: string;
  };
}
await control('faults', []);
const cpuRun = await runWorker(1, 40);
// Node sizes its heap to the machine (24 GB here) and collects lazily; Lambda caps it to the
// function's memory (512 MB, as deployed).
const rssRun = await runWorker(50, 3, 460);

sandboxProcess.kill('SIGTERM');

console.log(`\nverify with ${LATENCY_MS} ms on every AWS call (staging profile, median of 3):\n`);
// Targets: ratio ≤ 1.10 at 1 and 10 buckets, ≤ 1.5 at 50; the load shows how shared the machine was.
console.log(
  `load average at the end: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(', ')} on ${availableParallelism()} cores`,
);
console.log(
  '| buckets | wall time ms | critical path ms | ratio | minimal chain ms | ÷ minimal | one at a time ms | status |',
);
console.log(
  '| ------: | -----------: | ---------------: | ----: | ---------------: | --------: | --------------: | ------ |',
);
for (const r of rows) console.log(r);
console.log(`
| figure | value | target |
| --- | ---: | ---: |
| CPU per verification, 1 bucket, no latency (bundle, mean of 40, ${cpuRun.status}) | ${cpuRun.cpuMs.toFixed(1)} ms | ≤ 15 ms |
| peak RSS at 50 buckets (bundle alone, heap capped as in a 512 MB function, ${rssRun.status}) | ${rssRun.maxRssMb.toFixed(0)} MB | ≤ 128 MB |
| CPU per 50-bucket verification (same process) | ${rssRun.cpuMs.toFixed(0)} ms | |
| peak RSS of a drift worker batch (${BATCH} one-bucket connections × ${driftBatch.batches} batches, ${driftBatch.runs} runs kept, ${driftBatch.failed} failed; heap capped as in its 1024 MB function) | ${driftBatch.maxRssMb.toFixed(0)} MB | |
`);
console.log(bundleReport(bundles));
process.exit(0);
