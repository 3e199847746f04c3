import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../sandbox/server.ts';
import type { World } from '../../sandbox/world.ts';
import { WORLDS } from '../../sandbox/worlds/index.ts';
import type { Report } from '../../src/core/wire.ts';

/**
 * `aws-access-verifier check` as a customer runs it: the package's bin in a child process, the
 * SDK's default credential chain (environment, or a profile of a config file), against the
 * sandbox through AWS_ENDPOINT_URL_*. The caller is whoever the world's trust policy admits.
 */
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'aws-access-verifier.mjs');
const EXTERNAL_ID = 'v1-customer-cli-test-external-id-0001';
const ROLE = 'arn:aws:iam::111122223333:role/VendorAccess';

let sandbox: Sandbox;
let home: string;

const worldNamed = (name: string): World => {
  const c = WORLDS[name];
  if (!c) throw new Error(`the library lost the world ${name}`);
  return c.world(EXTERNAL_ID);
};

beforeAll(async () => {
  sandbox = await startSandbox({ world: worldNamed('seed-003-staging') });
  home = mkdtempSync(join(tmpdir(), 'aav-cli-'));
});
afterAll(async () => {
  await sandbox?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

/** The environment of a shell with no AWS settings but the sandbox's endpoints, plus `extra`. */
function envWith(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_')) env[k] = v;
  for (const s of ['STS', 'S3', 'KMS', 'REDSHIFT', 'REDSHIFT_SERVERLESS', 'IAM'])
    env[`AWS_ENDPOINT_URL_${s}`] = sandbox.url;
  // No real config or credentials file of whoever runs the tests.
  env.AWS_CONFIG_FILE = join(home, 'none-config');
  env.AWS_SHARED_CREDENTIALS_FILE = join(home, 'none-credentials');
  env.AWS_EC2_METADATA_DISABLED = 'true';
  return { ...env, ...extra };
}

const asVendor = (w: World) => ({
  AWS_ACCESS_KEY_ID: w.vendor.accessKeyId,
  AWS_SECRET_ACCESS_KEY: w.vendor.secretAccessKey,
  AWS_SESSION_TOKEN: w.vendor.sessionToken,
});

/** Runs the bin asynchronously: the sandbox answers from this very process. */
function cli(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('aws-access-verifier check', () => {
  it('passes a working role: the table names every check, exit 0', async () => {
    const world = worldNamed('seed-003-staging');
    sandbox.setWorld(world);
    const { code, stdout, stderr } = await cli(
      [
        'check',
        '--role-arn',
        ROLE,
        '--external-id',
        EXTERNAL_ID,
        '--bucket',
        'syncoutput',
        '--profile',
        'staging',
      ],
      envWith(asVendor(world)),
    );

    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^PASS {2}as arn:aws:sts::111122223333:assumed-role\/VendorAccess\//);
    expect(stdout).toMatch(/STATUS\s+CHECK\s+TARGET\s+MESSAGE\s+FIX/);
    for (const id of [
      'sts.assume-role',
      'sts.external-id-required',
      's3.list',
      's3.write',
      's3.read',
      's3.delete',
    ])
      expect(stdout).toMatch(new RegExp(`PASS\\s+${id.replace('.', '\\.')}\\s`));
  }, 60_000);

  it('fails a role without s3:DeleteObject with the fix and the policy to add, exit 1; --json is the report', async () => {
    const world = worldNamed('missing-delete');
    sandbox.setWorld(world);
    const args = [
      'check',
      '--role-arn',
      ROLE,
      '--external-id',
      EXTERNAL_ID,
      '--bucket',
      'acme-destination',
      '--profile',
      'destination',
    ];
    const table = await cli(args, envWith(asVendor(world)));

    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(/FAIL\s+s3\.delete\s+s3:\/\/acme-destination\//);
    expect(table.stdout).toMatch(
      /AWS: AccessDenied: User: arn:aws:sts::111122223333:assumed-role\/VendorAccess\//,
    );
    expect(table.stdout).toContain("Add to the role's (or user's) identity policy:");
    expect(table.stdout).toContain('"Action": "s3:DeleteObject"');

    const json = await cli([...args, '--json'], envWith(asVendor(world)));
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as Report;
    expect(report.status).toBe('fail');
    expect(report.checks.find((c) => c.id === 's3.delete')).toMatchObject({
      status: 'fail',
      remediation: 'Allow s3:DeleteObject on arn:aws:s3:::acme-destination/*',
    });
    expect(JSON.stringify(report.remediation.policy)).toContain('s3:DeleteObject');
  }, 60_000);

  it('names the trust-policy fix when the external ID is not the role’s, exit 1', async () => {
    const world = worldNamed('seed-003-staging');
    sandbox.setWorld(world);
    const { code, stdout } = await cli(
      ['check', '--role-arn', ROLE, '--external-id', 'v1-not-the-one', '--bucket', 'syncoutput'],
      envWith(asVendor(world)),
    );
    expect(code).toBe(1);
    expect(stdout).toMatch(/FAIL\s+sts\.assume-role/);
    // The caller stands in for the vendor: its role is the principal the trust must name.
    expect(stdout).toContain('arn:aws:iam::999988887777:role/aws-access-verifier-dev');
  }, 60_000);

  it('probes as me: the key pair of a named profile of the config files (--aws-profile), exit 0', async () => {
    const world = worldNamed('seed-004-key-pair');
    sandbox.setWorld(world);
    const user = world.users?.[0];
    if (!user) throw new Error('seed-004 lost its user');
    const credentials = join(home, 'credentials');
    writeFileSync(
      credentials,
      `[ingest]\naws_access_key_id = ${user.accessKeyId}\naws_secret_access_key = ${user.secretAccessKey}\n`,
    );
    const { code, stdout, stderr } = await cli(
      ['check', '--as-me', '--aws-profile', 'ingest', '--bucket', 'acme-input', '--profile', 'source'],
      envWith({ AWS_SHARED_CREDENTIALS_FILE: credentials }),
    );

    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`as ${user.arn}`);
    expect(stdout).toMatch(/PASS\s+sts\.caller-identity/);
    expect(stdout).toMatch(/PASS\s+s3\.read/);
  }, 60_000);

  it('exits 2, not 1, when AWS answers with an error rather than a refusal (S3 unavailable)', async () => {
    const world = worldNamed('seed-003-staging');
    sandbox.setWorld(world);
    sandbox.setFaults([
      { service: 's3', operation: 'ListObjectsV2', error: { status: 503, code: 'ServiceUnavailable' } },
    ]);
    try {
      const { code, stdout } = await cli(
        ['check', '--role-arn', ROLE, '--external-id', EXTERNAL_ID, '--bucket', 'syncoutput'],
        envWith(asVendor(world)),
      );
      expect(code).toBe(2);
      expect(stdout).toMatch(/^ERROR {2}/);
      expect(stdout).toMatch(/ERROR\s+s3\.list\s/);
    } finally {
      sandbox.setFaults([]);
    }
  }, 60_000);

  it('says in one line that there are no credentials, exit 2', async () => {
    const { code, stdout, stderr } = await cli(
      ['check', '--as-me', '--bucket', 'syncoutput'],
      envWith({ AWS_PROFILE: 'nobody' }),
    );
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^aws-access-verifier: your AWS credentials do not work: /);
  }, 60_000);

  it('refuses bad usage with exit 2 and the usage text; --help is exit 0 (from Node 20 too)', async () => {
    const bad = await cli(['check', '--bucket', 'b'], envWith({}));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^aws-access-verifier: --role-arn \(or --as-me\) is required/);
    expect(bad.stderr).toContain('exit codes: 0 pass or warn, 1 fail, 2 error or bad usage');
    const help = await cli(['--help'], envWith({}));
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('aws-access-verifier check --role-arn <arn> --external-id <id>');
  }, 60_000);

  it('runs as `npx aws-access-verifier` from the project (package.json bin, an executable file)', async () => {
    const run = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(
        'npx',
        ['--offline', 'aws-access-verifier', '--help'],
        { cwd: join(import.meta.dirname, '..', '..'), env: envWith({}), timeout: 60_000 },
        (err, stdout) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout }),
      );
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('exit codes: 0 pass or warn, 1 fail, 2 error or bad usage');
  }, 60_000);

  it('refuses a bucket name S3 would refuse before any call, exit 2', async () => {
    const world = worldNamed('seed-003-staging');
    sandbox.setWorld(world);
    const before = sandbox.requests.length;
    const { code, stderr } = await cli(
      ['check', '--role-arn', ROLE, '--external-id', EXTERNAL_ID, '--bucket', 'Not_A_Bucket'],
      envWith(asVendor(world)),
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(/--bucket #0\.bucket: not a valid bucket name/);
    // Only the caller's own identity was asked: nothing was probed.
    expect(sandbox.requests.slice(before).map((r) => r.operation)).toEqual(['GetCallerIdentity']);
  }, 60_000);
});
