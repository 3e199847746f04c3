/**
 * Peak memory of a drift worker batch, for `npm run bench` (scripts/bench.ts calls it): the
 * bundled driftWorker handler, alone in a process as on Lambda, works batches of ten messages
 * (serverless.ts's batchSize) against the sandbox and a local DynamoDB, ten saved connections
 * each verifying its own bucket. Its heap is capped as the function's memory would cap it.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { savedDestination, startDrift } from '../sandbox/drift.ts';
import { sandboxEnv } from '../sandbox/env.ts';
import { startSandbox } from '../sandbox/server.ts';
import { vendor, vendorTrust } from '../sandbox/world.ts';
import { seedPolicies } from '../sandbox/worlds/seeds.ts';
import { connectionStore } from '../src/core/drift/store.ts';
import { externalIdFor, localDevSecret } from '../src/core/external-id.ts';
import { buildDeployed } from './bundle-sizes.ts';

const root = join(import.meta.dirname, '..');
const TENANT = 't-bench-drift';
const ROLE = 'arn:aws:iam::111122223333:role/VendorAccess';
export const BATCH = 10;

export interface BatchPeak {
  maxRssMb: number;
  /** Messages that failed over every batch: a figure from a broken run is no figure. */
  failed: number;
  /** Drift runs the table kept: one per message when the batches really verified. */
  runs: number;
  batches: number;
}

/** The worker process: the bundle's handler on `batches` batches, one period each, then its peak RSS. */
const workerScript = (bundle: string, refs: string[], batches: number) => `
const { handler } = await import(${JSON.stringify(pathToFileURL(bundle).href)});
const context = { awsRequestId: 'bench', functionName: 'driftWorker', getRemainingTimeInMillis: () => 60000 };
let failed = 0;
for (let b = 0; b < ${batches}; b++) {
  const period = '2026-12-' + String(b + 1).padStart(2, '0');
  const Records = ${JSON.stringify(refs)}.map((c, i) => ({ messageId: b + '-' + i, body: JSON.stringify({ tenantId: ${JSON.stringify(TENANT)}, connectionId: c, period }) }));
  failed += (await handler({ Records }, context)).batchItemFailures.length;
}
console.log(JSON.stringify({ maxRssMb: process.resourceUsage().maxRSS / 1024, failed }));
`;

export async function driftBatchPeak(out: string, heapMb: number, batches = 3): Promise<BatchPeak> {
  const file = await buildDeployed(join(root, 'src/handlers/drift-worker.ts'), join(out, 'drift-worker'));
  const buckets = Array.from({ length: BATCH }, (_, i) => `drift-bench-${i}`);
  const v = vendor();
  const sandbox = await startSandbox({
    world: {
      name: 'drift batch',
      description: `${BATCH} saved seed-001 destinations of one tenant`,
      vendor: v,
      roles: [
        {
          arn: ROLE,
          trust: vendorTrust(externalIdFor(localDevSecret(), TENANT)),
          policies: buckets.map((b) => seedPolicies.seed001(b)),
        },
      ],
      buckets: buckets.map((name) => ({ name, account: '111122223333', region: 'us-east-1' })),
    },
  });
  const drift = await startDrift(sandbox, { credentials: v });
  const dynamo = new DynamoDBClient({ endpoint: drift.dynamo.url, region: 'us-east-1', credentials: v });
  try {
    const store = connectionStore(dynamo, drift.dynamo.table);
    const refs = buckets.map(() => randomUUID());
    for (const [i, id] of refs.entries())
      await store.create(savedDestination(TENANT, id, ROLE, buckets[i] as string));
    // Not spawnSync: the sandbox and the local DynamoDB answer from this process's event loop.
    const child = spawn(
      process.execPath,
      [`--max-old-space-size=${heapMb}`, '--input-type=module', '-e', workerScript(file, refs, batches)],
      {
        cwd: root,
        timeout: 180_000,
        env: {
          PATH: process.env.PATH ?? '',
          ...sandboxEnv(sandbox.url, v),
          ...drift.env,
          AWS_REGION: 'us-east-1',
          POWERTOOLS_LOG_LEVEL: 'SILENT',
          POWERTOOLS_METRICS_DISABLED: 'true',
        },
      },
    );
    const r = { stdout: '', stderr: '' };
    child.stdout.on('data', (c: Buffer) => {
      r.stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      r.stderr += c.toString();
    });
    await new Promise((resolve) => child.on('close', resolve));
    const last = r.stdout.trim().split('\n').at(-1) ?? '';
    if (!last.startsWith('{'))
      throw new Error(`the drift worker failed: ${(r.stderr || r.stdout).slice(-2000)}`);
    const kept = await Promise.all(refs.map((id) => store.history(TENANT, id, batches + 1)));
    const peak = JSON.parse(last) as Pick<BatchPeak, 'maxRssMb' | 'failed'>;
    return { ...peak, runs: kept.flat().length, batches };
  } finally {
    dynamo.destroy();
    await drift.close();
    await sandbox.close();
  }
}

if (import.meta.main) console.log(await driftBatchPeak(join(root, '.bench'), 460));
