import { IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { DecryptCommand, EncryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  DeleteObjectCommand,
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/checks/index.ts';
import { probeBody, probeKey } from '../../src/checks/s3/probe.ts';
import { createAwsAccess } from '../../src/core/aws.ts';
import { BUILTIN_PROFILES, type ProfileRegistry } from '../../src/core/profiles.ts';
import { verify } from '../../src/core/verify.ts';
import type { VerifyRequest } from '../../src/core/wire.ts';
import {
  assumeRoleDenied,
  objectBody as body,
  s3Error,
  simulateDenied,
  stsError,
} from '../support/aws-errors.ts';
import { ACCOUNT, ROLE_ARN, SESSION, silentLogger, verificationInfo } from '../support/context.ts';

const sts = mockClient(STSClient);
const s3 = mockClient(S3Client);
const kms = mockClient(KMSClient);
const iam = mockClient(IAMClient);
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

const denied = (action: string, resource: string) =>
  s3Error(
    'AccessDenied',
    403,
    `User: arn:aws:sts::${ACCOUNT}:assumed-role/VendorAccess/s is not authorized to perform: ${action} on resource: "${resource}" because no identity-based policy allows the ${action} action`,
  );

const deps = (deadlineMs?: number) => ({
  catalogue: CATALOGUE,
  aws: createAwsAccess(),
  logger: silentLogger(),
  serviceRegion: 'us-east-1' as const,
  ...(deadlineMs ? { deadlineMs } : {}),
});

/** The role trusts the vendor with this tenant's external ID only, as a well-configured trust policy does. */
function grantSession() {
  sts.on(AssumeRoleCommand).callsFake((input) => {
    if (input.ExternalId !== verificationInfo().externalId) throw assumeRoleDenied();
    return {
      Credentials: {
        AccessKeyId: SESSION.accessKeyId,
        SecretAccessKey: SESSION.secretAccessKey,
        SessionToken: SESSION.sessionToken,
        Expiration: new Date(),
      },
      AssumedRoleUser: {
        Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/VendorAccess/acme-verify-7f0c1a2b`,
        AssumedRoleId: 'x',
      },
    };
  });
}

function healthyBucket() {
  s3.on(HeadBucketCommand).resolves({ BucketRegion: 'us-east-1' });
  s3.on(GetBucketLocationCommand).resolves({});
  s3.on(ListObjectsV2Command).resolves({ KeyCount: 0, Contents: [] });
  s3.on(GetBucketEncryptionCommand).resolves({
    ServerSideEncryptionConfiguration: {
      Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    },
  });
  s3.on(PutObjectCommand).resolves({});
  s3.on(GetObjectCommand).callsFake(() => ({ Body: body(probeBody(verificationInfo())) }));
  s3.on(DeleteObjectCommand).resolves({});
}

const keyPairRequest = {
  credentials: {
    type: 'accessKey',
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  },
  profile: 'staging',
} as const satisfies Partial<VerifyRequest>;

const roleRequest = (over: Partial<VerifyRequest> = {}): VerifyRequest => ({
  credentials: { type: 'role', roleArn: ROLE_ARN },
  profile: 'staging',
  s3: [{ bucket: 'acme-exports', prefix: 'vendor/' }],
  ...over,
});

describe('verify', () => {
  beforeEach(() => {
    sts.reset();
    s3.reset();
    kms.reset();
    iam.reset();
    // The customer's policies do not allow simulation unless a test says so.
    iam
      .on(SimulatePrincipalPolicyCommand)
      .callsFake((input) => Promise.reject(simulateDenied(`${ROLE_ARN}/s`, input.PolicySourceArn)));
  });

  it('passes the full staging round trip and reports every check of the profile', async () => {
    // Prepare
    grantSession();
    healthyBucket();

    // Act
    const report = await verify(roleRequest(), verificationInfo(), deps());

    // Assess
    expect(report.status).toBe('pass');
    expect(report.checks.map((c) => [c.id, c.status])).toEqual([
      ['sts.assume-role', 'pass'],
      ['sts.external-id-required', 'pass'],
      // Reported: the role may not simulate itself, which decides nothing.
      ['iam.simulate', 'skip'],
      ['s3.bucket-region', 'pass'],
      ['s3.bucket-location', 'pass'],
      ['s3.list', 'pass'],
      ['s3.encryption', 'pass'],
      ['s3.write', 'pass'],
      ['s3.read', 'pass'],
      ['s3.delete', 'pass'],
    ]);
    expect(report.checks.find((c) => c.id === 's3.encryption')?.required).toBe(false);
    expect(report.principal).toEqual({
      account: ACCOUNT,
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/VendorAccess/acme-verify-7f0c1a2b`,
    });
    // Simulation, reported and not granted, is offered as optional: nothing required is missing.
    expect(report.remediation).toEqual({
      policy: { Version: '2012-10-17', Statement: [] },
      optional: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'iam:SimulatePrincipalPolicy', Resource: ROLE_ARN }],
      },
    });
    expect(report.tenantId).toBe('t-123');
  });

  it('scopes the session to exactly the probes: the catalogue’s grants, plus KMS only through S3', async () => {
    grantSession();
    healthyBucket();

    await verify(roleRequest(), verificationInfo(), deps());

    const main = sts
      .commandCalls(AssumeRoleCommand)
      .find((c) => c.args[0].input.ExternalId === verificationInfo().externalId);
    const policy = JSON.parse(main?.args[0].input.Policy ?? '{}');
    expect(main?.args[0].input).toMatchObject({
      RoleArn: ROLE_ARN,
      DurationSeconds: 900,
      RoleSessionName: 'acme-verify-7f0c1a2b',
    });
    expect(policy.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: ['s3:GetBucketLocation', 's3:GetEncryptionConfiguration', 's3:ListBucket'],
        Resource: 'arn:aws:s3:::acme-exports',
      },
      {
        Effect: 'Allow',
        Action: ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:GetObject', 's3:PutObject'],
        Resource: 'arn:aws:s3:::acme-exports/vendor/*',
      },
      // Reading a leftover (or a retried write's) probe back before deleting it.
      {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::acme-exports/vendor/.aws-access-verifier-probe-*',
      },
      // iam.simulate's own call, on the role itself.
      { Effect: 'Allow', Action: 'iam:SimulatePrincipalPolicy', Resource: ROLE_ARN },
      {
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: 'arn:aws:kms:*:*:key/*',
        Condition: { StringLike: { 'kms:ViaService': 's3.*' } },
      },
    ]);
  });

  it('gives the seed 001 destination its verdict: write and delete required, list and read not run', async () => {
    grantSession();
    healthyBucket();
    s3.on(HeadBucketCommand).rejects(
      s3Error('Unknown', 403, 'UnknownError', { 'x-amz-bucket-region': 'us-east-1' }),
    );
    s3.on(ListObjectsV2Command).rejects(denied('s3:ListBucket', 'arn:aws:s3:::acme-exports'));
    s3.on(GetBucketEncryptionCommand).rejects(
      denied('s3:GetEncryptionConfiguration', 'arn:aws:s3:::acme-exports'),
    );

    const report = await verify(
      roleRequest({ profile: 'destination', s3: [{ bucket: 'acme-exports' }] }),
      verificationInfo(),
      deps(),
    );

    expect(report.checks.map((c) => `${c.id}:${c.status}`)).toEqual([
      'sts.assume-role:pass',
      'sts.external-id-required:pass',
      'iam.simulate:skip',
      's3.bucket-region:pass',
      's3.encryption:skip',
      's3.write:pass',
      's3.delete:pass',
    ]);
    // A reported check AWS refused is an optional check not granted: no red, its statement optional.
    expect(report.status).toBe('pass');
    const encryption = report.checks.find((c) => c.id === 's3.encryption');
    expect(encryption).toMatchObject({ required: false, error: { code: 'AccessDenied' } });
    expect(encryption?.message).toMatch(
      /^Optional check, not granted: .* It would have checked that the bucket’s default encryption is known\./,
    );
    expect(report.remediation).toEqual({
      policy: { Version: '2012-10-17', Statement: [] },
      optional: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'iam:SimulatePrincipalPolicy', Resource: ROLE_ARN },
          { Effect: 'Allow', Action: 's3:GetEncryptionConfiguration', Resource: 'arn:aws:s3:::acme-exports' },
        ],
      },
    });
    expect(s3.commandCalls(ListObjectsV2Command)).toHaveLength(0);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it('fails with only the missing statements, exact ARNs, never "*"', async () => {
    grantSession();
    healthyBucket();
    s3.on(PutObjectCommand).rejects(denied('s3:PutObject', 'arn:aws:s3:::acme-exports/vendor/x'));

    const report = await verify(roleRequest(), verificationInfo(), deps());

    expect(report.status).toBe('fail');
    const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
    expect(byId['s3.write']).toMatchObject({
      status: 'fail',
      remediation: 'Allow s3:PutObject on arn:aws:s3:::acme-exports/vendor/*',
    });
    expect(byId['s3.delete']).toMatchObject({ status: 'skip', message: 'Skipped: s3.write did not pass.' });
    // Nothing written, so read falls back to the empty listing and still tests GetObject.
    expect(byId['s3.read']?.status).toBe('pass');
    expect(report.remediation.policy.Statement).toEqual([
      { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::acme-exports/vendor/*' },
    ]);
    expect(JSON.stringify(report.remediation)).not.toContain('"*"');
  });

  it('skips everything behind a refused AssumeRole and offers the trust policy', async () => {
    sts.on(AssumeRoleCommand).rejects(assumeRoleDenied());

    const report = await verify(roleRequest(), verificationInfo(), deps());

    expect(report.status).toBe('fail');
    expect(report.checks[0]).toMatchObject({
      id: 'sts.assume-role',
      status: 'fail',
      error: { code: 'AccessDenied' },
    });
    expect(report.checks[0]?.checklist).toHaveLength(4);
    expect(report.checks.slice(1).every((c) => c.status === 'skip')).toBe(true);
    // One statement to add to the trust, never a whole document that would replace it.
    expect(report.remediation.trustPolicy).toEqual({
      Effect: 'Allow',
      Principal: { AWS: verificationInfo().vendorPrincipalArn },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'sts:ExternalId': verificationInfo().externalId } },
    });
    expect(s3.calls()).toHaveLength(0);
  });

  it('probes no resource with a role any tenant could name: the resource checks skip, pointing at the trust', async () => {
    // Prepare: the trust lacks the external-ID condition, so AssumeRole without one succeeds.
    grantSession();
    sts.on(AssumeRoleCommand).callsFake((input) => ({
      Credentials: {
        AccessKeyId: SESSION.accessKeyId,
        SecretAccessKey: SESSION.secretAccessKey,
        SessionToken: SESSION.sessionToken,
        Expiration: new Date(),
      },
      AssumedRoleUser: {
        Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/VendorAccess/${input.RoleSessionName}`,
        AssumedRoleId: 'x',
      },
    }));
    healthyBucket();

    // Act
    const report = await verify(roleRequest(), verificationInfo(), deps());

    // Assess
    expect(report.status).toBe('fail');
    expect(report.checks.find((c) => c.id === 'sts.external-id-required')?.status).toBe('fail');
    const resources = report.checks.filter((c) => !c.id.startsWith('sts.'));
    expect(resources.length).toBeGreaterThan(0);
    for (const c of resources) {
      expect(c.status, c.id).toBe('skip');
      expect(c.message, c.id).toMatch(/external ID.*remediation\.trustPolicy/);
    }
    expect(report.remediation.trustPolicy).toBeDefined();
    expect(s3.calls()).toHaveLength(0);
  });

  it('probes nothing with a loose role even where the profile lowers it to a warning', async () => {
    grantSession();
    sts.on(AssumeRoleCommand).callsFake(() => ({
      Credentials: {
        AccessKeyId: SESSION.accessKeyId,
        SecretAccessKey: SESSION.secretAccessKey,
        SessionToken: SESSION.sessionToken,
        Expiration: new Date(),
      },
    }));
    healthyBucket();

    const report = await verify(roleRequest(), verificationInfo({ externalIdNotEnforced: 'warn' }), deps());

    expect(report.checks.find((c) => c.id === 'sts.external-id-required')?.status).toBe('warn');
    expect(report.checks.find((c) => c.id === 's3.write')?.status).toBe('skip');
    expect(s3.calls()).toHaveLength(0);
  });

  it('still probes under a profile that only reports the external-ID rule', async () => {
    grantSession();
    sts.on(AssumeRoleCommand).callsFake(() => ({
      Credentials: {
        AccessKeyId: SESSION.accessKeyId,
        SecretAccessKey: SESSION.secretAccessKey,
        SessionToken: SESSION.sessionToken,
        Expiration: new Date(),
      },
    }));
    healthyBucket();
    const profiles = {
      relaxed: {
        ...BUILTIN_PROFILES.staging,
        name: 'relaxed',
        checks: { ...BUILTIN_PROFILES.staging?.checks, 'sts.external-id-required': 'reported' as const },
      },
    } as ProfileRegistry;

    const report = await verify(roleRequest({ profile: 'relaxed' }), verificationInfo(), {
      ...deps(),
      profiles,
    });

    expect(report.checks.find((c) => c.id === 's3.write')?.status).toBe('pass');
  });

  it('runs the external-ID probes beside the real AssumeRole, not after it', async () => {
    // Prepare: the real AssumeRole answers only once both probes have been asked. Were the
    // probes to wait for it, nothing would answer before the deadline.
    let probes = 0;
    let release: () => void = () => undefined;
    const bothProbesAsked = new Promise<void>((r) => {
      release = r;
    });
    sts.on(AssumeRoleCommand).callsFake(async (input) => {
      if (input.ExternalId !== verificationInfo().externalId) {
        if (++probes === 2) release();
        throw assumeRoleDenied();
      }
      await bothProbesAsked;
      return {
        Credentials: {
          AccessKeyId: SESSION.accessKeyId,
          SecretAccessKey: SESSION.secretAccessKey,
          SessionToken: SESSION.sessionToken,
          Expiration: new Date(),
        },
      };
    });
    healthyBucket();

    const report = await verify(roleRequest(), verificationInfo(), deps(2_000));

    expect(report.checks.find((c) => c.id === 'sts.assume-role')?.status).toBe('pass');
    expect(report.checks.find((c) => c.id === 'sts.external-id-required')?.status).toBe('pass');
    expect(report.status).toBe('pass');
  });

  it('does not call the external-ID rule kept when the role refuses this tenant’s own external ID too', async () => {
    sts.on(AssumeRoleCommand).rejects(assumeRoleDenied());

    const report = await verify(roleRequest(), verificationInfo(), deps());

    expect(report.checks.find((c) => c.id === 'sts.external-id-required')).toMatchObject({
      status: 'skip',
      message: expect.stringMatching(/refused this tenant’s own external ID too/),
    });
  });

  it('verifies a key pair through GetCallerIdentity, with the caller’s account as expected owner', async () => {
    sts.on(GetCallerIdentityCommand).resolves({
      Account: '444455556666',
      Arn: 'arn:aws:iam::444455556666:user/ingest',
      UserId: 'AIDAEXAMPLE',
    });
    healthyBucket();

    const report = await verify(
      {
        credentials: {
          type: 'accessKey',
          accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
          secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
        },
        s3: [{ bucket: 'acme-input', access: 'read' }],
      },
      verificationInfo(),
      deps(),
    );

    expect(report.checks.map((c) => `${c.id}:${c.status}`)).toEqual([
      'sts.caller-identity:pass',
      'iam.simulate:skip',
      's3.bucket-region:pass',
      's3.list:pass',
      's3.encryption:pass',
      's3.read:pass',
    ]);
    expect(report.checks[0]?.target).toBe('AKIA…MPLE');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
    expect(s3).toReceiveCommandWith(ListObjectsV2Command, { ExpectedBucketOwner: '444455556666' });
    // Read access never writes.
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('with a key pair and a declared owner, probes beside GetCallerIdentity, not after it', async () => {
    // GetCallerIdentity answers only once the first probes were sent: had they waited, none would be.
    let release: () => void = () => undefined;
    const probed = new Promise<void>((r) => {
      release = r;
    });
    sts.on(GetCallerIdentityCommand).callsFake(async () => {
      await probed;
      return { Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/ingest`, UserId: 'AIDAEXAMPLE' };
    });
    healthyBucket();
    s3.on(PutObjectCommand).callsFake(() => {
      release();
      return {};
    });

    const report = await verify(
      {
        ...keyPairRequest,
        s3: [{ bucket: 'acme-exports', prefix: 'vendor/', expectedBucketOwner: ACCOUNT }],
      },
      verificationInfo(),
      // Probes that waited for the identity would deadlock here until this deadline.
      deps(3_000),
    );

    expect(report.checks.find((c) => c.id === 's3.write')?.status).toBe('pass');
    expect(report.status).not.toBe('fail');
  });

  it('with a deactivated key pair, fails GetCallerIdentity and skips the probes that ran beside it', async () => {
    const invalid = () =>
      stsError('InvalidClientTokenId', 403, 'The security token included in the request is invalid.');
    sts.on(GetCallerIdentityCommand).rejects(invalid());
    s3.on(HeadBucketCommand).rejects(
      s3Error('InvalidAccessKeyId', 403, 'The AWS Access Key Id you provided does not exist in our records.'),
    );
    s3.on(PutObjectCommand).rejects(
      s3Error('InvalidAccessKeyId', 403, 'The AWS Access Key Id you provided does not exist in our records.'),
    );
    s3.on(ListObjectsV2Command).rejects(
      s3Error('InvalidAccessKeyId', 403, 'The AWS Access Key Id you provided does not exist in our records.'),
    );

    const report = await verify(
      {
        ...keyPairRequest,
        s3: [{ bucket: 'acme-exports', prefix: 'vendor/', expectedBucketOwner: ACCOUNT }],
      },
      verificationInfo(),
      deps(),
    );

    // The probes did run (beside), but only the key's own verdict speaks: no misleading fails.
    expect(s3.commandCalls(PutObjectCommand).length).toBeGreaterThan(0);
    const statuses = Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
    expect(statuses['sts.caller-identity']).toBe('fail');
    for (const id of ['s3.bucket-region', 's3.list', 's3.write', 's3.read', 's3.delete'])
      expect(
        report.checks.find((c) => c.id === id),
        id,
      ).toMatchObject({
        status: 'skip',
        message: 'Skipped: sts.caller-identity did not pass.',
      });
    expect(report.status).toBe('fail');
  });

  it('under a profile, a bucket declared read is never written and one declared write never read', async () => {
    grantSession();
    healthyBucket();
    s3.on(ListObjectsV2Command).resolves({ KeyCount: 1, Contents: [{ Key: 'vendor/customer.csv' }] });

    const report = await verify(
      roleRequest({
        s3: [
          { bucket: 'acme-exports', prefix: 'vendor/', access: 'read' },
          { bucket: 'acme-imports', prefix: 'vendor/', access: 'write' },
        ],
      }),
      verificationInfo(),
      deps(),
    );

    const of = (bucket: string) =>
      report.checks.filter((c) => c.target === `s3://${bucket}/vendor/`).map((c) => c.id);
    expect(of('acme-exports')).not.toContain('s3.write');
    expect(of('acme-exports')).not.toContain('s3.delete');
    expect(of('acme-exports')).toContain('s3.read');
    expect(of('acme-imports')).not.toContain('s3.read');
    expect(of('acme-imports')).toContain('s3.write');
    const puts = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Bucket);
    expect(puts).not.toContain('acme-exports');
    const gets = s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Bucket);
    expect(gets).not.toContain('acme-imports');
    // The session policy asks for nothing the access excludes.
    const policies = sts
      .commandCalls(AssumeRoleCommand)
      .map((c) => c.args[0].input.Policy ?? '')
      .join('\n');
    expect(policies).not.toMatch(/s3:PutObject[^\]]*arn:aws:s3:::acme-exports\/vendor/);
  });

  it('splits 50 buckets over several sessions, each policy within 2,048 characters', async () => {
    grantSession();
    healthyBucket();
    const buckets = Array.from({ length: 50 }, (_, i) => ({
      bucket: `acme-bucket-${String(i).padStart(2, '0')}`,
      prefix: `tenants/t-123/exports/${i}/`,
    }));

    const report = await verify(roleRequest({ s3: buckets }), verificationInfo(), deps());

    const sessions = sts
      .commandCalls(AssumeRoleCommand)
      .filter((c) => c.args[0].input.ExternalId === verificationInfo().externalId);
    expect(sessions.length).toBeGreaterThan(1);
    for (const s of sessions) expect(s.args[0].input.Policy?.length).toBeLessThanOrEqual(2048);
    const allPolicies = sessions.map((s) => s.args[0].input.Policy).join('\n');
    for (const b of buckets) expect(allPolicies).toContain(`arn:aws:s3:::${b.bucket}/${b.prefix}*`);
    expect(report.status).toBe('pass');
    expect(report.checks.filter((c) => c.id === 's3.write')).toHaveLength(50);
  });

  it('ends at the deadline with error, never fail, for what did not finish, and still removes its probe', async () => {
    grantSession();
    healthyBucket();
    // S3 hangs on the read-back until the call is aborted.
    s3.on(GetObjectCommand).callsFake(
      (_input, getClient) =>
        new Promise((_resolve, reject) => {
          void getClient;
          setTimeout(() => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })), 5_000);
        }),
    );

    const started = Date.now();
    const report = await verify(roleRequest(), verificationInfo(), deps(300));

    expect(Date.now() - started).toBeLessThan(4_000);
    const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
    expect(byId['s3.read']?.status).toBe('error');
    expect(byId['s3.delete']?.status).toBe('error');
    expect(report.status).toBe('error');
    // The probe written before the deadline is deleted anyway.
    expect(s3).toReceiveCommandWith(DeleteObjectCommand, {
      Bucket: 'acme-exports',
      ExpectedBucketOwner: ACCOUNT,
    });
  });

  it('ends the sweep s3.list started before it answers, even where no delete reported it', async () => {
    // Prepare: the write is refused, so s3.delete skips; a leftover of yesterday is slow to read back.
    grantSession();
    healthyBucket();
    s3.on(PutObjectCommand).rejects(denied('s3:PutObject', 'arn:aws:s3:::acme-exports/vendor/x'));
    const earlier = verificationInfo({
      id: '0b3f6a2e-5c1d-4e8f-9a7b-2c4d6e8f0a1b',
      startedAt: new Date(Date.now() - 86_400_000),
    });
    const leftover = probeKey('vendor/', earlier);
    s3.on(ListObjectsV2Command).resolves({
      KeyCount: 1,
      Contents: [
        { Key: leftover, LastModified: earlier.startedAt, Size: Buffer.byteLength(probeBody(earlier)) },
      ],
    });
    // Its whole body (the sweep's read-back) is slow; s3.read's one byte of it is not.
    s3.on(GetObjectCommand, { Key: leftover }).callsFake((input) =>
      input.Range
        ? { Body: body('W') }
        : new Promise((resolve) => setTimeout(() => resolve({ Body: body(probeBody(earlier)) }), 600)),
    );

    // Act
    const report = await verify(roleRequest(), verificationInfo(), deps());

    // Assess: the leftover was removed before the report was returned, not after.
    expect(report.checks.find((c) => c.id === 's3.delete')?.status).toBe('skip');
    expect(s3).toReceiveCommandWith(DeleteObjectCommand, { Key: leftover, ExpectedBucketOwner: ACCOUNT });
  });

  it('names a probe it could not delete in time, and keeps the clean-up inside the deadline', async () => {
    // Prepare: every DeleteObject hangs, whatever the abort says (as a stuck client would).
    grantSession();
    healthyBucket();
    s3.on(DeleteObjectCommand).callsFake(() => new Promise(() => undefined));

    // Act
    const began = performance.now();
    const report = await verify(roleRequest(), verificationInfo(), deps(1_000));
    const took = performance.now() - began;

    // Assess
    expect(took).toBeLessThan(1_000 + 150);
    expect(report.checks.find((c) => c.id === 's3.delete')?.status).toBe('error');
    expect(report.strandedProbes).toEqual([
      {
        bucket: 'acme-exports',
        key: 'vendor/.aws-access-verifier-probe-acme-20261122T100000Z-7f0c1a2b-0000-4000-8000-000000000001',
      },
    ]);
    // The delete was tried twice: by the check, then by the clean-up.
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(2);
  });

  it('names a probe refused deletion, with its version, and none when all were removed', async () => {
    grantSession();
    healthyBucket();
    s3.on(PutObjectCommand).resolves({ VersionId: 'v-probe' });
    s3.on(DeleteObjectCommand).rejects(denied('s3:DeleteObject', 'arn:aws:s3:::acme-exports/vendor/x'));

    const refused = await verify(roleRequest(), verificationInfo(), deps());

    expect(refused.strandedProbes).toEqual([
      {
        bucket: 'acme-exports',
        key: expect.stringMatching(/^vendor\/\.aws-access-verifier-probe-acme-/),
        versionId: 'v-probe',
      },
    ]);

    s3.on(DeleteObjectCommand).resolves({});
    const removed = await verify(roleRequest(), verificationInfo(), deps());
    expect(removed).not.toHaveProperty('strandedProbes');
  });

  it('warns and probes in the real region when the declared one is wrong', async () => {
    grantSession();
    healthyBucket();
    const inEuWest1 = async <T>(getClient: () => S3Client, answer: T) => {
      const region = await getClient().config.region();
      if (region !== 'eu-west-1')
        throw s3Error('PermanentRedirect', 301, 'Redirect', { 'x-amz-bucket-region': 'eu-west-1' });
      return answer;
    };
    s3.on(HeadBucketCommand).callsFake((_input, getClient) =>
      inEuWest1(getClient, { BucketRegion: 'eu-west-1' }),
    );
    // The write and the listing run beside HeadBucket: S3 refuses them where the bucket is not.
    s3.on(PutObjectCommand).callsFake((_input, getClient) => inEuWest1(getClient, {}));
    s3.on(ListObjectsV2Command).callsFake((_input, getClient) => inEuWest1(getClient, { KeyCount: 0 }));

    const report = await verify(
      roleRequest({ s3: [{ bucket: 'acme-exports', region: 'us-east-1' }] }),
      verificationInfo(),
      deps(),
    );

    const region = report.checks.find((c) => c.id === 's3.bucket-region');
    expect(region).toMatchObject({
      status: 'warn',
      remediation: 'Declare region eu-west-1 for acme-exports.',
    });
    // The first write tried the declared region at once; the one that wrote, where HeadBucket found it.
    const puts = await Promise.all(
      s3.commandCalls(PutObjectCommand).map((c) => (c.thisValue as S3Client).config.region()),
    );
    expect(puts).toEqual(['us-east-1', 'eu-west-1']);
    expect(report.checks.filter((c) => c.id !== 's3.bucket-region').map((c) => c.status)).not.toContain(
      'error',
    );
    expect(report.status).toBe('warn');
  });

  it('tests a bucket’s KMS key directly and through S3, in the same session, and warns on kms:ViaService', async () => {
    grantSession();
    healthyBucket();
    // S3 answers an SSE-KMS write naming the key it encrypted with.
    s3.on(PutObjectCommand).resolves({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: KEY });
    // The key policy allows the role only through S3.
    kms.on(GenerateDataKeyCommand).rejects(
      Object.assign(new Error('User: x is not authorized to perform: kms:GenerateDataKey'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 400 },
      }),
    );

    const report = await verify(
      roleRequest({ s3: [{ bucket: 'acme-exports', prefix: 'vendor/', kmsKeyArn: KEY }] }),
      verificationInfo(),
      deps(),
    );

    const kmsChecks = report.checks.filter((c) => c.id.startsWith('kms.'));
    expect(kmsChecks.map((c) => `${c.id}:${c.target}:${c.status}`)).toEqual([
      `kms.generate-data-key:${KEY}:warn`,
      `kms.decrypt:${KEY}:skip`,
    ]);
    expect(s3).toReceiveCommandWith(PutObjectCommand, { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: KEY });
    const policy = sts
      .commandCalls(AssumeRoleCommand)
      .find((c) => c.args[0].input.ExternalId === verificationInfo().externalId)?.args[0].input.Policy;
    expect(policy).toContain(`"Resource":"${KEY}"`);
    expect(report.status).toBe('warn');
    expect(report.remediation.policy.Statement).toEqual([]);
  });

  it('runs the three KMS operations on a key the request names', async () => {
    grantSession();
    kms
      .on(GenerateDataKeyCommand)
      .resolves({ Plaintext: new Uint8Array([1]), CiphertextBlob: new Uint8Array([2]) });
    kms.on(EncryptCommand).resolves({ CiphertextBlob: new Uint8Array([3]) });
    kms.on(DecryptCommand).callsFake((input) => ({
      Plaintext: new TextEncoder().encode(`aws-access-verifier probe ${verificationInfo().id}`),
      KeyId: input.KeyId,
    }));

    const report = await verify(roleRequest({ s3: [], kms: [{ keyArn: KEY }] }), verificationInfo(), deps());

    expect(report.checks.map((c) => `${c.id}:${c.status}`)).toEqual([
      'sts.assume-role:pass',
      'sts.external-id-required:pass',
      'iam.simulate:skip',
      'kms.generate-data-key:pass',
      'kms.encrypt:pass',
      'kms.decrypt:pass',
    ]);
    expect(kms).toReceiveCommandWith(DecryptCommand, { CiphertextBlob: new Uint8Array([3]) });
  });
});
