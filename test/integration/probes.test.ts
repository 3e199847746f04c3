import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disagreements, runWorld } from '../../sandbox/harness.ts';
import { type Sandbox, startSandbox } from '../../sandbox/server.ts';
import { vendor, vendorTrust, type WorldCase } from '../../sandbox/world.ts';
import { WORLDS } from '../../sandbox/worlds/index.ts';
import { seedPolicies } from '../../sandbox/worlds/seeds.ts';
import { probeBody, probeKey } from '../../src/checks/s3/probe.ts';

/**
 * What the service does to a customer's resources, through the real SDK against the sandbox:
 * which calls it makes, in what order, and what it leaves behind.
 */
let sandbox: Sandbox;

const world = (name: string) => {
  const c = WORLDS[name];
  if (!c) throw new Error(`no world ${name}`);
  return c;
};

beforeAll(async () => {
  sandbox = await startSandbox({ world: world('seed-003-staging').world('unused') });
});
afterAll(async () => {
  await sandbox.close();
});

describe('the confused deputy', () => {
  it('never touches the bucket of a role whose trust lacks the external ID', async () => {
    sandbox.requests.length = 0;
    const c = world('confused-deputy');

    const { report, before, after } = await runWorld(c, sandbox);

    expect(disagreements(c, report)).toEqual([]);
    expect(sandbox.requests.filter((r) => r.service === 's3')).toEqual([]);
    expect(after).toEqual(before);
  });

  it('runs the external-ID probes beside the real AssumeRole: the chain does not grow', async () => {
    const c = world('seed-003-staging');
    sandbox.setWorld(c.world('unused'));
    // Every AssumeRole takes 600 ms: were the probes to wait for the real one, the first S3
    // call could not start before 1,200 ms.
    const latencyMs = 600;
    sandbox.setFaults([{ service: 'sts', operation: 'AssumeRole', latencyMs, times: 100 }]);
    sandbox.requests.length = 0;
    try {
      const { report } = await runWorld(c, sandbox);

      expect(disagreements(c, report)).toEqual([]);
      const assumes = sandbox.requests.filter((r) => r.operation === 'AssumeRole');
      const real = assumes.filter((r) => r.roleSessionName?.includes('-verify'));
      const probes = assumes.filter((r) => r.roleSessionName?.includes('-extid-'));
      expect(real).toHaveLength(1);
      expect(probes).toHaveLength(2);
      const realEnd = Math.max(...real.map((r) => r.endedAt ?? Number.POSITIVE_INFINITY));
      // The probes started before the real AssumeRole was answered...
      for (const p of probes) expect(p.startedAt).toBeLessThan(realEnd);
      // ...and no S3 call started before both were refused.
      const s3 = sandbox.requests.filter((r) => r.service === 's3');
      const probesEnd = Math.max(...probes.map((r) => r.endedAt ?? Number.POSITIVE_INFINITY));
      expect(s3.length).toBeGreaterThan(0);
      for (const r of s3) expect(r.startedAt).toBeGreaterThanOrEqual(probesEnd);
      // So the chain holds one AssumeRole, not two: the probes overlapped the real one. Ordering,
      // not a stopwatch, says so (a loaded machine stretches every call alike).
    } finally {
      sandbox.setFaults([]);
    }
  });
});

describe('a bucket not shown to be the customer’s', () => {
  it.each(['bucket-of-another-account', 'bucket-that-does-not-exist'])(
    '%s: s3.bucket-region does not pass, and no policy for the typo is offered',
    async (name) => {
      const c = world(name);

      const { report } = await runWorld(c, sandbox);

      expect(disagreements(c, report)).toEqual([]);
      const region = report.checks.find((r) => r.id === 's3.bucket-region');
      expect(region?.remediation).toMatch(/^Check the bucket name and owner/);
      expect(JSON.stringify(report.remediation)).not.toContain('acme-exprots');
      for (const r of report.checks.filter((x) => x.status === 'fail'))
        expect(r.remediation ?? '').not.toMatch(/^Allow /);
    },
  );
});

describe('a write the SDK retried', () => {
  it('is recorded and deleted when S3 stored the probe and the connection dropped before its answer', async () => {
    // Prepare: the first PutObject stores the probe, then the connection drops; the SDK's
    // retry is answered 412 (If-None-Match: *).
    const c = world('seed-003-staging');
    sandbox.setWorld(c.world('unused'));
    sandbox.setFaults([{ service: 's3', operation: 'PutObject', dropAfter: true, times: 1 }]);
    sandbox.requests.length = 0;
    try {
      // Act
      const { report, before, after } = await runWorld(c, sandbox);

      // Assess
      const puts = sandbox.requests.filter((r) => r.operation === 'PutObject');
      expect(puts.map((r) => r.status)).toEqual([-1, 412]);
      const write = report.checks.find((r) => r.id === 's3.write');
      expect(write?.status).toBe('pass');
      expect(write?.message).toMatch(/412/);
      expect(report.checks.find((r) => r.id === 's3.delete')?.status).toBe('pass');
      expect(after).toEqual(before);
      expect(report.strandedProbes).toBeUndefined();
    } finally {
      sandbox.setFaults([]);
    }
  });
});

const CUSTOMER = '111122223333';
const ROLE = `arn:aws:iam::${CUSTOMER}:role/VendorAccess`;
/** A world of one bucket under seed 003's policy, with the objects given. */
const stagingWorld = (
  name: string,
  objects: Record<string, string>,
  request: Record<string, unknown>,
): WorldCase => ({
  world: (xid) => ({
    name,
    description: name,
    vendor: vendor(),
    roles: [{ arn: ROLE, trust: vendorTrust(xid), policies: [seedPolicies.seed003('syncoutput')] }],
    buckets: [{ name: 'syncoutput', account: CUSTOMER, region: 'us-east-1', objects }],
  }),
  request: { credentials: { type: 'role', roleArn: ROLE }, region: 'us-east-1', ...request },
  truth: {},
  status: 'pass',
});

describe('access bounds the probes', () => {
  it('never writes into a bucket declared read, even under the staging profile', async () => {
    const c = stagingWorld(
      'staging-read-only',
      { 'exports/a.csv': 'id\n1\n' },
      { profile: 'staging', s3: [{ bucket: 'syncoutput', access: 'read' }] },
    );
    sandbox.requests.length = 0;

    const { report, before, after } = await runWorld(c, sandbox);

    expect(
      sandbox.requests.filter((r) => r.operation === 'PutObject' || r.operation === 'DeleteObject'),
    ).toEqual([]);
    expect(report.checks.map((r) => r.id)).not.toContain('s3.write');
    expect(report.checks.find((r) => r.id === 's3.read')?.status).toBe('pass');
    expect(after).toEqual(before);
  });
});

describe('the sweep of leftover probes', () => {
  it('deletes this deployment’s own old probe, and nothing of the customer’s or another vendor’s', async () => {
    // Prepare: objects of a day ago under the marker (the sandbox dates seeded objects so).
    const earlier = {
      id: '0b3f6a2e-5c1d-4e8f-9a7b-2c4d6e8f0a1b',
      tenantId: 't-sandbox',
      externalId: 'unused',
      vendorName: 'acme',
      vendorPrincipalArn: 'unused',
      startedAt: new Date(Date.now() - 86_400_000),
      egressAddresses: [],
      externalIdNotEnforced: 'fail' as const,
    };
    const other = { ...earlier, vendorName: 'acme-2', id: '1b3f6a2e-5c1d-4e8f-9a7b-2c4d6e8f0a1b' };
    const ours = probeKey('', earlier);
    const theirs = probeKey('', other);
    const readme = '.aws-access-verifier-probe-README-keep-this.txt';
    const c = stagingWorld(
      'leftovers',
      { [ours]: probeBody(earlier), [theirs]: probeBody(other), [readme]: 'Do not delete.\n' },
      { profile: 'staging', s3: [{ bucket: 'syncoutput' }] },
    );

    // Act
    const { report, after } = await runWorld(c, sandbox);

    // Assess
    expect(report.checks.find((r) => r.id === 's3.delete')?.message).toMatch(/Swept 1 leftover probe/);
    const left = Object.keys(after).map((k) => k.replace(/^syncoutput\//, '').replace(/#\d+$/, ''));
    expect(left).toContain(theirs);
    expect(left).toContain(readme);
    expect(left).not.toContain(ours);
  });
});
