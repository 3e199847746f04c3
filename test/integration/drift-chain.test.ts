import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { ScheduledEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LocalDrift, startDrift } from '../../sandbox/drift.ts';
import { drain } from '../../sandbox/event-source.ts';
import { useSandbox } from '../../sandbox/harness.ts';
import { type Sandbox, startSandbox } from '../../sandbox/server.ts';
import { vendor, vendorTrust, type World } from '../../sandbox/world.ts';
import { seedPolicies } from '../../sandbox/worlds/seeds.ts';
import { MAX_RECEIVE_COUNT } from '../../src/core/drift/timing.ts';
import { externalIdFor, localDevSecret } from '../../src/core/external-id.ts';
import type { HttpEvent } from '../../src/handlers/http.ts';
import { contractChecked } from '../support/contract.ts';
import { httpEvent, lambdaContext } from '../support/events.ts';
import { driftFunctions, endpointsGone } from '../support/functions.ts';

/**
 * The drift chain end to end, locally: schedule → dispatcher → queue → worker → history →
 * change event, through the real handlers and SDK, dynalite and the sandbox's SQS and
 * EventBridge. A world changes between two periods; a message is redelivered; one is poison.
 */
const ACCOUNT = '111122223333';
const WRITER = `arn:aws:iam::${ACCOUNT}:role/DestinationWriter`;
const SEALER = `arn:aws:iam::${ACCOUNT}:role/KeyUser`;
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const TENANT = 't-drift';
const xid = externalIdFor(localDevSecret(), TENANT);

/** Day one as onboarded; day two with s3:PutObject removed from one role and the key disabled. */
const world = (changed: boolean): World => ({
  name: changed ? 'drifted' : 'onboarded',
  description: 'a destination writer and a key user',
  vendor: vendor(),
  roles: [
    {
      arn: WRITER,
      trust: vendorTrust(xid),
      policies: [
        changed
          ? {
              Version: '2012-10-17',
              Statement: [
                { Effect: 'Allow', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::acme-destination/*' },
              ],
            }
          : seedPolicies.seed001('acme-destination'),
      ],
    },
    {
      arn: SEALER,
      trust: vendorTrust(xid),
      policies: [
        {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'], Resource: KEY },
          ],
        },
      ],
    },
  ],
  buckets: [{ name: 'acme-destination', account: ACCOUNT, region: 'us-east-1' }],
  keys: [
    {
      arn: KEY,
      state: changed ? 'Disabled' : 'Enabled',
      policy: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: SEALER }, Action: 'kms:*', Resource: '*' }],
      },
    },
  ],
});

let sandbox: Sandbox;
let drift: LocalDrift;
let functions: ReturnType<typeof driftFunctions>;

// Each test has its own sandbox, table and queues: any one runs alone (`vitest run -t`).
beforeEach(async () => {
  sandbox = await startSandbox({ world: world(false) });
  useSandbox(sandbox, world(false));
  // A failed message comes back at once: the test need not wait out a visibility timeout.
  drift = await startDrift(sandbox, { visibilityTimeout: 0 });
  functions = driftFunctions(drift.env);
});
afterEach(async () => {
  endpointsGone(drift.env);
  await sandbox.close();
  await drift.close();
});

const connections = (event: HttpEvent) =>
  contractChecked(functions.connections)(event, lambdaContext('connections'));
const dispatcher = (event: ScheduledEvent) => functions.dispatcher(event, lambdaContext('driftDispatch'));

async function save(body: unknown): Promise<string> {
  const res = await connections(
    httpEvent({ path: '/connections', body: JSON.stringify(body), claims: { tenant_id: TENANT } }),
  );
  expect(res.statusCode, res.body).toBe(201);
  return JSON.parse(res.body ?? '{}').connection.connectionId;
}

async function history(id: string): Promise<string[]> {
  const event = httpEvent({
    method: 'GET',
    path: '/connections/{id}/history',
    claims: { tenant_id: TENANT },
  });
  event.pathParameters = { id };
  event.requestContext.http.path = `/connections/${id}/history`;
  const res = await connections(event);
  return JSON.parse(res.body ?? '{}').runs.map(
    (r: { period: string; status: string }) => `${r.period} ${r.status}`,
  );
}

const schedule = (time: string): ScheduledEvent => ({
  version: '0',
  id: 'cdc73f9d-aea9-11e3-9d5a-835b769c0d9c',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '999988887777',
  time,
  region: 'us-east-1',
  resources: ['arn:aws:events:us-east-1:999988887777:rule/aws-access-verifier-dev-drift'],
  detail: {},
});

const work = () =>
  drain({
    queueUrl: drift.queueUrl,
    handler: functions.worker as never,
    functionName: 'aws-access-verifier-dev-driftWorker',
  });

const assumeRoles = () => sandbox.requests.filter((r) => r.operation === 'AssumeRole').length;

/** Both connections saved while the world is as onboarded: the writer's id, the sealer's. */
async function onboard(): Promise<{ writer: string; sealer: string }> {
  const writer = await save({
    credentials: { type: 'role', roleArn: WRITER },
    region: 'us-east-1',
    profile: 'destination',
    s3: [{ bucket: 'acme-destination' }],
  });
  const sealer = await save({
    credentials: { type: 'role', roleArn: SEALER },
    region: 'us-east-1',
    kms: [{ keyArn: KEY }],
  });
  return { writer, sealer };
}

/** Onboarded, re-verified on day one, then the customer's change and day two's run. */
async function driftedOnDayTwo(): Promise<{ writer: string; sealer: string }> {
  const saved = await onboard();
  await dispatcher(schedule('2026-12-01T00:00:00Z'));
  expect(await work()).toMatchObject({ drained: true, failed: [] });
  sandbox.setWorld(world(true));
  await dispatcher(schedule('2026-12-02T00:00:00Z'));
  expect(await work()).toMatchObject({ drained: true });
  return saved;
}

describe('drift, end to end', () => {
  it('re-verifies every saved connection once per period, and stays quiet while nothing changed', async () => {
    const { writer, sealer } = await onboard();

    const sent = await dispatcher(schedule('2026-12-01T00:00:00Z'));
    expect(sent).toMatchObject({ dispatched: 2, failed: 0 });
    const run = await work();
    expect(run).toMatchObject({ drained: true, failed: [] });
    expect(await history(writer)).toEqual(['2026-12-01 pass', 'onboarding pass']);
    expect(await history(sealer)).toEqual(['2026-12-01 pass', 'onboarding pass']);
    expect(sandbox.events).toEqual([]);
  });

  it('says, in exactly one event per connection, which checks changed when the customer changed something', async () => {
    const { writer, sealer } = await driftedOnDayTwo();

    expect(await history(writer)).toEqual(['2026-12-02 fail', '2026-12-01 pass', 'onboarding pass']);
    expect(await history(sealer)).toEqual(['2026-12-02 fail', '2026-12-01 pass', 'onboarding pass']);
    expect(sandbox.events).toHaveLength(2);
    const details = sandbox.events.map((e) => {
      expect(e).toMatchObject({
        source: 'aws-access-verifier',
        detailType: 'Connection Access Changed',
        eventBusName: 'default',
      });
      return JSON.parse(e.detail);
    });
    const byConnection = Object.fromEntries(details.map((d) => [d.connectionId, d]));
    expect(byConnection[writer]).toMatchObject({
      tenantId: TENANT,
      period: '2026-12-02',
      status: { from: 'pass', to: 'fail' },
      // Seed 001 grants no s3:ListBucket: once the write is refused too, nothing confirms the
      // bucket is the customer's any more, so s3.bucket-region no longer passes either.
      changes: [
        { check: 's3.bucket-region', target: 's3://acme-destination/', from: 'pass', to: 'fail' },
        { check: 's3.write', target: 's3://acme-destination/', from: 'pass', to: 'fail' },
      ],
    });
    expect(
      byConnection[sealer].changes.map((c: { check: string; to: string }) => `${c.check} ${c.to}`).sort(),
    ).toEqual(['kms.decrypt skip', 'kms.encrypt fail', 'kms.generate-data-key fail']);
  });

  it('does not verify a redelivered message twice, and sends a poisoned one to the dead-letter queue alone', async () => {
    const { writer } = await driftedOnDayTwo();
    const roles = assumeRoles();
    const events = sandbox.events.length;
    const sqs = new SQSClient({ endpoint: sandbox.url, region: 'us-east-1' });
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: drift.queueUrl,
        Entries: [
          {
            Id: 'again',
            MessageBody: JSON.stringify({ tenantId: TENANT, connectionId: writer, period: '2026-12-02' }),
          },
          { Id: 'poison', MessageBody: '{"tenantId":"t-drift","connectionId":"../../etc"}' },
        ],
      }),
    );
    sqs.destroy();

    const run = await work();

    // The redelivery was acknowledged without a verification; the poison failed alone, each time.
    expect(assumeRoles()).toBe(roles);
    expect(sandbox.events.length).toBe(events);
    expect(await history(writer)).toHaveLength(3);
    expect(run.drained).toBe(true);
    expect(run.failed.length).toBe(MAX_RECEIVE_COUNT);
    const dlq = sandbox.queues.get('aws-access-verifier-dev-drift-dlq');
    expect(dlq?.messages.map((m) => m.body)).toEqual(['{"tenantId":"t-drift","connectionId":"../../etc"}']);
  });
});
