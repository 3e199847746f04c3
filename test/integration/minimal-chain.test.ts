import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useSandbox } from '../../sandbox/harness.ts';
import { type Sandbox, startSandbox } from '../../sandbox/server.ts';
import { vendor, vendorTrust, type World } from '../../sandbox/world.ts';
import { seedPolicies } from '../../sandbox/worlds/seeds.ts';
import { minimalChain } from '../../scripts/minimal-chain.ts';

/**
 * The floor `npm run bench` compares verify with must be the chain it claims: AssumeRole, then
 * per bucket PutObject → GetObject → DeleteObject, each step after the last, nothing else, and
 * nothing left in the bucket.
 */
const ROLE = 'arn:aws:iam::111122223333:role/VendorAccess';
const buckets = ['floor-a', 'floor-b'];
const world: World = {
  name: 'floor',
  description: 'two staging buckets',
  vendor: vendor(),
  roles: [
    { arn: ROLE, trust: vendorTrust('xid-floor'), policies: buckets.map((b) => seedPolicies.seed003(b)) },
  ],
  buckets: buckets.map((name) => ({ name, account: '111122223333', region: 'us-east-1' })),
};

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ world });
  useSandbox(sandbox, world);
});
afterAll(async () => sandbox?.close());

describe('the minimal chain of the benchmark', () => {
  it('makes exactly the staging chain per bucket, in order, and leaves nothing behind', async () => {
    const before = sandbox.snapshotObjects();
    await minimalChain({
      roleArn: ROLE,
      externalId: 'xid-floor',
      region: 'us-east-1',
      buckets: buckets.map((bucket) => ({ bucket, prefix: 'vendor/exports/' })),
    });
    const calls = sandbox.requests.map((r) => [r.operation, r.bucket ?? '', r.status]);
    expect(calls[0]).toEqual(['AssumeRole', '', 200]);
    for (const b of buckets)
      expect(calls.filter((c) => c[1] === b)).toEqual([
        ['PutObject', b, 200],
        ['GetObject', b, 200],
        ['DeleteObject', b, 204],
      ]);
    expect(calls).toHaveLength(1 + 3 * buckets.length);
    expect(sandbox.snapshotObjects()).toEqual(before);
  });
});
