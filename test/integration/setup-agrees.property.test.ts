import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTERNAL_ID, runWorld, TENANT } from '../../sandbox/harness.ts';
import { type Sandbox, startSandbox } from '../../sandbox/server.ts';
import { vendor, vendorTrust, type WorldCase } from '../../sandbox/world.ts';
import { CATALOGUE } from '../../src/checks/index.ts';
import type { PolicyDocument, PolicyStatement } from '../../src/core/iam-documents.ts';
import { BUILTIN_PROFILES } from '../../src/core/profiles.ts';
import { setupFor } from '../../src/core/setup.ts';
import type { BucketInput, RedshiftInput } from '../../src/core/wire.ts';
import { assertComponent } from '../support/contract.ts';

/**
 * The setup generator cannot disagree with the checks: the permission policy GET /setup writes
 * makes every check it grants pass in the sandbox; removing any single action from it makes
 * the checks that need it fail, and the report's remediation gives back exactly what was removed.
 */
const ACCOUNT = '111122223333';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/VendorAccess`;
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ world: { name: 'empty', description: '', vendor: vendor() } });
});
afterAll(async () => {
  await sandbox.close();
});

const bucketArb = fc.record({
  bucket: fc.constantFrom('acme-a', 'acme-b', 'acme.c'),
  prefix: fc.constantFrom('', 'vendor/', 'tenants/t-1/'),
});

/** Each statement's actions one by one, so a single action can be taken out. */
function actionsOf(policy: PolicyDocument): { statement: number; action: string }[] {
  return policy.Statement.flatMap((s, statement) =>
    [s.Action].flat().map((action) => ({ statement, action })),
  );
}

function without(policy: PolicyDocument, removed: { statement: number; action: string }): PolicyDocument {
  const Statement = policy.Statement.flatMap((s, i): PolicyStatement[] => {
    if (i !== removed.statement) return [s];
    const rest = [s.Action].flat().filter((a) => a !== removed.action);
    return rest.length ? [{ ...s, Action: rest.length === 1 ? (rest[0] as string) : rest }] : [];
  });
  return { Version: '2012-10-17', Statement };
}

/** A Redshift cluster in some runs: the setup's GetClusterCredentials grant is checked the same way. */
const clusterArb = fc.option(
  fc.record({
    clusterIdentifier: fc.constant('analytics'),
    dbUser: fc.constantFrom('vendor', 'loader'),
    dbName: fc.constant('dev'),
    region: fc.constant('us-west-2' as const),
    accountId: fc.constant(ACCOUNT),
  }),
  { nil: undefined },
);

function caseFor(
  profile: string,
  buckets: BucketInput[],
  policy: PolicyDocument,
  redshift: RedshiftInput[] = [],
): WorldCase {
  return {
    world: (xid) => ({
      name: 'generated',
      description: 'the role GET /setup asks for',
      vendor: vendor(),
      roles: [{ arn: ROLE, trust: vendorTrust(xid), policies: [policy] }],
      // The customer's data already there, under each prefix the vendor is given.
      buckets: buckets.map((b) => ({
        name: b.bucket,
        account: ACCOUNT,
        region: 'us-east-1',
        objects: { [`${b.prefix ?? ''}data/part-0.csv`]: 'id,value\n1,a\n' },
      })),
      clusters: redshift.map((r) => ({
        identifier: r.clusterIdentifier ?? '',
        account: ACCOUNT,
        region: r.region ?? 'us-east-1',
      })),
    }),
    request: {
      credentials: { type: 'role', roleArn: ROLE },
      region: 'us-east-1',
      profile,
      s3: buckets,
      ...(redshift.length ? { redshift: redshift.map(({ accountId: _, ...r }) => r) } : {}),
    },
    truth: {},
    status: 'pass',
  };
}

describe('GET /setup against the checks, in the sandbox', () => {
  it('grants exactly what the checks need: all pass, and each action removed is the one asked back', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Object.keys(BUILTIN_PROFILES)),
        fc.uniqueArray(bucketArb, { minLength: 1, maxLength: 3, selector: (b) => b.bucket }),
        clusterArb,
        fc.nat(),
        async (profileName, buckets, cluster, pick) => {
          const redshift = cluster ? [cluster] : [];
          const profile = BUILTIN_PROFILES[profileName];
          const setup = setupFor(CATALOGUE, {
            tenantId: TENANT,
            externalId: EXTERNAL_ID,
            vendorPrincipalArn: vendor().roleArn,
            partition: 'aws',
            buckets,
            redshift,
            ...(profile ? { profile } : {}),
          });

          assertComponent('SetupAnswer', JSON.parse(JSON.stringify(setup)));
          const full = await runWorld(
            caseFor(profileName, buckets, setup.permissionPolicy, redshift),
            sandbox,
          );
          assertComponent('Report', JSON.parse(JSON.stringify(full.report)));
          expect(
            full.report.checks
              // The setup asks for no Describe permission (the vendor may know the endpoint): not tested, not failed.
              .filter((c) => c.status !== 'pass' && !(c.id === 'redshift.reachable' && c.status === 'skip'))
              // Simulation is the customer's option, never part of the role GET /setup writes.
              .filter((c) => !(c.id === 'iam.simulate' && c.status === 'skip'))
              .map((c) => `${c.id} ${c.target} ${c.status}`),
          ).toEqual([]);
          expect(full.report.remediation.policy.Statement).toEqual([]);

          const all = actionsOf(setup.permissionPolicy);
          const removed = all[pick % all.length];
          if (!removed) return;
          const statement = setup.permissionPolicy.Statement[removed.statement] as PolicyStatement;
          const cut = await runWorld(
            caseFor(profileName, buckets, without(setup.permissionPolicy, removed), redshift),
            sandbox,
          );
          // A required check fails; a reported one is an optional check not granted (skip, never red).
          const refused = cut.report.checks.filter(
            (c) =>
              c.status === 'fail' ||
              (!c.required && c.status === 'skip' && c.error && c.id !== 'iam.simulate'),
          );
          expect(refused.length).toBeGreaterThan(0);
          for (const c of refused) expect(c.actions).toContain(removed.action);
          expect(cut.report.checks.filter((c) => !c.required && c.status === 'fail')).toEqual([]);
          // The fix gives back the action removed, on the resources (and condition) it was granted on:
          // in the policy for a required check, in the optional statements for a reported one.
          const { policy, optional } = cut.report.remediation;
          const requiredRefused = refused.some((c) => c.required);
          expect(policy.Statement.length > 0).toBe(requiredRefused);
          const asked = [...policy.Statement, ...(optional?.Statement ?? [])].filter(
            (s) => s.Action !== 'iam:SimulatePrincipalPolicy',
          );
          expect(asked.length).toBeGreaterThan(0);
          for (const s of asked) {
            expect([s.Action].flat()).toEqual([removed.action]);
            for (const r of [s.Resource ?? []].flat()) expect([statement.Resource].flat()).toContain(r);
            expect(s.Condition).toEqual(statement.Condition);
          }
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);
});
