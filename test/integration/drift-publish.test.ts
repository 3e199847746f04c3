import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useSandbox } from '../../sandbox/harness.ts';
import { type Sandbox, startSandbox } from '../../sandbox/server.ts';
import { vendor, type World } from '../../sandbox/world.ts';
import { CHECK_IDS } from '../../src/checks/index.ts';
import { loadConfig } from '../../src/core/config.ts';
import { type ChangeEvent, EventNotPublished } from '../../src/core/drift/connections.ts';
import { type DriftInfra, driftInfra } from '../../src/core/drift/infra.ts';

/**
 * The change event through the real EventBridge client and the sandbox's bus: at most once
 * also when the SDK is the one that would send it again. PutEvents is not idempotent, and the
 * SDK's standard retries resend after a lost answer, which the sandbox reproduces with
 * `dropAfter` (the bus takes the event, the connection drops before the answer).
 */
const world: World = {
  name: 'bus',
  description: 'the vendor’s bus',
  vendor: vendor(),
  roles: [],
  buckets: [],
};
const event: ChangeEvent = {
  tenantId: 't-bus',
  connectionId: '0b8f6a2e-3c1d-4e5f-9a7b-1c2d3e4f5a6b',
  period: '2026-12-02',
  verificationId: 'v-1',
  status: { from: 'pass', to: 'fail' },
  changes: [{ check: 's3.write', target: 'acme-destination', from: 'pass', to: 'fail' }],
};

let sandbox: Sandbox;
let infra: DriftInfra;
const putEvents = () => sandbox.requests.filter((r) => r.operation === 'PutEvents').length;

beforeAll(async () => {
  sandbox = await startSandbox({ world });
  useSandbox(sandbox, world);
  const config = loadConfig(
    { AWS_REGION: 'us-east-1', CONNECTIONS_TABLE: 'unused', DRIFT_QUEUE_NAME: 'unused' },
    CHECK_IDS,
  );
  if (!config.drift) throw new Error('drift configuration missing');
  infra = driftInfra(config.drift, config.region);
});
afterAll(async () => {
  infra?.close();
  await sandbox?.close();
});
beforeEach(() => {
  sandbox.setWorld(world);
  sandbox.events.length = 0;
  sandbox.requests.length = 0;
});

describe('publishing the change event', () => {
  it('sends an event whose answer was lost once, not again: its outcome is unknown, not refused', async () => {
    sandbox.setFaults([{ service: 'events', operation: 'PutEvents', dropAfter: true, times: 1 }]);
    const failure = await infra.publish(event).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(Error);
    // Not `EventNotPublished`: that would give the event's claim back, and the next delivery
    // would send it a second time.
    expect(failure).not.toBeInstanceOf(EventNotPublished);
    expect(putEvents()).toBe(1);
    expect(sandbox.events.map((e) => JSON.parse(e.detail))).toEqual([event]);
  });

  it('sends again what EventBridge refused with an answer, as the SDK retries it: once on the bus', async () => {
    sandbox.setFaults([
      {
        service: 'events',
        operation: 'PutEvents',
        error: { status: 400, code: 'ThrottlingException', message: 'Rate exceeded' },
        times: 1,
      },
    ]);
    await infra.publish(event);
    expect(putEvents()).toBe(2);
    expect(sandbox.events).toHaveLength(1);
  });

  it('reports a refusal on every attempt as not published, so the next delivery sends it', async () => {
    sandbox.setFaults([
      {
        service: 'events',
        operation: 'PutEvents',
        error: { status: 500, code: 'InternalException', message: 'Internal error' },
      },
    ]);
    await expect(infra.publish(event)).rejects.toBeInstanceOf(EventNotPublished);
    expect(putEvents()).toBe(3);
    expect(sandbox.events).toEqual([]);
  });
});
