import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTERNAL_ID, SECRET, TENANT, useSandbox } from '../../sandbox/harness.ts';
import { type Sandbox, startSandbox } from '../../sandbox/server.ts';
import type { World } from '../../sandbox/world.ts';
import { WORLDS } from '../../sandbox/worlds/index.ts';
import { CATALOGUE, CHECK_IDS } from '../../src/checks/index.ts';
import { loadConfig } from '../../src/core/config.ts';
import { parseVerifyRequest } from '../../src/core/request.ts';
import { verifyForTenant } from '../../src/core/tenant-use-cases.ts';

/** A vendor with a bucket picker asks for s3.list-buckets in its own profile (seed 004's user). */
let sandbox: Sandbox;
const seed004 = WORLDS['seed-004-key-pair'];
const PROFILES = JSON.stringify({ picker: { extends: 'source', checks: { 's3.list-buckets': 'required' } } });

async function verifyIn(world: World) {
  sandbox.setWorld(world);
  useSandbox(sandbox, world);
  const config = loadConfig(
    { AWS_REGION: 'us-east-1', VENDOR_NAME: 'acme', VENDOR_PROFILES: PROFILES },
    CHECK_IDS,
  );
  const parsed = parseVerifyRequest(CATALOGUE, { ...seed004?.request, profile: 'picker' }, config.profiles);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return verifyForTenant(
    { config, logger: new Logger({ logLevel: 'SILENT' }) },
    TENANT,
    SECRET,
    parsed.value,
  );
}

beforeAll(async () => {
  if (!seed004) throw new Error('no seed 004');
  sandbox = await startSandbox({ world: seed004.world(EXTERNAL_ID) });
});
afterAll(async () => {
  await sandbox.close();
});

describe('s3.list-buckets through the sandbox', () => {
  it('passes with seed 004’s s3:ListAllMyBuckets, and simulation agrees', async () => {
    const report = await verifyIn(seed004?.world(EXTERNAL_ID) as World);
    expect(report.checks.find((c) => c.id === 's3.list-buckets')).toMatchObject({
      status: 'pass',
      required: true,
      message: "Listing the account's buckets works: 2 buckets.",
    });
    expect(sandbox.requests.some((r) => r.operation === 'ListBuckets' && r.status === 200)).toBe(true);
    expect(report.checks.find((c) => c.id === 'iam.simulate')?.message).not.toContain('disagree');
  });

  it('fails without it, with the statement to add', async () => {
    const world = seed004?.world(EXTERNAL_ID) as World;
    const user = world.users?.[0];
    if (!user?.policies[0]) throw new Error('no user');
    user.policies[0].Statement = user.policies[0].Statement.slice(1);
    const report = await verifyIn(world);
    expect(report.checks.find((c) => c.id === 's3.list-buckets')).toMatchObject({
      status: 'fail',
      remediation: 'Allow s3:ListAllMyBuckets on arn:aws:s3:::*',
      error: { code: 'AccessDenied' },
    });
    expect(report.status).toBe('fail');
  });
});
