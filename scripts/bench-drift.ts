/**
 * `npm run bench:drift [-- --connections 10000 --workers 20 --latency 50]`: figures, never a
 * pass/fail. With `--faults`, the fault soak instead (sandbox/soak.ts): its invariants as a
 * table, and a non-zero exit if any is off. The sandbox (STS, S3, SQS, EventBridge) and the local DynamoDB (dynalite) run in
 * processes of their own; this process is the dispatcher and the workers, running the same core
 * the functions run, with `--latency` ms injected on every customer AWS call (STS, S3).
 *
 * Prints: dispatch time (and per 1,000 connections), pages read, queue throughput with
 * `--workers` concurrent workers of ten messages each, DynamoDB operations per connection (and
 * how many beyond the history write), customer AWS calls per connection, and peak RSS.
 */
import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createDriftQueues, driftEnv, LOCAL_TABLE, savedDestination } from '../sandbox/drift.ts';
import { sandboxEnv } from '../sandbox/env.ts';
import { pollQueue } from '../sandbox/event-source.ts';
import { runSoak, soakTable } from '../sandbox/soak.ts';
import { vendor, vendorTrust, type World } from '../sandbox/world.ts';
import { seedPolicies } from '../sandbox/worlds/seeds.ts';
import { CHECK_IDS } from '../src/checks/index.ts';
import { loadConfig } from '../src/core/config.ts';
import { dispatch } from '../src/core/drift/dispatch.ts';
import { driftInfra, infraDeps } from '../src/core/drift/infra.ts';
import { connectionStore, type OpCounter } from '../src/core/drift/store.ts';
import { workBatch } from '../src/core/drift/worker.ts';
import { externalIdFor, parseSecret } from '../src/core/external-id.ts';
import { startChild } from './children.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  const n = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive whole number`);
  return n;
};
const CONNECTIONS = arg('connections', 10_000);
const FAULTS = process.argv.includes('--faults');
const WORKERS = arg('workers', 20);
const LATENCY_MS = arg('latency', 50);

const base = 4800 + Math.floor(Math.random() * 100);
const [sandboxUrl, dynamoUrl] = await Promise.all([
  startChild('sandbox/cli.ts', ['--port', String(base)], 'sandbox'),
  startChild(
    'sandbox/dynamo.ts',
    ['--port', String(base + 100), '--table', LOCAL_TABLE, ...(FAULTS ? ['--throttle-writes', '0.02'] : [])],
    'dynamo',
  ),
]);

// ---- `--faults`: the soak, pass or fail ---------------------------------------------------------
if (FAULTS) {
  const v = vendor();
  Object.assign(process.env, { ...sandboxEnv(sandboxUrl, v), ...driftEnv(sandboxUrl, dynamoUrl) });
  const rates = { redeliver: 0.05, die: 0.01, publishFail: 0.02, poisonEvery: 1000, changed: 0.1 };
  const figures = await runSoak({
    sandboxUrl,
    dynamoUrl,
    table: LOCAL_TABLE,
    connections: CONNECTIONS,
    workers: WORKERS,
    ...rates,
    // Production's 360 s, as 20 s here: well above a run here, as 360 s is above Lambda's 60 s.
    visibilitySeconds: 20,
    timeoutMs: 1_800_000,
    progress: (phase) => console.error(`${new Date().toISOString()} ${phase}`),
  });
  const { rows, ok } = soakTable(figures);
  const i = figures.injected;
  console.log(`
drift fault soak: ${CONNECTIONS} connections, ${WORKERS} workers × 10 messages, ${figures.changed} of them changed;
faults: ${i.redelivered} deliveries repeated (5%), ${i.died} workers died mid-run (1% of connections), ${i.throttled} DynamoDB writes throttled (2%),
${i.publishFailed} PutEvents entries failed (2%), ${figures.poison} poison messages (1 per 1,000); ${figures.verifications} verifications; ${(figures.wallMs / 1000).toFixed(0)} s

| invariant | measured | must be | |
| --- | ---: | ---: | --- |
${rows.map(([what, got, want, pass]) => `| ${what} | ${got} | ${want} | ${pass ? 'ok' : '**OFF**'} |`).join('\n')}
`);
  process.exit(ok ? 0 : 1);
}
const control = (path: string, body: unknown) =>
  fetch(`${sandboxUrl}/__sandbox/${path}`, { method: 'PUT', body: JSON.stringify(body) });

// ---- the world: one destination role (seed 001) behind every connection ------------------------
const TENANT = 't-bench-drift';
const SECRET = parseSecret('v1:bench-drift-secret-0123456789abcdef01234');
const ROLE = 'arn:aws:iam::111122223333:role/DestinationWriter';
const v = vendor();
const world: World = {
  name: 'bench-drift',
  description: 'one destination role behind every saved connection',
  vendor: v,
  roles: [
    {
      arn: ROLE,
      trust: vendorTrust(externalIdFor(SECRET, TENANT)),
      policies: [seedPolicies.seed001('acme-destination')],
    },
  ],
  // The marker onboarding leaves, so every drift run is the zero-write probe's 412.
  buckets: [
    {
      name: 'acme-destination',
      account: '111122223333',
      region: 'us-east-1',
      objects: { '.aws-access-verifier-marker-bench': 'marker' },
    },
  ],
};
await control('world', world);
Object.assign(process.env, { ...sandboxEnv(sandboxUrl, v), ...driftEnv(sandboxUrl, dynamoUrl) });
const { queueUrl } = await createDriftQueues(sandboxUrl);
const config = loadConfig(
  { ...process.env, VENDOR_NAME: 'bench', AWS_LAMBDA_FUNCTION_NAME: undefined },
  CHECK_IDS,
);
const drift = config.drift;
if (!drift) throw new Error('drift configuration missing');

// ---- seed the saved connections -----------------------------------------------------------------
const seedClient = new DynamoDBClient({ endpoint: dynamoUrl, region: 'us-east-1' });
const seeder = connectionStore(seedClient, LOCAL_TABLE);
const seedStarted = performance.now();
for (let i = 0; i < CONNECTIONS; i += 100) {
  await Promise.all(
    Array.from({ length: Math.min(100, CONNECTIONS - i) }, () =>
      seeder.create(savedDestination(TENANT, randomUUID(), ROLE)),
    ),
  );
}
const seedMs = performance.now() - seedStarted;
seedClient.destroy();

// ---- dispatch ---------------------------------------------------------------------------------------
await control('faults', [
  { service: 'sts', latencyMs: LATENCY_MS, times: 1e9 },
  { service: 's3', latencyMs: LATENCY_MS, times: 1e9 },
]);
const dispatchCounter: OpCounter = { reads: 0, writes: 0 };
const dispatchInfra = driftInfra(drift, config.region, dispatchCounter);
const dispatched = await dispatch(dispatchInfra.store, (refs) => dispatchInfra.send(refs), '2026-12-02');
dispatchInfra.close();

// ---- work the queue ------------------------------------------------------------------------------
const deps = { config, logger: new Logger({ logLevel: 'SILENT' }) };
const workCounter: OpCounter = { reads: 0, writes: 0 };
const forSecret = infraDeps(deps, drift, workCounter);
const s = forSecret(SECRET);
let done = 0;
let failed = 0;
const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const failures = await workBatch(s, async () => SECRET, event.Records, deps.logger);
  done += event.Records.length - failures.length;
  failed += failures.length;
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
};
const requestsBefore = ((await (await fetch(`${sandboxUrl}/__sandbox/requests`)).json()) as unknown[]).length;
const workStarted = performance.now();
let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 100);
await Promise.all(
  Array.from({ length: WORKERS }, () =>
    pollQueue({
      queueUrl,
      handler: handler as never,
      batchSize: 10,
      until: () => done >= dispatched.dispatched,
      timeoutMs: 3_600_000,
      functionName: 'aws-access-verifier-bench-driftWorker',
    }),
  ),
);
const workMs = performance.now() - workStarted;
clearInterval(sampler);
const requests = (await (await fetch(`${sandboxUrl}/__sandbox/requests`)).json()) as {
  service: string;
  operation: string;
}[];
const customer = requests.slice(requestsBefore).filter((r) => r.service === 'sts' || r.service === 's3');
const customerCalls = customer.length;
const byOperation = new Map<string, number>();
for (const r of customer) byOperation.set(r.operation, (byOperation.get(r.operation) ?? 0) + 1);

// ---- the figures ------------------------------------------------------------------------------------
const per = (n: number) => (n / CONNECTIONS).toFixed(2);
const ops = workCounter.reads + workCounter.writes;
console.log(`
drift: ${CONNECTIONS} connections, ${WORKERS} workers × 10 messages, ${LATENCY_MS} ms on every customer AWS call

| figure | value |
| --- | ---: |
| seeding the table (setup, not drift) | ${(seedMs / 1000).toFixed(1)} s |
| dispatch: references queued | ${dispatched.dispatched} (${dispatched.failed} failed) |
| dispatch: wall time | ${dispatched.durationMs} ms |
| dispatch: per 1,000 connections | ${((dispatched.durationMs / CONNECTIONS) * 1000).toFixed(0)} ms |
| dispatch: DynamoDB pages read (16 shards) | ${dispatched.pages} |
| work: wall time | ${(workMs / 1000).toFixed(1)} s |
| work: throughput | ${((done / workMs) * 1000).toFixed(1)} connections/s |
| work: per worker | ${((done / workMs / WORKERS) * 1000).toFixed(2)} connections/s |
| work: verified / failed deliveries | ${done} / ${failed} |
| DynamoDB operations per connection | ${per(ops)} (${per(workCounter.reads)} reads, ${per(workCounter.writes)} writes) |
| DynamoDB operations beyond the history write | ${(ops / CONNECTIONS - 1).toFixed(2)} |
| customer AWS calls per connection (STS, S3) | ${per(customerCalls)} (${[...byOperation].map(([op, n]) => `${op} ${per(n)}`).join(', ')}) |
| peak RSS of the worker process | ${(peakRss / 1024 / 1024).toFixed(0)} MB |
`);
process.exit(0);
