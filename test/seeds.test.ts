import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../src/checks/index.ts';
import { planTargets } from '../src/checks/s3/targets.ts';
import type { AnyCheck } from '../src/core/check.ts';
import type { PolicyDocument } from '../src/core/iam-documents.ts';
import { BUILTIN_PROFILES, type Profile, requirementFor } from '../src/core/profiles.ts';
import { setupFor } from '../src/core/setup.ts';
import type { Access } from '../src/core/targets.ts';
import type { CheckId } from '../src/core/wire.ts';
import { decide, grantsAll } from './support/iam.ts';

/**
 * The seeds' own policy text against the catalogue: a role with exactly a seed's policy must
 * verify as the seed intends. This is what each policy grants, check by check.
 */
const seed = (name: string): PolicyDocument =>
  JSON.parse(readFileSync(new URL(`./fixtures/seeds/${name}.json`, import.meta.url), 'utf8'));

const ACCOUNT = '111122223333';
const ROLE = { principal: `arn:aws:iam::${ACCOUNT}:role/VendorAccess`, account: ACCOUNT };
const bucketChecks = CATALOGUE.checks.filter(
  (c): c is AnyCheck & { scope: 'bucket' } => c.scope === 'bucket',
);

/** The bucket checks whose own grants (not the session-only extras) the policy allows. */
async function granted(
  policy: PolicyDocument,
  bucket: string,
  access: Access = 'readwrite',
): Promise<CheckId[]> {
  const [target] = planTargets([{ bucket, access }], 'aws');
  if (!target) throw new Error('no target');
  const yes: CheckId[] = [];
  for (const check of bucketChecks) {
    const grants = check.grants(target).filter((g) => !g.sessionOnly && !g.trust);
    if (grants.length > 0 && (await grantsAll(policy, grants, ROLE))) yes.push(check.id);
  }
  return yes;
}

describe('the seeds’ policies, check by check', () => {
  it('seed 001 (destination): write and delete granted; list, read and the rest not', async () => {
    expect(await granted(seed('seed-001-destination-policy'), 'acme-destination')).toEqual([
      's3.write',
      's3.delete',
    ]);
  });

  it('seed 003 (staging): the full round trip, location included; default encryption not readable', async () => {
    expect(await granted(seed('seed-003-staging-policy'), 'syncoutput')).toEqual([
      's3.bucket-location',
      's3.list',
      's3.write',
      's3.read',
      's3.delete',
    ]);
  });

  it('seed 004 (key pair): input read-only, output read and write', async () => {
    const policy = seed('seed-004-key-pair-policy');
    const who = { principal: `arn:aws:iam::${ACCOUNT}:user/ingest`, account: ACCOUNT };
    const [input] = planTargets([{ bucket: 'acme-input', access: 'read' }], 'aws');
    const inputGranted: CheckId[] = [];
    for (const c of bucketChecks) {
      const grants = input ? c.grants(input).filter((g) => !g.sessionOnly) : [];
      if (grants.length > 0 && (await grantsAll(policy, grants, who))) inputGranted.push(c.id);
    }
    expect(inputGranted).toEqual(['s3.list', 's3.read']);
    expect(await granted(policy, 'acme-output')).toEqual([
      's3.bucket-location',
      's3.list',
      's3.encryption',
      's3.write',
      's3.read',
      's3.delete',
    ]);
  });

  it('seed 004 lets its user simulate itself (iam.simulate’s own grant), and no one else', async () => {
    const policy = seed('seed-004-key-pair-policy');
    const user = `arn:aws:iam::${ACCOUNT}:user/ingest`;
    const simulate = (resource: string) =>
      decide(policy, {
        action: 'iam:SimulatePrincipalPolicy',
        resource,
        principal: user,
        account: ACCOUNT,
        context: { 'aws:username': 'ingest' },
      });
    expect(await simulate(user)).toBe('Allowed');
    expect(await simulate(`arn:aws:iam::${ACCOUNT}:user/admin`)).not.toBe('Allowed');
  });

  it('each profile’s required checks are exactly what its seed grants', () => {
    const required = (p: Profile) =>
      bucketChecks.filter((c) => requirementFor(c.id, p) === 'required').map((c) => c.id);
    expect(required(BUILTIN_PROFILES.destination as Profile)).toEqual([
      's3.bucket-region',
      's3.write',
      's3.delete',
    ]);
    expect(required(BUILTIN_PROFILES.staging as Profile)).toEqual([
      's3.bucket-region',
      's3.bucket-location',
      's3.list',
      's3.write',
      's3.read',
      's3.delete',
    ]);
    expect(required(BUILTIN_PROFILES.source as Profile)).toEqual(['s3.bucket-region', 's3.list', 's3.read']);
  });
});

describe('the generated setup cannot disagree with the checks', () => {
  it.each(['destination', 'staging', 'source'])(
    'the %s permission policy grants every check the profile runs, with exact ARNs only',
    async (name) => {
      const profile = BUILTIN_PROFILES[name] as Profile;
      const setup = setupFor(CATALOGUE, {
        tenantId: 't-123',
        externalId: 'v1-x',
        vendorPrincipalArn: 'arn:aws:iam::999988887777:role/aws-access-verifier-dev',
        partition: 'aws',
        profile,
        buckets: [{ bucket: 'acme-data', prefix: 'vendor/' }],
      });
      const [target] = planTargets([{ bucket: 'acme-data', prefix: 'vendor/' }], 'aws');
      if (!target) throw new Error('no target');
      for (const check of bucketChecks) {
        if (requirementFor(check.id, profile) === 'off') continue;
        const grants = check.grants(target).filter((g) => !g.sessionOnly);
        expect(await grantsAll(setup.permissionPolicy, grants, ROLE), check.id).toBe(true);
      }
      for (const s of setup.permissionPolicy.Statement) {
        for (const r of [s.Resource ?? []].flat())
          expect(r).toMatch(/^arn:aws:s3:::acme-data(\/vendor\/\*)?$/);
      }
    },
  );
});

describe('the seeds’ trust policies', () => {
  const vendor = 'arn:aws:iam::568237466542:role/convox/prod-polytomic-ServiceRole-1ELGH39L0GCHT';
  const assume = (trust: string, externalId?: string) =>
    decide(
      { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] },
      {
        action: 'sts:AssumeRole',
        resource: `arn:aws:iam::${ACCOUNT}:role/PolytomicAccess`,
        principal: vendor,
        account: ACCOUNT,
        ...(externalId ? { context: { 'sts:ExternalId': externalId } } : {}),
      },
      seed(trust),
    );

  it('seed 003’s first trust policy lets the vendor in without any external ID: sts.external-id-required must fail it', async () => {
    expect(await assume('seed-003-trust-open')).toBe('Allowed');
  });

  it('seed 003’s second trust policy refuses a missing or wrong external ID and accepts the right one', async () => {
    expect(await assume('seed-003-trust-external-id')).not.toBe('Allowed');
    expect(await assume('seed-003-trust-external-id', 'wrong-guess')).not.toBe('Allowed');
    expect(await assume('seed-003-trust-external-id', '0000')).toBe('Allowed');
  });

  it('GET /setup’s COPY role carries seed 002’s two restrictions, in the guide’s own form', async () => {
    const answer = setupFor(CATALOGUE, {
      tenantId: 't-1',
      externalId: 'v1-x',
      vendorPrincipalArn: 'arn:aws:iam::999988887777:role/aws-access-verifier-dev',
      partition: 'aws',
      buckets: [{ bucket: 'acme-staging', prefix: 'loads/' }],
      redshift: [
        { clusterIdentifier: 'my-cluster', dbUser: 'user1', accountId: '123456789012', region: 'us-west-2' },
      ],
      copyRole: 'RedshiftCopyUnload',
    });
    const [generated] = answer.copyRole?.trustPolicy.Statement ?? [];
    const [dbUsers] = seed('seed-002-trust-db-users').Statement;
    const [regions] = seed('seed-002-trust-regions').Statement;
    if (!generated || !dbUsers || !regions) throw new Error('a statement is missing');
    // The db-user restriction as the guide writes it, narrowed to the product's own db user…
    const guideUsers = dbUsers.Condition?.StringLike?.['sts:ExternalId'] as string[];
    expect(generated.Condition).toEqual({ StringLike: { 'sts:ExternalId': [guideUsers[0]] } });
    // …and the region restriction, narrowed to the cluster's region.
    const guideServices = (regions.Principal as { Service: string[] }).Service;
    expect(generated.Principal).toEqual({ Service: guideServices.filter((s) => s.includes('us-west-2')) });
  });

  it('seed 002’s trust policies trust the Redshift service, never a vendor role', async () => {
    expect(
      await assume(
        'seed-002-trust-db-users',
        'arn:aws:redshift:us-west-2:123456789012:dbuser:my-cluster/user1',
      ),
    ).not.toBe('Allowed');
  });
});
