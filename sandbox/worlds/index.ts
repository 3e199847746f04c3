import type { PolicyJson } from '../iam.ts';
import { vendor, vendorTrust, type World, type WorldCase } from '../world.ts';
import { seedPolicies } from './seeds.ts';

/**
 * The library of worlds: each seed's correct setup, and the mistakes customers really make.
 * Each states the request the verifier gets and what every check must answer.
 */

const CUSTOMER = '111122223333';
const ROLE = `arn:aws:iam::${CUSTOMER}:role/VendorAccess`;

const role = (externalId: string | null, ...policies: PolicyJson[]) => ({
  arn: ROLE,
  trust: vendorTrust(externalId),
  policies,
});
const roleRequest = (extra: Record<string, unknown>) => ({
  credentials: { type: 'role', roleArn: ROLE },
  region: 'us-east-1',
  ...extra,
});

const allow = (actions: string[], resources: string[]): PolicyJson => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: actions, Resource: resources }],
});

const STAGING = (b: string) => `s3://${b}/`;

const ANALYTICS = { clusterIdentifier: 'analytics', dbUser: 'vendor', dbName: 'dev', region: 'us-west-2' };
const ANALYTICS_LABEL = 'redshift://analytics/dev?user=vendor';
const ETL_LABEL = 'redshift-serverless://etl/dev';
const WORKGROUP_ID = '0b3f6a2e-5c1d-4e8f-9a7b-2c4d6e8f0a1b';
const WORKGROUP_ARN = `arn:aws:redshift-serverless:us-west-2:${CUSTOMER}:workgroup/${WORKGROUP_ID}`;

const KEY = `arn:aws:kms:us-east-1:${CUSTOMER}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

/** A key policy: the account's administrators, plus the principals named, under a condition if any. */
const keyPolicy = (principals: string[], condition?: PolicyJson): PolicyJson => ({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'KeyAdministration',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${CUSTOMER}:role/KeyAdmin` },
      Action: ['kms:Describe*', 'kms:Enable*', 'kms:Disable*', 'kms:Put*', 'kms:ScheduleKeyDeletion'],
      Resource: '*',
    },
    {
      Sid: 'KeyUse',
      Effect: 'Allow',
      Principal: { AWS: principals },
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
      Resource: '*',
      ...(condition ? { Condition: condition } : {}),
    },
  ],
});

/** A key policy as the KMS console writes it by default: the account's IAM policies decide. */
const keyPolicyDeferringToIam = (): PolicyJson => ({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'EnableIAMUserPermissions',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${CUSTOMER}:root` },
      Action: 'kms:*',
      Resource: '*',
    },
  ],
});

/** Seed 004's user and buckets, with the policies given. */
const seed004World = (policies: PolicyJson[]): World => ({
  name: 'seed-004-key-pair',
  description: 'Seed 004: an IAM user’s key pair, input bucket read-only, output bucket s3:*.',
  vendor: vendor(),
  users: [
    {
      arn: `arn:aws:iam::${CUSTOMER}:user/ingest`,
      accessKeyId: 'AKIAINGESTUSEREXAMPLE',
      secretAccessKey: 'ingestUserSecretAccessKeyEXAMPLEKEY00000',
      policies,
    },
  ],
  buckets: [
    {
      name: 'acme-input',
      account: CUSTOMER,
      region: 'us-east-1',
      objects: { 'events/part-0.json': '{"a":1}\n' },
    },
    { name: 'acme-output', account: CUSTOMER, region: 'us-east-1' },
  ],
});

const SEED_004_REQUEST = {
  credentials: {
    type: 'accessKey',
    accessKeyId: 'AKIAINGESTUSEREXAMPLE',
    secretAccessKey: 'ingestUserSecretAccessKeyEXAMPLEKEY00000',
  },
  region: 'us-east-1',
  s3: [
    { bucket: 'acme-input', access: 'read' },
    { bucket: 'acme-output', access: 'readwrite' },
  ],
};

const COPY_ROLE = `arn:aws:iam::${CUSTOMER}:role/RedshiftCopyUnload`;

/**
 * Seed 002's COPY role beside the vendor's role: the vendor's may get credentials for db user
 * `vendor`, describe the cluster and read the COPY role (as GET /setup's policy allows); the
 * COPY role's trust names the db users given, and the cluster has the roles attached given.
 */
const copyRoleWorld = (
  xid: string,
  name: string,
  description: string,
  opts: { trustUsers: string[]; attached: { arn: string; status?: string }[] },
): World => ({
  name,
  description,
  vendor: vendor(),
  roles: [
    role(
      xid,
      allow(
        ['redshift:GetClusterCredentials'],
        [
          `arn:aws:redshift:us-west-2:${CUSTOMER}:dbuser:analytics/vendor`,
          `arn:aws:redshift:us-west-2:${CUSTOMER}:dbname:analytics/dev`,
        ],
      ),
      allow(['redshift:DescribeClusters'], [`arn:aws:redshift:us-west-2:${CUSTOMER}:cluster:analytics`]),
      allow(['iam:GetRole'], [COPY_ROLE]),
    ),
    {
      arn: COPY_ROLE,
      trust: seedPolicies.seed002CopyRoleTrust('us-west-2', CUSTOMER, 'analytics', opts.trustUsers),
      policies: [allow(['s3:GetObject'], ['arn:aws:s3:::acme-staging/loads/*'])],
    },
  ],
  clusters: [{ identifier: 'analytics', account: CUSTOMER, region: 'us-west-2', iamRoles: opts.attached }],
});

export const WORLDS: Record<string, WorldCase> = {
  'seed-001-destination': {
    world: (xid) => ({
      name: 'seed-001-destination',
      description:
        'Seed 001 as its guide says: s3:PutObject and s3:DeleteObject on BUCKET/*, role with the external ID.',
      vendor: vendor(),
      roles: [role(xid, seedPolicies.seed001('acme-destination'))],
      buckets: [{ name: 'acme-destination', account: CUSTOMER, region: 'us-east-1' }],
    }),
    request: roleRequest({
      profile: 'destination',
      s3: [{ bucket: 'acme-destination', region: 'us-east-1' }],
    }),
    truth: {
      [`sts.assume-role ${ROLE}`]: 'pass',
      [`sts.external-id-required ${ROLE}`]: 'pass',
      [`s3.bucket-region ${STAGING('acme-destination')}`]: 'pass',
      [`s3.encryption ${STAGING('acme-destination')}`]: 'skip',
      [`s3.write ${STAGING('acme-destination')}`]: 'pass',
      [`s3.delete ${STAGING('acme-destination')}`]: 'pass',
    },
    status: 'pass',
  },
  'seed-003-staging': {
    world: (xid) => ({
      name: 'seed-003-staging',
      description:
        'Seed 003 as its guide says: five actions on syncoutput and syncoutput/*, trust with the external ID.',
      vendor: vendor(),
      roles: [role(xid, seedPolicies.seed003('syncoutput'))],
      buckets: [
        {
          name: 'syncoutput',
          account: CUSTOMER,
          region: 'us-east-1',
          objects: { 'exports/2026-11-01.csv': 'id,name\n1,a\n' },
        },
      ],
    }),
    request: roleRequest({ profile: 'staging', s3: [{ bucket: 'syncoutput' }] }),
    truth: {
      [`sts.assume-role ${ROLE}`]: 'pass',
      [`sts.external-id-required ${ROLE}`]: 'pass',
      [`s3.bucket-region ${STAGING('syncoutput')}`]: 'pass',
      [`s3.bucket-location ${STAGING('syncoutput')}`]: 'pass',
      [`s3.list ${STAGING('syncoutput')}`]: 'pass',
      [`s3.encryption ${STAGING('syncoutput')}`]: 'skip',
      [`s3.write ${STAGING('syncoutput')}`]: 'pass',
      [`s3.read ${STAGING('syncoutput')}`]: 'pass',
      [`s3.delete ${STAGING('syncoutput')}`]: 'pass',
    },
    status: 'pass',
  },
  'seed-004-key-pair': {
    world: () => seed004World([seedPolicies.seed004('acme-input', 'acme-output', CUSTOMER)]),
    request: SEED_004_REQUEST,
    truth: {
      'sts.caller-identity AKIA…MPLE': 'pass',
      [`s3.bucket-region ${STAGING('acme-input')}`]: 'pass',
      [`s3.list ${STAGING('acme-input')}`]: 'pass',
      [`s3.encryption ${STAGING('acme-input')}`]: 'skip',
      [`s3.read ${STAGING('acme-input')}`]: 'pass',
      [`s3.bucket-region ${STAGING('acme-output')}`]: 'pass',
      [`s3.list ${STAGING('acme-output')}`]: 'pass',
      [`s3.encryption ${STAGING('acme-output')}`]: 'pass',
      [`s3.write ${STAGING('acme-output')}`]: 'pass',
      [`s3.read ${STAGING('acme-output')}`]: 'pass',
      [`s3.delete ${STAGING('acme-output')}`]: 'pass',
      // Simulation confirms the probes, and finds what `s3:*` allows beyond the product's need.
      'iam.simulate AKIA…MPLE': 'warn',
    },
    // The reported s3.encryption refusal is an optional check not granted (skip); the over-broad
    // grant is a warning, which (as every warning) decides the outcome.
    status: 'warn',
    fix: /^Replace the statement that allows s3:DeleteBucket, s3:PutBucketPolicy, .*s3:PutBucketPublicAccessBlock.* on arn:aws:s3:::acme-output with one that allows only what the product needs/,
  },
  'seed-004-without-simulate': {
    world: () => ({
      ...seed004World([seedPolicies.seed004('acme-input', 'acme-output', CUSTOMER, false)]),
      name: 'seed-004-without-simulate',
      description: 'Seed 004 without its iam:SimulatePrincipalPolicy statement: the probes alone.',
    }),
    request: SEED_004_REQUEST,
    truth: {
      [`s3.write ${STAGING('acme-output')}`]: 'pass',
      [`s3.delete ${STAGING('acme-output')}`]: 'pass',
      'iam.simulate AKIA…MPLE': 'skip',
    },
    status: 'pass',
    fix: 'Allow iam:SimulatePrincipalPolicy on arn:aws:iam::111122223333:user/ingest',
  },
  'seed-004-no-write': {
    world: () => ({
      ...seed004World([seedPolicies.seed004('acme-input', 'acme-output', CUSTOMER)]),
      name: 'seed-004-no-write',
      description: 'Seed 004 verified with "probe": "simulate": write and delete judged by simulation.',
    }),
    request: { ...SEED_004_REQUEST, probe: 'simulate' },
    truth: {
      [`s3.list ${STAGING('acme-output')}`]: 'pass',
      [`s3.write ${STAGING('acme-output')}`]: 'pass',
      [`s3.delete ${STAGING('acme-output')}`]: 'pass',
      'iam.simulate AKIA…MPLE': 'warn',
    },
    status: 'warn',
  },
  'missing-delete': {
    world: (xid) => ({
      name: 'missing-delete',
      description: 'Seed 001 without s3:DeleteObject: writes work, the probe cannot be removed.',
      vendor: vendor(),
      roles: [role(xid, allow(['s3:PutObject'], ['arn:aws:s3:::acme-destination/*']))],
      buckets: [{ name: 'acme-destination', account: CUSTOMER, region: 'us-east-1' }],
    }),
    request: roleRequest({ profile: 'destination', s3: [{ bucket: 'acme-destination' }] }),
    truth: {
      [`s3.write ${STAGING('acme-destination')}`]: 'pass',
      [`s3.delete ${STAGING('acme-destination')}`]: 'fail',
    },
    status: 'fail',
    fix: 'Allow s3:DeleteObject on arn:aws:s3:::acme-destination/*',
  },
  'trust-without-external-id': {
    world: () => ({
      name: 'trust-without-external-id',
      description: 'Seed 003’s first trust policy: the vendor is trusted without any external ID.',
      vendor: vendor(),
      roles: [role(null, seedPolicies.seed003('syncoutput'))],
      buckets: [{ name: 'syncoutput', account: CUSTOMER, region: 'us-east-1' }],
    }),
    request: roleRequest({ profile: 'staging', s3: [{ bucket: 'syncoutput' }] }),
    truth: {
      [`sts.assume-role ${ROLE}`]: 'pass',
      [`sts.external-id-required ${ROLE}`]: 'fail',
      // Any tenant could name this role: nothing is probed with it until the trust is fixed.
      [`s3.bucket-region ${STAGING('syncoutput')}`]: 'skip',
      [`s3.write ${STAGING('syncoutput')}`]: 'skip',
    },
    status: 'fail',
  },
  'confused-deputy': {
    world: () => ({
      name: 'confused-deputy',
      description:
        'Another tenant names a victim’s role whose trust lacks the external ID: the victim’s bucket is never touched.',
      vendor: vendor(),
      roles: [role(null, seedPolicies.seed003('victim-data'))],
      buckets: [
        {
          name: 'victim-data',
          account: CUSTOMER,
          region: 'us-east-1',
          objects: { 'exports/payroll.csv': 'name,salary\nalice,1\n' },
        },
      ],
    }),
    request: roleRequest({ profile: 'staging', s3: [{ bucket: 'victim-data' }] }),
    truth: {
      [`sts.assume-role ${ROLE}`]: 'pass',
      [`sts.external-id-required ${ROLE}`]: 'fail',
      [`s3.bucket-region ${STAGING('victim-data')}`]: 'skip',
      [`s3.list ${STAGING('victim-data')}`]: 'skip',
      [`s3.read ${STAGING('victim-data')}`]: 'skip',
      [`s3.write ${STAGING('victim-data')}`]: 'skip',
    },
    status: 'fail',
    fix: /^In the role's trust policy, give the statement that trusts arn:aws:iam::999988887777:role\/aws-access-verifier-dev the condition "StringEquals": \{"sts:ExternalId": "v1-/,
  },
  'wrong-external-id': {
    world: () => ({
      name: 'wrong-external-id',
      description: 'The trust policy carries another tenant’s external ID (the guide’s "0000").',
      vendor: vendor(),
      roles: [role('0000', seedPolicies.seed003('syncoutput'))],
      buckets: [{ name: 'syncoutput', account: CUSTOMER, region: 'us-east-1' }],
    }),
    request: roleRequest({ profile: 'staging', s3: [{ bucket: 'syncoutput' }] }),
    truth: {
      [`sts.assume-role ${ROLE}`]: 'fail',
      [`sts.external-id-required ${ROLE}`]: 'skip',
      [`s3.write ${STAGING('syncoutput')}`]: 'skip',
    },
    status: 'fail',
  },
  'bucket-in-another-region': {
    world: (xid) => ({
      name: 'bucket-in-another-region',
      description: 'The customer declared us-east-1; the bucket is in eu-west-1.',
      vendor: vendor(),
      roles: [role(xid, seedPolicies.seed003('syncoutput'))],
      buckets: [{ name: 'syncoutput', account: CUSTOMER, region: 'eu-west-1' }],
    }),
    request: roleRequest({ profile: 'staging', s3: [{ bucket: 'syncoutput', region: 'us-east-1' }] }),
    truth: {
      [`s3.bucket-region ${STAGING('syncoutput')}`]: 'warn',
      [`s3.write ${STAGING('syncoutput')}`]: 'pass',
      [`s3.read ${STAGING('syncoutput')}`]: 'pass',
      [`s3.delete ${STAGING('syncoutput')}`]: 'pass',
    },
    status: 'warn',
  },
  'versioned-without-delete-version': {
    world: (xid) => ({
      name: 'versioned-without-delete-version',
      description: 'A versioned bucket and seed 003’s policy: s3:DeleteObjectVersion is missing.',
      vendor: vendor(),
      roles: [role(xid, seedPolicies.seed003('syncoutput'))],
      buckets: [{ name: 'syncoutput', account: CUSTOMER, region: 'us-east-1', versioning: true }],
    }),
    request: roleRequest({ profile: 'staging', s3: [{ bucket: 'syncoutput' }] }),
    truth: { [`s3.delete ${STAGING('syncoutput')}`]: 'warn', [`s3.write ${STAGING('syncoutput')}`]: 'pass' },
    status: 'warn',
    fix: 'Allow s3:DeleteObjectVersion on arn:aws:s3:::syncoutput/*',
  },
  'deactivated-key-pair': {
    world: () => ({
      name: 'deactivated-key-pair',
      description: 'Seed 004’s user, whose access key was deactivated.',
      vendor: vendor(),
      users: [
        {
          arn: `arn:aws:iam::${CUSTOMER}:user/ingest`,
          accessKeyId: 'AKIAINGESTUSEREXAMPLE',
          secretAccessKey: 'ingestUserSecretAccessKeyEXAMPLEKEY00000',
          active: false,
          policies: [seedPolicies.seed004('acme-input', 'acme-output', CUSTOMER)],
        },
      ],
      buckets: [{ name: 'acme-output', account: CUSTOMER, region: 'us-east-1' }],
    }),
    request: {
      credentials: {
        type: 'accessKey',
        accessKeyId: 'AKIAINGESTUSEREXAMPLE',
        secretAccessKey: 'ingestUserSecretAccessKeyEXAMPLEKEY00000',
      },
      s3: [{ bucket: 'acme-output' }],
    },
    truth: { 'sts.caller-identity AKIA…MPLE': 'fail', [`s3.write ${STAGING('acme-output')}`]: 'skip' },
    status: 'fail',
  },
  'scp-denies-writes': {
    world: (xid) => ({
      name: 'scp-denies-writes',
      description: 'The role allows writes, but the organization’s SCP denies s3:PutObject.',
      vendor: vendor(),
      roles: [role(xid, seedPolicies.seed003('syncoutput'))],
      buckets: [{ name: 'syncoutput', account: CUSTOMER, region: 'us-east-1' }],
      scps: {
        [CUSTOMER]: [
          { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
          { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 's3:PutObject', Resource: '*' }] },
        ],
      },
    }),
    request: roleRequest({ profile: 'staging', s3: [{ bucket: 'syncoutput' }] }),
    truth: {
      [`s3.list ${STAGING('syncoutput')}`]: 'pass',
      [`s3.write ${STAGING('syncoutput')}`]: 'fail',
      [`s3.delete ${STAGING('syncoutput')}`]: 'skip',
    },
    status: 'fail',
  },
  'rcp-forbids-deletes': {
    world: (xid) => ({
      name: 'rcp-forbids-deletes',
      description:
        'Seed 003’s policy, but the organization’s resource control policy denies deleting objects in its buckets.',
      vendor: vendor(),
      roles: [role(xid, seedPolicies.seed003('syncoutput'))],
      buckets: [{ name: 'syncoutput', account: CUSTOMER, region: 'us-east-1' }],
      // AWS's own RCPFullAWSAccess is implicit: an RCP holds Deny statements only.
      rcps: {
        [CUSTOMER]: [
          {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Deny',
                Principal: '*',
                Action: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
                Resource: '*',
              },
            ],
          },
        ],
      },
    }),
    request: roleRequest({ profile: 'staging', s3: [{ bucket: 'syncoutput' }] }),
    truth: {
      [`s3.write ${STAGING('syncoutput')}`]: 'pass',
      [`s3.read ${STAGING('syncoutput')}`]: 'pass',
      [`s3.delete ${STAGING('syncoutput')}`]: 'fail',
    },
    status: 'fail',
    fix: /^An explicit deny in a resource control policy refuses s3:DeleteObject on arn:aws:s3:::syncoutput\/\*; .*administrator of the AWS Organization/,
  },
  'bucket-of-another-account': {
    world: (xid) => ({
      name: 'bucket-of-another-account',
      description:
        'A typo names a bucket another account owns: every probe names the expected owner, so nothing touches it.',
      vendor: vendor(),
      roles: [role(xid, allow(['s3:*'], ['arn:aws:s3:::acme-exprots', 'arn:aws:s3:::acme-exprots/*']))],
      buckets: [
        {
          name: 'acme-exprots',
          account: '444455556666',
          region: 'us-east-1',
          policy: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: '*',
                Action: 's3:*',
                Resource: ['arn:aws:s3:::acme-exprots', 'arn:aws:s3:::acme-exprots/*'],
              },
            ],
          },
        },
      ],
    }),
    request: roleRequest({ profile: 'destination', s3: [{ bucket: 'acme-exprots' }] }),
    truth: {
      // HeadBucket's 403 names a region, not an owner: nothing confirms the bucket is the customer's.
      [`s3.bucket-region ${STAGING('acme-exprots')}`]: 'fail',
      [`s3.write ${STAGING('acme-exprots')}`]: 'fail',
      [`s3.delete ${STAGING('acme-exprots')}`]: 'skip',
    },
    status: 'fail',
    fix: /^Check the bucket name and owner: is acme-exprots the exact name, and does account 111122223333 own it/,
  },
  'bucket-that-does-not-exist': {
    world: (xid) => ({
      name: 'bucket-that-does-not-exist',
      description: 'A typo names a bucket nobody owns: S3 answers 404, and nothing else is tried.',
      vendor: vendor(),
      roles: [role(xid, seedPolicies.seed001('acme-exports'))],
      buckets: [{ name: 'acme-exports', account: CUSTOMER, region: 'us-east-1' }],
    }),
    request: roleRequest({ profile: 'destination', s3: [{ bucket: 'acme-exprots' }] }),
    truth: {
      [`s3.bucket-region ${STAGING('acme-exprots')}`]: 'fail',
      [`s3.write ${STAGING('acme-exprots')}`]: 'skip',
      [`s3.delete ${STAGING('acme-exprots')}`]: 'skip',
    },
    status: 'fail',
    fix: /^Check the bucket name and owner: is acme-exprots the exact name/,
  },
  'kms-key-policy-without-the-role': {
    world: (xid) => ({
      name: 'kms-key-policy-without-the-role',
      description: 'An SSE-KMS bucket whose key policy names only the key administrator, not the role.',
      vendor: vendor(),
      roles: [
        role(xid, seedPolicies.seed003('syncoutput'), allow(['kms:GenerateDataKey', 'kms:Decrypt'], [KEY])),
      ],
      buckets: [
        {
          name: 'syncoutput',
          account: CUSTOMER,
          region: 'us-east-1',
          encryption: { algorithm: 'aws:kms', kmsKeyId: KEY },
        },
      ],
      keys: [{ arn: KEY, policy: keyPolicy([`arn:aws:iam::${CUSTOMER}:role/KeyAdmin`]) }],
    }),
    request: roleRequest({ profile: 'staging', s3: [{ bucket: 'syncoutput', kmsKeyArn: KEY }] }),
    truth: {
      [`s3.write ${STAGING('syncoutput')}`]: 'fail',
      [`kms.generate-data-key ${KEY}`]: 'fail',
      [`kms.decrypt ${KEY}`]: 'skip',
    },
    status: 'fail',
    fix: `Allow kms:GenerateDataKey for ${ROLE} in the key policy of ${KEY}.`,
  },
  'kms-identity-policy-without-the-key': {
    world: (xid) => ({
      name: 'kms-identity-policy-without-the-key',
      description:
        'An SSE-KMS bucket whose key policy defers to IAM, and a role granted the bucket but not the key: S3 refuses the write naming kms:GenerateDataKey.',
      vendor: vendor(),
      roles: [role(xid, seedPolicies.seed003('syncoutput'))],
      buckets: [
        {
          name: 'syncoutput',
          account: CUSTOMER,
          region: 'us-east-1',
          encryption: { algorithm: 'aws:kms', kmsKeyId: KEY },
        },
      ],
      keys: [{ arn: KEY, policy: keyPolicyDeferringToIam() }],
    }),
    request: roleRequest({ profile: 'staging', s3: [{ bucket: 'syncoutput', kmsKeyArn: KEY }] }),
    truth: {
      [`s3.write ${STAGING('syncoutput')}`]: 'fail',
      [`s3.delete ${STAGING('syncoutput')}`]: 'skip',
      [`kms.generate-data-key ${KEY}`]: 'fail',
      [`kms.decrypt ${KEY}`]: 'skip',
    },
    status: 'fail',
    // What AWS named: the KMS action on the key, not the s3:PutObject the role already has.
    fix: `Allow kms:GenerateDataKey on ${KEY}`,
  },
  'permissions-boundary-without-writes': {
    world: (xid) => ({
      name: 'permissions-boundary-without-writes',
      description: 'Seed 003’s policy on a role whose permissions boundary leaves out s3:PutObject.',
      vendor: vendor(),
      roles: [
        {
          ...role(xid, seedPolicies.seed003('syncoutput')),
          boundary: allow(
            ['s3:GetObject', 's3:ListBucket', 's3:DeleteObject', 's3:GetBucketLocation'],
            ['arn:aws:s3:::syncoutput', 'arn:aws:s3:::syncoutput/*'],
          ),
        },
      ],
      buckets: [{ name: 'syncoutput', account: CUSTOMER, region: 'us-east-1' }],
    }),
    request: roleRequest({ profile: 'staging', s3: [{ bucket: 'syncoutput' }] }),
    truth: {
      [`s3.list ${STAGING('syncoutput')}`]: 'pass',
      [`s3.write ${STAGING('syncoutput')}`]: 'fail',
      [`s3.delete ${STAGING('syncoutput')}`]: 'skip',
    },
    status: 'fail',
    fix: /^The permissions boundary of arn:aws:iam::111122223333:role\/VendorAccess does not allow s3:PutObject on arn:aws:s3:::syncoutput\/\*: /,
  },
  'kms-bucket-key-via-s3-only': {
    world: (xid) => ({
      name: 'kms-bucket-key-via-s3-only',
      description:
        'The key policy lets the role use the key only through S3 (kms:ViaService): S3 works, direct calls do not.',
      vendor: vendor(),
      roles: [role(xid, seedPolicies.seed003('syncoutput'))],
      buckets: [
        {
          name: 'syncoutput',
          account: CUSTOMER,
          region: 'us-east-1',
          encryption: { algorithm: 'aws:kms', kmsKeyId: KEY },
        },
      ],
      keys: [
        {
          arn: KEY,
          policy: keyPolicy([ROLE], { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } }),
        },
      ],
    }),
    request: roleRequest({ profile: 'staging', s3: [{ bucket: 'syncoutput', kmsKeyArn: KEY }] }),
    truth: {
      [`s3.write ${STAGING('syncoutput')}`]: 'pass',
      [`s3.read ${STAGING('syncoutput')}`]: 'pass',
      [`s3.delete ${STAGING('syncoutput')}`]: 'pass',
      [`kms.generate-data-key ${KEY}`]: 'warn',
    },
    status: 'warn',
  },
  'kms-key-disabled': {
    world: (xid) => ({
      name: 'kms-key-disabled',
      description: 'The key a request names is disabled.',
      vendor: vendor(),
      roles: [role(xid, allow(['kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt'], [KEY]))],
      keys: [{ arn: KEY, state: 'Disabled', policy: keyPolicy([ROLE]) }],
    }),
    request: roleRequest({ kms: [{ keyArn: KEY }] }),
    truth: {
      [`kms.generate-data-key ${KEY}`]: 'fail',
      [`kms.encrypt ${KEY}`]: 'fail',
      [`kms.decrypt ${KEY}`]: 'skip',
    },
    status: 'fail',
  },
  'seed-000-redshift': {
    world: (xid) => ({
      name: 'seed-000-redshift',
      description:
        'Seed 000’s GetClusterCredentials policy: db user as a policy variable, aws:userid tied to the session name; no DescribeClusters.',
      vendor: vendor(),
      roles: [
        {
          ...role(xid, seedPolicies.seed000Redshift('us-west-2', CUSTOMER, 'analytics', 'dev')),
          uniqueId: 'AIDIODR4TAW7CSEXAMPLE',
        },
      ],
      clusters: [{ identifier: 'analytics', account: CUSTOMER, region: 'us-west-2' }],
    }),
    request: roleRequest({ redshift: [ANALYTICS] }),
    truth: {
      [`sts.assume-role ${ROLE}`]: 'pass',
      [`redshift.credentials ${ANALYTICS_LABEL}`]: 'pass',
      // The guide asks for no Describe permission: the endpoint cannot be read, so nothing is claimed.
      [`redshift.reachable ${ANALYTICS_LABEL}`]: 'skip',
    },
    status: 'pass',
  },
  'redshift-db-user-mismatch': {
    world: (xid) => ({
      name: 'redshift-db-user-mismatch',
      description: 'The policy names db user "vendor", the product connects as "loader".',
      vendor: vendor(),
      roles: [
        role(
          xid,
          allow(
            ['redshift:GetClusterCredentials'],
            [
              `arn:aws:redshift:us-west-2:${CUSTOMER}:dbuser:analytics/vendor`,
              `arn:aws:redshift:us-west-2:${CUSTOMER}:dbname:analytics/dev`,
            ],
          ),
          allow(['redshift:DescribeClusters'], [`arn:aws:redshift:us-west-2:${CUSTOMER}:cluster:analytics`]),
        ),
      ],
      clusters: [{ identifier: 'analytics', account: CUSTOMER, region: 'us-west-2' }],
    }),
    request: roleRequest({ redshift: [{ ...ANALYTICS, dbUser: 'loader' }] }),
    truth: {
      'redshift.credentials redshift://analytics/dev?user=loader': 'fail',
      'redshift.reachable redshift://analytics/dev?user=loader': 'pass',
    },
    status: 'fail',
    fix: `Allow redshift:GetClusterCredentials on arn:aws:redshift:us-west-2:${CUSTOMER}:dbuser:analytics/loader`,
  },
  'redshift-unreachable': {
    world: (xid) => ({
      name: 'redshift-unreachable',
      description: 'Credentials are issued, but the cluster’s security group does not admit this service.',
      vendor: vendor(),
      roles: [
        role(
          xid,
          seedPolicies.seed000Redshift('us-west-2', CUSTOMER, 'analytics', 'dev'),
          allow(['redshift:DescribeClusters'], [`arn:aws:redshift:us-west-2:${CUSTOMER}:cluster:analytics`]),
        ),
      ].map((r) => ({ ...r, uniqueId: 'AIDIODR4TAW7CSEXAMPLE' })),
      clusters: [{ identifier: 'analytics', account: CUSTOMER, region: 'us-west-2', reachable: false }],
    }),
    request: roleRequest({ redshift: [ANALYTICS] }),
    truth: {
      [`redshift.credentials ${ANALYTICS_LABEL}`]: 'pass',
      [`redshift.reachable ${ANALYTICS_LABEL}`]: 'fail',
    },
    status: 'fail',
    fix: /^Allow inbound TCP \d+ from this service's addresses in the security group and any allowlist\.$/,
  },
  'redshift-serverless': {
    world: (xid) => ({
      name: 'redshift-serverless',
      description:
        'A Serverless workgroup: GetCredentials and GetWorkgroup on its ARN, which carries its id.',
      vendor: vendor(),
      roles: [
        role(
          xid,
          allow(['redshift-serverless:GetCredentials', 'redshift-serverless:GetWorkgroup'], [WORKGROUP_ARN]),
        ),
      ],
      workgroups: [{ name: 'etl', id: WORKGROUP_ID, account: CUSTOMER, region: 'us-west-2' }],
    }),
    request: roleRequest({ redshift: [{ workgroupName: 'etl', dbName: 'dev', region: 'us-west-2' }] }),
    truth: {
      [`redshift-serverless.credentials ${ETL_LABEL}`]: 'pass',
      [`redshift.reachable ${ETL_LABEL}`]: 'pass',
    },
    status: 'pass',
  },
  'redshift-serverless-without-get-credentials': {
    world: (xid) => ({
      name: 'redshift-serverless-without-get-credentials',
      description: 'The workgroup can be read but not logged in to: GetCredentials is missing.',
      vendor: vendor(),
      roles: [role(xid, allow(['redshift-serverless:GetWorkgroup'], [WORKGROUP_ARN]))],
      workgroups: [{ name: 'etl', id: WORKGROUP_ID, account: CUSTOMER, region: 'us-west-2' }],
    }),
    request: roleRequest({ redshift: [{ workgroupName: 'etl', dbName: 'dev', region: 'us-west-2' }] }),
    truth: {
      [`redshift-serverless.credentials ${ETL_LABEL}`]: 'fail',
      [`redshift.reachable ${ETL_LABEL}`]: 'pass',
    },
    status: 'fail',
    // The fix names the workgroup by its id, which only GetWorkgroup could tell.
    fix: `Allow redshift-serverless:GetCredentials on ${WORKGROUP_ARN}`,
  },
  'seed-002-copy-role': {
    world: (xid) =>
      copyRoleWorld(
        xid,
        'seed-002-copy-role',
        'Seed 002 done right: the COPY role attached, its trust naming the product’s db user in the cluster’s region.',
        {
          trustUsers: ['vendor'],
          attached: [{ arn: COPY_ROLE }],
        },
      ),
    request: roleRequest({ redshift: [{ ...ANALYTICS, copyRoleArn: COPY_ROLE }] }),
    truth: {
      [`redshift.credentials ${ANALYTICS_LABEL}`]: 'pass',
      [`redshift.reachable ${ANALYTICS_LABEL}`]: 'pass',
      [`redshift.copy-role ${ANALYTICS_LABEL}`]: 'pass',
    },
    status: 'pass',
  },
  'redshift-copy-role-not-attached': {
    world: (xid) =>
      copyRoleWorld(
        xid,
        'redshift-copy-role-not-attached',
        'Seed 002’s COPY role exists but was never attached to the cluster.',
        {
          trustUsers: ['vendor'],
          attached: [],
        },
      ),
    request: roleRequest({ redshift: [{ ...ANALYTICS, copyRoleArn: COPY_ROLE }] }),
    truth: {
      [`redshift.credentials ${ANALYTICS_LABEL}`]: 'pass',
      [`redshift.copy-role ${ANALYTICS_LABEL}`]: 'fail',
    },
    status: 'fail',
    fix: `Attach ${COPY_ROLE} to cluster analytics: aws redshift modify-cluster-iam-roles --cluster-identifier analytics --add-iam-roles ${COPY_ROLE}`,
  },
  'redshift-copy-role-other-db-user': {
    world: (xid) =>
      copyRoleWorld(
        xid,
        'redshift-copy-role-other-db-user',
        'The COPY role is attached, but its trust names db user "loader", not the product’s "vendor".',
        {
          trustUsers: ['loader'],
          attached: [{ arn: COPY_ROLE }],
        },
      ),
    request: roleRequest({ redshift: [{ ...ANALYTICS, copyRoleArn: COPY_ROLE }] }),
    truth: {
      [`redshift.credentials ${ANALYTICS_LABEL}`]: 'pass',
      [`redshift.copy-role ${ANALYTICS_LABEL}`]: 'warn',
    },
    status: 'warn',
  },
  'redshift-serverless-copy-role': {
    world: (xid) => ({
      name: 'redshift-serverless-copy-role',
      description:
        'A Serverless workgroup whose namespace has the COPY role attached (GetNamespace → iamRoles).',
      vendor: vendor(),
      roles: [
        role(
          xid,
          allow(['redshift-serverless:GetCredentials', 'redshift-serverless:GetWorkgroup'], [WORKGROUP_ARN]),
          allow(
            ['redshift-serverless:GetNamespace'],
            [`arn:aws:redshift-serverless:us-west-2:${CUSTOMER}:namespace/*`],
          ),
        ),
      ],
      workgroups: [
        {
          name: 'etl',
          id: WORKGROUP_ID,
          account: CUSTOMER,
          region: 'us-west-2',
          namespace: { name: 'etl-ns', id: '5d7e9f1a-2b3c-4d5e-8f9a-0b1c2d3e4f5a', iamRoles: [COPY_ROLE] },
        },
      ],
    }),
    request: roleRequest({
      redshift: [{ workgroupName: 'etl', dbName: 'dev', region: 'us-west-2', copyRoleArn: COPY_ROLE }],
    }),
    truth: {
      [`redshift-serverless.credentials ${ETL_LABEL}`]: 'pass',
      [`redshift.copy-role ${ETL_LABEL}`]: 'pass',
    },
    status: 'pass',
  },
  'seed-002-redshift-trust': {
    world: () => ({
      name: 'seed-002-redshift-trust',
      description:
        'Seed 002’s trust policy (Redshift itself, external IDs = db-user ARNs) on the role given to the vendor.',
      vendor: vendor(),
      roles: [{ arn: ROLE, trust: seedPolicies.seed002Trust(), policies: [] }],
      clusters: [{ identifier: 'analytics', account: CUSTOMER, region: 'us-west-2' }],
    }),
    request: roleRequest({ redshift: [ANALYTICS] }),
    truth: {
      [`sts.assume-role ${ROLE}`]: 'fail',
      [`redshift.credentials ${ANALYTICS_LABEL}`]: 'skip',
    },
    status: 'fail',
    fix: 'Add the statement in remediation.trustPolicy to the role’s trust policy, keeping its other statements.',
  },
};
