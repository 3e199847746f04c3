import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { savedDestination } from '../../sandbox/drift.ts';
import { type LocalDynamo, startDynamo } from '../../sandbox/dynamo.ts';
import { useSandbox } from '../../sandbox/harness.ts';
import { type Sandbox, startSandbox } from '../../sandbox/server.ts';
import { vendor, vendorTrust, type World } from '../../sandbox/world.ts';
import { seedPolicies } from '../../sandbox/worlds/seeds.ts';
import { CHECK_IDS } from '../../src/checks/index.ts';
import { loadConfig } from '../../src/core/config.ts';
import {
  type ChangeEvent,
  type DriftDeps,
  EventNotPublished,
  runDrift,
} from '../../src/core/drift/connections.ts';
import { localSealer } from '../../src/core/drift/seal.ts';
import { type ConnectionStore, connectionStore } from '../../src/core/drift/store.ts';
import { STALE_CLAIM_MS } from '../../src/core/drift/timing.ts';
import { workBatch } from '../../src/core/drift/worker.ts';
import { externalIdFor, parseSecret } from '../../src/core/external-id.ts';

/**
 * At most one run per connection per period, whatever the order of delivery, and at most one
 * change event: through the real store (dynalite), the real SDK and the sandbox's STS and S3.
 * Each path of issue 12: a late message, a redrive, publish then a failed finish, a refused
 * PutEvents then the takeover once the claim is stale, an unknown PutEvents outcome, a delete mid-run.
 */
const ACCOUNT = '111122223333';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/DestinationWriter`;
const TENANT = 't-once';
const SECRET = parseSecret('v1:drift-once-secret-0123456789abcdef0123456789');
const world = (canWrite: boolean): World => ({
  name: canWrite ? 'writer' : 'read-only',
  description: 'a destination writer, then without s3:PutObject',
  vendor: vendor(),
  roles: [
    {
      arn: ROLE,
      trust: vendorTrust(externalIdFor(SECRET, TENANT)),
      policies: canWrite
        ? [seedPolicies.seed001('acme-destination')]
        : [
            {
              Version: '2012-10-17',
              Statement: [
                { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::acme-destination' },
              ],
            },
          ],
    },
  ],
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
let client: DynamoDBClient;
let store: ConnectionStore;
const logger = new Logger({ logLevel: 'SILENT' });
const T0 = Date.parse('2026-12-02T00:00:00Z');

beforeAll(async () => {
  sandbox = await startSandbox({ world: world(true) });
  dynamo = await startDynamo();
  useSandbox(sandbox, world(true));
  client = new DynamoDBClient({ endpoint: dynamo.url, region: 'us-east-1' });
  store = connectionStore(client, dynamo.table);
});
afterAll(async () => {
  client.destroy();
  await sandbox.close();
  await dynamo.close();
});
beforeEach(() => sandbox.setWorld(world(true)));

/** Drift services over the real store; `faults` make one of its steps fail, once each. */
function services(published: ChangeEvent[], faults: { finish?: number; publish?: Error[] } = {}) {
  let dead = false;
  const failing: ConnectionStore = {
    ...store,
    async finish(...args) {
      if (faults.finish && faults.finish-- > 0) {
        dead = true;
        throw new Error('the worker died before finish');
      }
      return store.finish(...args);
    },
    async release(...args) {
      // A worker that died gives nothing back: its claim goes stale.
      if (dead) {
        dead = false;
        throw new Error('the worker is dead');
      }
      return store.release(...args);
    },
  };
  const s: DriftDeps = {
    config: loadConfig({ AWS_REGION: 'us-east-1', VENDOR_NAME: 'acme' }, CHECK_IDS),
    logger,
    store: failing,
    sealer: localSealer(SECRET),
    historyDays: 90,
    publish: async (e) => {
      const err = faults.publish?.shift();
      if (err) throw err;
      published.push(e);
    },
  };
  return s;
}

async function saved(): Promise<string> {
  const id = crypto.randomUUID();
  await store.create(savedDestination(TENANT, id, ROLE));
  return id;
}
const periods = async (id: string) => (await store.history(TENANT, id, 100)).map((r) => r.period);
const assumes = () => sandbox.requests.filter((r) => r.operation === 'AssumeRole').length;

describe('drift runs at most once per connection and period', () => {
  it('acknowledges a late message for an older period without running it; lastPeriod never moves back', async () => {
    const id = await saved();
    const s = services([]);
    const ref = { tenantId: TENANT, connectionId: id, period: '2026-12-02' };
    expect(await runDrift(s, SECRET, ref, T0)).toBe('verified');
    const calls = assumes();

    expect(await runDrift(s, SECRET, { ...ref, period: '2026-12-01' }, T0 + 1000)).toBe('superseded');
    expect(await runDrift(s, SECRET, ref, T0 + 2000)).toBe('duplicate');

    expect(assumes()).toBe(calls);
    expect((await store.get(TENANT, id))?.lastPeriod).toBe('2026-12-02');
    expect(await periods(id)).toEqual(['2026-12-02']);
  });

  it('acknowledges a dead-letter redrive of an older period through the worker: not failed, not run', async () => {
    const id = await saved();
    const s = services([]);
    const body = (period: string) => JSON.stringify({ tenantId: TENANT, connectionId: id, period });
    expect(
      await workBatch(s, async () => SECRET, [{ messageId: 'm1', body: body('2026-12-02') }], logger),
    ).toEqual([]);
    const calls = assumes();
    // Redriven from the dead-letter queue a day late, and delivered twice.
    const failed = await workBatch(
      s,
      async () => SECRET,
      [
        { messageId: 'm0', body: body('2026-12-01') },
        { messageId: 'm0b', body: body('2026-12-01') },
      ],
      logger,
    );
    expect(failed).toEqual([]);
    expect(assumes()).toBe(calls);
    expect(await periods(id)).toEqual(['2026-12-02']);
  });

  it('publishes a change once when finish failed after it: the takeover reuses the run and publishes nothing', async () => {
    const id = await saved();
    sandbox.setWorld(world(false));
    const published: ChangeEvent[] = [];
    const s = services(published, { finish: 1 });
    const ref = { tenantId: TENANT, connectionId: id, period: '2026-12-02' };
    await expect(runDrift(s, SECRET, ref, T0)).rejects.toThrow('died before finish');
    expect(published).toHaveLength(1);
    const calls = assumes();

    // Redelivered while the claim is fresh: retried later. Once stale: taken over.
    expect(await runDrift(s, SECRET, ref, T0 + 60_000)).toBe('busy');
    expect(await runDrift(s, SECRET, ref, T0 + STALE_CLAIM_MS + 1)).toBe('verified');

    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ period: '2026-12-02', status: { from: 'pass', to: 'fail' } });
    expect(assumes()).toBe(calls);
    expect(await periods(id)).toEqual(['2026-12-02']);
    expect(await store.get(TENANT, id)).toMatchObject({ lastStatus: 'fail', runState: 'done' });
  });

  it('publishes a change refused by EventBridge on the next delivery, once, reusing the run kept (no second run)', async () => {
    const id = await saved();
    sandbox.setWorld(world(false));
    const published: ChangeEvent[] = [];
    const s = services(published, {
      publish: [new EventNotPublished('change event not published: ThrottlingException')],
    });
    const ref = { tenantId: TENANT, connectionId: id, period: '2026-12-02' };
    await expect(runDrift(s, SECRET, ref, T0)).rejects.toThrow(EventNotPublished);
    const [kept] = await store.history(TENANT, id, 10);
    const calls = assumes();

    // The worker lived and gave its claim up: the next delivery, a minute later, takes over.
    expect(await runDrift(s, SECRET, ref, T0 + 60_000)).toBe('verified');
    // And a redelivery after that changes nothing.
    expect(await runDrift(s, SECRET, ref, T0 + 2 * STALE_CLAIM_MS)).toBe('duplicate');

    expect(published).toHaveLength(1);
    expect(published[0]?.verificationId).toBe(kept?.verificationId);
    expect(assumes()).toBe(calls);
    expect(await store.history(TENANT, id, 10)).toEqual([kept]);
  });

  it('never publishes twice when PutEvents’ outcome is unknown (a time-out): at most once, not at least', async () => {
    const id = await saved();
    sandbox.setWorld(world(false));
    const published: ChangeEvent[] = [];
    const timeout = Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
    const s = services(published, { publish: [timeout] });
    const ref = { tenantId: TENANT, connectionId: id, period: '2026-12-02' };
    await expect(runDrift(s, SECRET, ref, T0)).rejects.toThrow('socket hang up');
    expect(await runDrift(s, SECRET, ref, T0 + STALE_CLAIM_MS + 1)).toBe('verified');
    expect(published).toEqual([]);
    expect(await store.get(TENANT, id)).toMatchObject({ lastStatus: 'fail', runState: 'done' });
  });

  it('lets only the delivery that holds the claim finish: one that outlived its claim leaves it to the takeover', async () => {
    const id = await saved();
    sandbox.setWorld(world(false));
    const published: ChangeEvent[] = [];
    const s = services(published);
    const ref = { tenantId: TENANT, connectionId: id, period: '2026-12-02' };
    let takeover: Promise<string> | undefined;
    const slow: DriftDeps = {
      ...s,
      store: {
        ...store,
        async addRun(...args) {
          // This delivery stalls past the stale limit; another takes the period over meanwhile.
          takeover ??= runDrift(s, SECRET, ref, T0 + STALE_CLAIM_MS + 1);
          await takeover;
          return store.addRun(...args);
        },
      },
    };
    expect(await runDrift(slow, SECRET, ref, T0)).toBe('duplicate');
    expect(await takeover).toBe('verified');
    expect(published).toHaveLength(1);
    expect(await periods(id)).toEqual(['2026-12-02']);
  });

  it('removes its own run when the connection was deleted while it ran', async () => {
    const id = await saved();
    const s = services([]);
    const removing: DriftDeps = {
      ...s,
      store: {
        ...store,
        async addRun(...args) {
          const kept = await store.addRun(...args);
          // DELETE /connections/{id} lands between the history write and finish.
          await store.remove(TENANT, id);
          await store.removeHistory(TENANT, id);
          return kept;
        },
      },
    };
    const ref = { tenantId: TENANT, connectionId: id, period: '2026-12-02' };
    expect(await runDrift(removing, SECRET, ref, T0)).toBe('gone');
    expect(await store.history(TENANT, id, 10)).toEqual([]);
  });
});
