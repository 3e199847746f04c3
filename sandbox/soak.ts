import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import type { LogItemExtraInput, LogItemMessage } from '@aws-lambda-powertools/logger/types';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { CHECK_IDS } from '../src/checks/index.ts';
import { loadConfig } from '../src/core/config.ts';
import { createConnection, type DriftDeps } from '../src/core/drift/connections.ts';
import { dispatch } from '../src/core/drift/dispatch.ts';
import { driftInfra } from '../src/core/drift/infra.ts';
import { localSealer } from '../src/core/drift/seal.ts';
import { connectionStore, type StoredConnection } from '../src/core/drift/store.ts';
import { workBatch } from '../src/core/drift/worker.ts';
import { externalIdFor, parseSecret } from '../src/core/external-id.ts';
import { createDriftQueues } from './drift.ts';
import { pollQueue } from './event-source.ts';
import type { Fault } from './server.ts';
import { countSoak, queueDepth, type SoakFigures, throttledCount } from './soak-count.ts';
import { vendor, vendorTrust, type World } from './world.ts';
import { seedPolicies } from './worlds/seeds.ts';

/**
 * The drift fault soak: saved connections through the real dispatcher, the sandbox's queue and
 * the real worker core, with faults injected where they happen in production: deliveries
 * repeated, workers dying mid-run (their claim left behind), DynamoDB throttling writes (a proxy
 * in front of dynalite: `startDynamo({ throttleWrites })`), EventBridge failing entries, and
 * poison messages. Time runs `timeScale` times faster for the worker's claims than for the
 * queue, so the 360 s visibility timeout and the two-minute stale claim keep their production
 * ratio in seconds. `npm run bench:drift -- --faults` runs 10,000; a test runs a few hundred.
 */

export interface SoakOptions {
  sandboxUrl: string;
  dynamoUrl: string;
  table: string;
  connections: number;
  workers: number;
  /** Share of connections whose customer drops s3:PutObject before the period (pass → fail). */
  changed: number;
  /** Share of deliveries processed and then delivered again (their delete lost). */
  redeliver: number;
  /** Share of connections whose first delivery's worker dies mid-run, leaving its claim. */
  die: number;
  /** Share of PutEvents calls whose entry EventBridge fails. */
  publishFail: number;
  /** One poison message per this many connections. */
  poisonEvery: number;
  /** The queue's visibility timeout, in real seconds, standing for production's 360 s. */
  visibilitySeconds: number;
  /** Bounds the whole soak (real ms). */
  timeoutMs: number;
  period?: string;
  /** Told when each phase begins. */
  progress?: (phase: string) => void;
}

export { type SoakFigures, soakTable } from './soak-count.ts';

/** What a dying worker throws: it stands for the process ending at that point. */
class WorkerDied extends Error {
  override name = 'WorkerDied';
}

const ACCOUNT = '111122223333';
const WRITER = `arn:aws:iam::${ACCOUNT}:role/DestinationWriter`;
const DRIFTER = `arn:aws:iam::${ACCOUNT}:role/DestinationDrifter`;
const TENANT = 't-soak';
const SECRET = parseSecret('v1:drift-soak-secret-0123456789abcdef0123456789');

const soakWorld = (drifted: boolean): World => ({
  name: drifted ? 'soak-drifted' : 'soak',
  description: 'destination roles; one loses s3:PutObject after onboarding',
  vendor: vendor(),
  roles: [WRITER, DRIFTER].map((arn) => ({
    arn,
    trust: vendorTrust(externalIdFor(SECRET, TENANT)),
    policies:
      drifted && arn === DRIFTER
        ? [
            {
              Version: '2012-10-17',
              Statement: [
                { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::acme-destination' },
              ],
            },
          ]
        : [seedPolicies.seed001('acme-destination')],
  })),
  buckets: [{ name: 'acme-destination', account: ACCOUNT, region: 'us-east-1' }],
});

export async function runSoak(o: SoakOptions): Promise<SoakFigures> {
  const began = performance.now();
  const period = o.period ?? '2026-12-02';
  const control = async (path: string, body: unknown) => {
    const res = await fetch(`${o.sandboxUrl}/__sandbox/${path}`, {
      method: 'PUT',
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`sandbox control ${path}: ${res.status}`);
  };
  await control('world', soakWorld(false));
  await control('faults', []);
  const q = await createDriftQueues(o.sandboxUrl, o.visibilitySeconds);
  const config = loadConfig(
    {
      AWS_REGION: 'us-east-1',
      VENDOR_NAME: 'soak',
      CONNECTIONS_TABLE: o.table,
      DRIFT_QUEUE_URL: q.queueUrl,
    },
    CHECK_IDS,
  );
  const drift = config.drift;
  if (!drift) throw new Error('drift configuration missing');
  // Keeps why each failed message failed, for the trails of the connections off an invariant.
  const errors = new Map<string, string>();
  const logger = new (class extends Logger {
    override error(input: LogItemMessage, ...extra: LogItemExtraInput) {
      const e = extra[0] as { messageId?: string; error?: string } | undefined;
      if (e?.messageId) errors.set(e.messageId, e.error ?? String(input));
      super.error(input, ...extra);
    }
  })({ logLevel: (process.env.SOAK_LOG_LEVEL as 'ERROR') ?? 'SILENT' });
  const infra = driftInfra(drift, config.region);
  const sealer = localSealer(SECRET);
  const base: DriftDeps = {
    config,
    logger,
    store: infra.store,
    sealer,
    historyDays: 90,
    publish: (e) => infra.publish(e),
  };

  o.progress?.('onboarding');
  // ---- onboarding: one real verification per role, its checks copied onto every connection ----
  const templates = new Map<string, StoredConnection>();
  for (const role of [WRITER, DRIFTER]) {
    const out = await createConnection(base, TENANT, SECRET, {
      credentials: { type: 'role', roleArn: role },
      region: 'us-east-1',
      profile: 'destination',
      s3: [{ bucket: 'acme-destination' }],
    });
    if (!out.saved) throw new Error(`onboarding ${role}: ${out.report.status}`);
    const saved = await infra.store.get(TENANT, out.connection.connectionId);
    if (!saved) throw new Error('onboarded connection missing');
    await infra.store.remove(TENANT, saved.connectionId);
    await infra.store.removeHistory(TENANT, saved.connectionId);
    templates.set(role, saved);
  }
  const changedIds = new Set<string>();
  const ids: string[] = [];
  const seedClient = new DynamoDBClient({ endpoint: o.dynamoUrl, region: 'us-east-1' });
  // Seeding is not under test: its writes go around the throttling proxy's faults by retrying.
  const seeder = connectionStore(seedClient, o.table);
  for (let i = 0; i < o.connections; i += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, o.connections - i) }, async (_, j) => {
        const changed = (i + j) % Math.round(1 / o.changed) === 0;
        const template = templates.get(changed ? DRIFTER : WRITER) as StoredConnection;
        const connectionId = randomUUID();
        ids.push(connectionId);
        if (changed) changedIds.add(connectionId);
        for (let attempt = 0; ; attempt++) {
          try {
            await seeder.create({ ...template, connectionId });
            return;
          } catch (err) {
            if (attempt >= 5 || (err as Error).name !== 'ProvisionedThroughputExceededException') throw err;
          }
        }
      }),
    );
  }
  seedClient.destroy();

  o.progress?.('faults on');
  // ---- the customer changes something; faults on ---------------------------------------------
  await control('world', soakWorld(true));
  const failedEntry = {
    service: 'events',
    operation: 'PutEvents',
    failEntries: true,
    error: { status: 200, code: 'InternalFailure', message: 'Internal Failure' },
  } as const;
  // The first PutEvents fails whatever the dice say: twenty changed connections at 20% still
  // left the path untaken in about one run of a hundred.
  const faults: Fault[] = [
    ...(o.publishFail > 0 ? [{ ...failedEntry, times: 1 }] : []),
    { ...failedEntry, rate: o.publishFail },
  ];
  await control('faults', faults);
  const throttledBefore = await throttledCount(o.dynamoUrl);

  o.progress?.('dispatch');
  // ---- dispatch, then the poison ----------------------------------------------------------------
  // A failed dispatch is retried whole, as the schedule retries the function: the claim makes
  // the references queued twice free (a loaded sandbox can refuse connections here).
  let queued = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      const out = await dispatch(infra.store, (refs) => infra.send(refs), period);
      queued += out.dispatched;
      if (out.failed === 0) break;
    } catch (err) {
      if (attempt >= 3) throw err;
      o.progress?.(`dispatch retried: ${(err as Error).name}`);
      continue;
    }
    if (attempt >= 3) throw new Error(`dispatch left references unqueued after ${attempt} attempts`);
  }
  if (queued < o.connections) throw new Error(`dispatch queued ${queued} of ${o.connections}`);
  const poisonCount = Math.floor(o.connections / o.poisonEvery);
  const poison = Array.from({ length: poisonCount }, (_, i) =>
    i % 2 === 0
      ? `{"tenantId":"${TENANT}","connectionId":"not-a-uuid-${i}","period":"${period}"}`
      : `poison ${i}`,
  );
  const sqs = new SQSClient({ region: 'us-east-1', endpoint: o.sandboxUrl });
  for (let i = 0; i < poison.length; i += 10) {
    const Entries = poison.slice(i, i + 10).map((MessageBody, n) => ({ Id: String(n), MessageBody }));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: q.queueUrl, Entries }));
  }

  o.progress?.('workers');
  // ---- the workers, with their faults -----------------------------------------------------------
  const timeScale = 360 / o.visibilitySeconds;
  const t0 = Date.now();
  const now = () => t0 + (Date.now() - t0) * timeScale;
  const runs = new Map<string, number>();
  const finishes = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  const dying = new Map<string, 'before-history' | 'before-finish' | 'after-publish'>();
  const stages = ['before-history', 'before-finish', 'after-publish'] as const;
  for (const id of ids) {
    // Only a changed connection publishes, so only it can die after publishing.
    const reachable = changedIds.has(id) ? stages.length : 2;
    if (Math.random() < o.die)
      dying.set(id, stages[Math.floor(Math.random() * reachable)] ?? 'before-finish');
  }
  const injected = { redelivered: 0, died: 0, throttled: 0, publishFailed: 0 };
  let verifications = 0;
  /** The connections a batch's dying worker was running: its invocation ends without an answer. */
  const crashedBatches = new Set<string>();
  const dieAt = (id: string, stage: string, batch: string) => {
    if (dying.get(id) !== stage) return;
    dying.delete(id);
    injected.died++;
    crashedBatches.add(batch);
    throw new WorkerDied(`worker died ${stage}`);
  };

  const servicesFor = (batch: string): DriftDeps => ({
    ...base,
    now,
    store: {
      ...infra.store,
      async addRun(tenantId, connectionId, run, ttl) {
        verifications++;
        dieAt(connectionId, 'before-history', batch);
        const kept = await infra.store.addRun(tenantId, connectionId, run, ttl);
        if (kept) bump(runs, connectionId);
        return kept;
      },
      async release(tenantId, connectionId, token) {
        // A worker that died gives nothing back: its claim goes stale.
        if (crashedBatches.has(batch)) throw new WorkerDied('a dead worker releases nothing');
        return infra.store.release(tenantId, connectionId, token);
      },
      async finish(tenantId, connectionId, run, token) {
        dieAt(connectionId, 'before-finish', batch);
        const out = await infra.store.finish(tenantId, connectionId, run, token);
        if (out === 'done') bump(finishes, connectionId);
        return out;
      },
    },
    publish: async (e) => {
      try {
        await infra.publish(e);
      } catch (err) {
        injected.publishFailed++;
        throw err;
      }
      dieAt(e.connectionId, 'after-publish', batch);
    },
  });

  const decided = new Set<string>();
  // What each delivery met, per connection: a loss is explained by its trail, not guessed at.
  const trails = new Map<string, string[]>();
  const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const batch = randomUUID();
    const started = ((Date.now() - t0) / 1000).toFixed(1);
    const failed = await workBatch(servicesFor(batch), async () => SECRET, event.Records, logger);
    for (const r of event.Records) {
      const id = /"connectionId":"([^"]+)"/.exec(r.body)?.[1] ?? r.messageId;
      const what = crashedBatches.has(batch)
        ? `batch crashed${failed.includes(r.messageId) ? `, ${errors.get(r.messageId) ?? 'busy'}` : ''}`
        : failed.includes(r.messageId)
          ? (errors.get(r.messageId) ?? 'busy')
          : 'done';
      trails.set(id, [
        ...(trails.get(id) ?? []),
        `#${r.attributes.ApproximateReceiveCount} ${started}–${((Date.now() - t0) / 1000).toFixed(1)}s ${what}`,
      ]);
    }
    if (crashedBatches.has(batch)) throw new WorkerDied('the invocation ended with its worker');
    // A delete that never reached SQS: the message comes back though it was processed.
    for (const r of event.Records) {
      // Once per message, on its first processing: not by receive count, which a loaded
      // machine raises before any fault (a delivery that outlived its visibility timeout).
      if (failed.includes(r.messageId) || decided.has(r.messageId)) continue;
      decided.add(r.messageId);
      if (Math.random() < o.redeliver) {
        injected.redelivered++;
        failed.push(r.messageId);
      }
    }
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  };

  let checkedAt = 0;
  const settled = async () => {
    if (finishes.size < o.connections) return false;
    if (Date.now() - checkedAt < 250) return false;
    checkedAt = Date.now();
    const [dlq, main] = await Promise.all([queueDepth(sqs, q.deadLetterUrl), queueDepth(sqs, q.queueUrl)]);
    return dlq >= poisonCount && main === 0;
  };
  const deadline = Date.now() + o.timeoutMs;
  await Promise.all(
    Array.from({ length: o.workers }, () =>
      pollQueue({
        queueUrl: q.queueUrl,
        sqs,
        handler: handler as never,
        batchSize: 10,
        until: settled,
        timeoutMs: Math.max(0, deadline - Date.now()),
        functionName: 'aws-access-verifier-soak-driftWorker',
      }),
    ),
  );
  await control('faults', []);
  injected.throttled = (await throttledCount(o.dynamoUrl)) - throttledBefore;

  o.progress?.('counting');
  const counted = await countSoak(
    { sandboxUrl: o.sandboxUrl, dynamoUrl: o.dynamoUrl, table: o.table, queues: q },
    { period, ids, changedIds, poison, runs, finishes, trails },
  );
  sqs.destroy();
  infra.close();
  return {
    connections: o.connections,
    ...counted,
    injected,
    verifications,
    wallMs: Math.round(performance.now() - began),
  };
}
