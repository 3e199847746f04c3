import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_TABLE } from '../../sandbox/drift.ts';
import { type LocalDynamo, startDynamo } from '../../sandbox/dynamo.ts';
import { useSandbox } from '../../sandbox/harness.ts';
import { type Sandbox, startSandbox } from '../../sandbox/server.ts';
import { runSoak, type SoakFigures, soakTable } from '../../sandbox/soak.ts';
import { vendor } from '../../sandbox/world.ts';

/**
 * The fault soak of `npm run bench:drift -- --faults`, small: the same code, a few hundred
 * connections, fault rates raised so that every path is taken at this size.
 */
let sandbox: Sandbox;
let dynamo: LocalDynamo;
let figures: SoakFigures;

beforeAll(async () => {
  const v = vendor();
  sandbox = await startSandbox({
    world: { name: 'empty', description: 'replaced by the soak', vendor: v, roles: [], buckets: [] },
  });
  dynamo = await startDynamo(LOCAL_TABLE, 0, { throttleWrites: 0.05 });
  useSandbox(sandbox, { name: 'empty', description: '', vendor: v, roles: [], buckets: [] });
  process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.url;
  figures = await runSoak({
    sandboxUrl: sandbox.url,
    dynamoUrl: dynamo.url,
    table: LOCAL_TABLE,
    connections: 100,
    workers: 3,
    changed: 0.2,
    redeliver: 0.1,
    die: 0.08,
    publishFail: 0.2,
    poisonEvery: 50,
    visibilitySeconds: 10,
    timeoutMs: 420_000,
  });
}, 480_000);
afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
  await sandbox?.close();
  await dynamo?.close();
});

describe('the drift fault soak', () => {
  it('runs each connection once, publishes each change once, loses nothing, dead-letters only the poison', () => {
    const table = soakTable(figures);
    expect(
      table.rows.filter((r) => !r[3]),
      JSON.stringify(figures),
    ).toEqual([]);
    expect(figures).toMatchObject({
      connections: 100,
      changed: 20,
      poison: 2,
      runs: { min: 1, max: 1 },
      finishes: { min: 1, max: 1 },
      eventsChanged: { min: 1, max: 1 },
      eventsUnchanged: 0,
      lost: 0,
      deadLetters: 2,
      deadLettersArePoison: true,
    });
  });

  it('took every fault path it claims to', () => {
    expect(figures.injected.redelivered).toBeGreaterThan(0);
    expect(figures.injected.died).toBeGreaterThan(0);
    expect(figures.injected.throttled).toBeGreaterThan(0);
    expect(figures.injected.publishFailed).toBeGreaterThan(0);
  });
});
