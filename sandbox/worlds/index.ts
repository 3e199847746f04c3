import type { PolicyJson } from '../iam.ts';
import type { WorldCase } from '../world.ts';
import {
  allow,
  bucket,
  CUSTOMER,
  checks,
  library,
  ROLE,
  role,
  roleRequest,
  s3Url,
  type WorldSpec,
} from './build.ts';
import { seedPolicies } from './seeds.ts';

/**
 * The library of worlds: each seed's correct setup, and the mistakes customers really make.
 * Each states the request the verifier gets and what every check must answer.
 */

const ANALYTICS = { clusterIdentifier: 'analytics', dbUser: 'vendor', dbName: 'dev', region: 'us-west-2' };
const ANALYTICS_LABEL = 'redshift://analytics/dev?user=vendor';
const ETL_LABEL = 'redshift-serverless://etl/dev';
const WORKGROUP_ID = '0b3f6a2e-5c1d-4e8f-9a7b-2c4d6e8f0a1b';
const WORKGROUP_ARN = `arn:aws:redshift-serverless:us-west-2:${CUSTOMER}:workgroup/${WORKGROUP_ID}`;

/** Cluster `analytics` of the customer, in us-west-2. */
const analytics = (extra: { iamRoles?: { arn: string; status?: string }[]; reachable?: boolean } = {}) => ({
  identifier: 'analytics',
  account: CUSTOMER,
  region: 'us-west-2',
  ...extra,
});
const etlWorkgroup = () => ({ name: 'etl', id: WORKGROUP_ID, account: CUSTOMER, region: 'us-west-2' });
/** GetClusterCredentials for db user `vendor` in database `dev` of `analytics`. */
const analyticsCredentials = () =>
  allow(
    ['redshift:GetClusterCredentials'],
    [
      `arn:aws:redshift:us-west-2:${CUSTOMER}:dbuser:analytics/vendor`,
      `arn:aws:redshift:us-west-2:${CUSTOMER}:dbname:analytics/dev`,
    ],
  );
const describeAnalytics = () =>
  allow(['redshift:DescribeClusters'], [`arn:aws:redshift:us-west-2:${CUSTOMER}:cluster:analytics`]);

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
const seed004World = (policies: PolicyJson[]): ReturnType<WorldSpec['holds']> => ({
  users: [
    {
      arn: `arn:aws:iam::${CUSTOMER}:user/ingest`,
      accessKeyId: 'AKIAINGESTUSEREXAMPLE',
      secretAccessKey: 'ingestUserSecretAccessKeyEXAMPLEKEY00000',
      policies,
    },
  ],
  buckets: [
    bucket('acme-input', {
      objects: { 'events/part-0.json': '{"a":1}\n' },
    }),
    bucket('acme-output'),
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
  opts: { trustUsers: string[]; attached: { arn: string; status?: string }[] },
): ReturnType<WorldSpec['holds']> => ({
  roles: [
    role(xid, analyticsCredentials(), describeAnalytics(), allow(['iam:GetRole'], [COPY_ROLE])),
    {
      arn: COPY_ROLE,
      trust: seedPolicies.seed002CopyRoleTrust('us-west-2', CUSTOMER, 'analytics', opts.trustUsers),
      policies: [allow(['s3:GetObject'], ['arn:aws:s3:::acme-staging/loads/*'])],
    },
  ],
  clusters: [analytics({ iamRoles: opts.attached })],
});

export const WORLDS: Record<string, WorldCase> = library({
  'seed-001-destination': {
    description:
      'Seed 001 as its guide says: s3:PutObject and s3:DeleteObject on BUCKET/*, role with the external ID.',
    holds: (xid) => ({
      roles: [role(xid, seedPolicies.seed001('acme-destination'))],
      buckets: [bucket('acme-destination')],
    }),
    request: roleRequest({
      profile: 'destination',
      s3: [{ bucket: 'acme-destination', region: 'us-east-1' }],
    }),
    truth: {
      ...checks(ROLE, { 'sts.assume-role': 'pass', 'sts.external-id-required': 'pass' }),
      ...checks(s3Url('acme-destination'), {
        's3.bucket-region': 'pass',
        's3.encryption': 'skip',
        's3.write': 'pass',
        's3.delete': 'pass',
      }),
    },
    status: 'pass',
  },
  'seed-003-staging': {
    description:
      'Seed 003 as its guide says: five actions on syncoutput and syncoutput/*, trust with the external ID.',
    holds: (xid) => ({
      roles: [role(xid, seedPolicies.seed003('syncoutput'))],
      buckets: [
        bucket('syncoutput', {
          objects: { 'exports/2026-11-01.csv': 'id,name\n1,a\n' },
        }),
      ],
    }),
    request: roleRequest({ profile: 'staging', s3: [{ bucket: 'syncoutput' }] }),
    truth: {
      ...checks(ROLE, { 'sts.assume-role': 'pass', 'sts.external-id-required': 'pass' }),
      ...checks(s3Url('syncoutput'), {
        's3.bucket-region': 'pass',
        's3.bucket-location': 'pass',
        's3.list': 'pass',
        's3.encryption': 'skip',
        's3.write': 'pass',
        's3.read': 'pass',
        's3.delete': 'pass',
      }),
    },
    status: 'pass',
  },
  'seed-004-key-pair': {
    description: 'Seed 004: an IAM user’s key pair, input bucket read-only, output bucket s3:*.',
    holds: () => seed004World([seedPolicies.seed004('acme-input', 'acme-output', CUSTOMER)]),
    request: SEED_004_REQUEST,
    truth: {
      'sts.caller-identity AKIA…MPLE': 'pass',
      ...checks(s3Url('acme-input'), {
        's3.bucket-region': 'pass',
        's3.list': 'pass',
        's3.encryption': 'skip',
        's3.read': 'pass',
      }),
      ...checks(s3Url('acme-output'), {
        's3.bucket-region': 'pass',
        's3.list': 'pass',
        's3.encryption': 'pass',
        's3.write': 'pass',
        's3.read': 'pass',
        's3.delete': 'pass',
      }),
      // Simulation confirms the probes, and finds what `s3:*` allows beyond the product's need.
      'iam.simulate AKIA…MPLE': 'warn',
    },
    // The reported s3.encryption refusal is an optional check not granted (skip); the over-broad
    // grant is a warning, which (as every warning) decides the outcome.
    status: 'warn',
    fix: /^Replace the statement that allows s3:DeleteBucket, s3:PutBucketPolicy, .*s3:PutBucketPublicAccessBlock.* on arn:aws:s3:::acme-output with one that allows only what the product needs/,
  },
  'seed-004-without-simulate': {
    description: 'Seed 004 without its iam:SimulatePrincipalPolicy statement: the probes alone.',
    holds: () => seed004World([seedPolicies.seed004('acme-input', 'acme-output', CUSTOMER, false)]),
    request: SEED_004_REQUEST,
    truth: {
      ...checks(s3Url('acme-output'), { 's3.write': 'pass', 's3.delete': 'pass' }),
      'iam.simulate AKIA…MPLE': 'skip',
    },
    status: 'pass',
    fix: 'Allow iam:SimulatePrincipalPolicy on arn:aws:iam::111122223333:user/ingest',
  },
  'seed-004-no-write': {
    description: 'Seed 004 verified with "probe": "simulate": write and delete judged by simulation.',
    holds: () => seed004World([seedPolicies.seed004('acme-input', 'acme-output', CUSTOMER)]),
    request: { ...SEED_004_REQUEST, probe: 'simulate' },
    truth: {
      ...checks(s3Url('acme-output'), { 's3.list': 'pass', 's3.write': 'pass', 's3.delete': 'pass' }),
      'iam.simulate AKIA…MPLE': 'warn',
    },
    status: 'warn',
  },
  'missing-delete': {
    description: 'Seed 001 without s3:DeleteObject: writes work, the probe cannot be removed.',
    holds: (xid) => ({
      roles: [role(xid, allow(['s3:PutObject'], ['arn:aws:s3:::acme-destination/*']))],
      buckets: [bucket('acme-destination')],
    }),
    request: roleRequest({ profile: 'destination', s3: [{ bucket: 'acme-destination' }] }),
    truth: checks(s3Url('acme-destination'), { 's3.write': 'pass', 's3.delete': 'fail' }),
    status: 'fail',
    fix: 'Allow s3:DeleteObject on arn:aws:s3:::acme-destination/*',
  },
  'trust-without-external-id': {
    description: 'Seed 003’s first trust policy: the vendor is trusted without any external ID.',
    holds: () => ({
      roles: [role(null, seedPolicies.seed003('syncoutput'))],
      buckets: [bucket('syncoutput')],
    }),
    request: roleRequest({ profile: 'staging', s3: [{ bucket: 'syncoutput' }] }),
    truth: {
      ...checks(ROLE, { 'sts.assume-role': 'pass', 'sts.external-id-required': 'fail' }),
      // Any tenant could name this role: nothing is probed with it until the trust is fixed.
      ...checks(s3Url('syncoutput'), { 's3.bucket-region': 'skip', 's3.write': 'skip' }),
    },
    status: 'fail',
  },
  'confused-deputy': {
    description:
      'Another tenant names a victim’s role whose trust lacks the external ID: the victim’s bucket is never touched.',
    holds: () => ({
      roles: [role(null, seedPolicies.seed003('victim-data'))],
      buckets: [
        bucket('victim-data', {
          objects: { 'exports/payroll.csv': 'name,salary\nalice,1\n' },
        }),
      ],
    }),
    request: roleRequest({ profile: 'staging', s3: [{ bucket: 'victim-data' }] }),
    truth: {
      ...checks(ROLE, { 'sts.assume-role': 'pass', 'sts.external-id-required': 'fail' }),
      ...checks(s3Url('victim-data'), {
        's3.bucket-region': 'skip',
        's3.list': 'skip',
        's3.read': 'skip',
        's3.write': 'skip',
      }),
    },
    status: 'fail',
    fix: /^In the role's trust policy, give the statement that trusts arn:aws:iam::999988887777:role\/aws-access-verifier-dev the condition "StringEquals": \{"sts:ExternalId": "v1-/,
  },
  'wrong-external-id': {
    description: 'The trust policy carries another tenant’s external ID (the guide’s "0000").',
    holds: () => ({
      roles: [role('0000', seedPolicies.seed003('syncoutput'))],
      buckets: [bucket('syncoutput')],
    }),
    request: roleRequest({ profile: 'staging', s3: [{ bucket: 'syncoutput' }] }),
    truth: {
      ...checks(ROLE, { 'sts.assume-role': 'fail', 'sts.external-id-required': 'skip' }),
      ...checks(s3Url('syncoutput'), { 's3.write': 'skip' }),
    },
    status: 'fail',
  },
  'bucket-in-another-region': {
    description: 'The customer declared us-east-1; the bucket is in eu-west-1.',
    holds: (xid) => ({
      roles: [role(xid, seedPolicies.seed003('syncoutput'))],
      buckets: [bucket('syncoutput', { region: 'eu-west-1' })],
    }),
    request: roleRequest({ profile: 'staging', s3: [{ bucket: 'syncoutput', region: 'us-east-1' }] }),
    truth: checks(s3Url('syncoutput'), {
      's3.bucket-region': 'warn',
      's3.write': 'pass',
      's3.read': 'pass',
      's3.delete': 'pass',
    }),
    status: 'warn',
  },
  'versioned-without-delete-version': {
    description: 'A versioned bucket and seed 003’s policy: s3:DeleteObjectVersion is missing.',
    holds: (xid) => ({
      roles: [role(xid, seedPolicies.seed003('syncoutput'))],
      buckets: [bucket('syncoutput', { versioning: true })],
    }),
    request: roleRequest({ profile: 'staging', s3: [{ bucket: 'syncoutput' }] }),
    truth: checks(s3Url('syncoutput'), { 's3.delete': 'warn', 's3.write': 'pass' }),
    status: 'warn',
    fix: 'Allow s3:DeleteObjectVersion on arn:aws:s3:::syncoutput/*',
  },
  'deactivated-key-pair': {
    description: 'Seed 004’s user, whose access key was deactivated.',
    holds: () => ({
      users: [
        {
          arn: `arn:aws:iam::${CUSTOMER}:user/ingest`,
          accessKeyId: 'AKIAINGESTUSEREXAMPLE',
          secretAccessKey: 'ingestUserSecretAccessKeyEXAMPLEKEY00000',
          active: false,
          policies: [seedPolicies.seed004('acme-input', 'acme-output', CUSTOMER)],
        },
      ],
      buckets: [bucket('acme-output')],
    }),
    request: {
      credentials: {
        type: 'accessKey',
        accessKeyId: 'AKIAINGESTUSEREXAMPLE',
        secretAccessKey: 'ingestUserSecretAccessKeyEXAMPLEKEY00000',
      },
      s3: [{ bucket: 'acme-output' }],
    },
    truth: {
      'sts.caller-identity AKIA…MPLE': 'fail',
      ...checks(s3Url('acme-output'), { 's3.write': 'skip' }),
    },
    status: 'fail',
  },
  'scp-denies-writes': {
    description: 'The role allows writes, but the organization’s SCP denies s3:PutObject.',
    holds: (xid) => ({
      roles: [role(xid, seedPolicies.seed003('syncoutput'))],
      buckets: [bucket('syncoutput')],
      scps: {
        [CUSTOMER]: [
          { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
          { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 's3:PutObject', Resource: '*' }] },
        ],
      },
    }),
    request: roleRequest({ profile: 'staging', s3: [{ bucket: 'syncoutput' }] }),
    truth: checks(s3Url('syncoutput'), { 's3.list': 'pass', 's3.write': 'fail', 's3.delete': 'skip' }),
    status: 'fail',
  },
  'rcp-forbids-deletes': {
    description:
      'Seed 003’s policy, but the organization’s resource control policy denies deleting objects in its buckets.',
    holds: (xid) => ({
      roles: [role(xid, seedPolicies.seed003('syncoutput'))],
      buckets: [bucket('syncoutput')],
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
    truth: checks(s3Url('syncoutput'), { 's3.write': 'pass', 's3.read': 'pass', 's3.delete': 'fail' }),
    status: 'fail',
    fix: /^An explicit deny in a resource control policy refuses s3:DeleteObject on arn:aws:s3:::syncoutput\/\*; .*administrator of the AWS Organization/,
  },
  'bucket-of-another-account': {
    description:
      'A typo names a bucket another account owns: every probe names the expected owner, so nothing touches it.',
    holds: (xid) => ({
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
      ...checks(s3Url('acme-exprots'), {
        's3.bucket-region': 'fail',
        's3.write': 'fail',
        's3.delete': 'skip',
      }),
    },
    status: 'fail',
    fix: /^Check the bucket name and owner: is acme-exprots the exact name, and does account 111122223333 own it/,
  },
  'bucket-that-does-not-exist': {
    description: 'A typo names a bucket nobody owns: S3 answers 404, and nothing else is tried.',
    holds: (xid) => ({
      roles: [role(xid, seedPolicies.seed001('acme-exports'))],
      buckets: [bucket('acme-exports')],
    }),
    request: roleRequest({ profile: 'destination', s3: [{ bucket: 'acme-exprots' }] }),
    truth: checks(s3Url('acme-exprots'), {
      's3.bucket-region': 'fail',
      's3.write': 'skip',
      's3.delete': 'skip',
    }),
    status: 'fail',
    fix: /^Check the bucket name and owner: is acme-exprots the exact name/,
  },
  'kms-key-policy-without-the-role': {
    description: 'An SSE-KMS bucket whose key policy names only the key administrator, not the role.',
    holds: (xid) => ({
      roles: [
        role(xid, seedPolicies.seed003('syncoutput'), allow(['kms:GenerateDataKey', 'kms:Decrypt'], [KEY])),
      ],
      buckets: [
        bucket('syncoutput', {
          encryption: { algorithm: 'aws:kms', kmsKeyId: KEY },
        }),
      ],
      keys: [{ arn: KEY, policy: keyPolicy([`arn:aws:iam::${CUSTOMER}:role/KeyAdmin`]) }],
    }),
    request: roleRequest({ profile: 'staging', s3: [{ bucket: 'syncoutput', kmsKeyArn: KEY }] }),
    truth: {
      ...checks(s3Url('syncoutput'), { 's3.write': 'fail' }),
      ...checks(KEY, { 'kms.generate-data-key': 'fail', 'kms.decrypt': 'skip' }),
    },
    status: 'fail',
    fix: `Allow kms:GenerateDataKey for ${ROLE} in the key policy of ${KEY}.`,
  },
  'kms-identity-policy-without-the-key': {
    description:
      'An SSE-KMS bucket whose key policy defers to IAM, and a role granted the bucket but not the key: S3 refuses the write naming kms:GenerateDataKey.',
    holds: (xid) => ({
      roles: [role(xid, seedPolicies.seed003('syncoutput'))],
      buckets: [
        bucket('syncoutput', {
          encryption: { algorithm: 'aws:kms', kmsKeyId: KEY },
        }),
      ],
      keys: [{ arn: KEY, policy: keyPolicyDeferringToIam() }],
    }),
    request: roleRequest({ profile: 'staging', s3: [{ bucket: 'syncoutput', kmsKeyArn: KEY }] }),
    truth: {
      ...checks(s3Url('syncoutput'), { 's3.write': 'fail', 's3.delete': 'skip' }),
      ...checks(KEY, { 'kms.generate-data-key': 'fail', 'kms.decrypt': 'skip' }),
    },
    status: 'fail',
    // What AWS named: the KMS action on the key, not the s3:PutObject the role already has.
    fix: `Allow kms:GenerateDataKey on ${KEY}`,
  },
  'permissions-boundary-without-writes': {
    description: 'Seed 003’s policy on a role whose permissions boundary leaves out s3:PutObject.',
    holds: (xid) => ({
      roles: [
        {
          ...role(xid, seedPolicies.seed003('syncoutput')),
          boundary: allow(
            ['s3:GetObject', 's3:ListBucket', 's3:DeleteObject', 's3:GetBucketLocation'],
            ['arn:aws:s3:::syncoutput', 'arn:aws:s3:::syncoutput/*'],
          ),
        },
      ],
      buckets: [bucket('syncoutput')],
    }),
    request: roleRequest({ profile: 'staging', s3: [{ bucket: 'syncoutput' }] }),
    truth: checks(s3Url('syncoutput'), { 's3.list': 'pass', 's3.write': 'fail', 's3.delete': 'skip' }),
    status: 'fail',
    fix: /^The permissions boundary of arn:aws:iam::111122223333:role\/VendorAccess does not allow s3:PutObject on arn:aws:s3:::syncoutput\/\*: /,
  },
  'kms-bucket-key-via-s3-only': {
    description:
      'The key policy lets the role use the key only through S3 (kms:ViaService): S3 works, direct calls do not.',
    holds: (xid) => ({
      roles: [role(xid, seedPolicies.seed003('syncoutput'))],
      buckets: [
        bucket('syncoutput', {
          encryption: { algorithm: 'aws:kms', kmsKeyId: KEY },
        }),
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
      ...checks(s3Url('syncoutput'), { 's3.write': 'pass', 's3.read': 'pass', 's3.delete': 'pass' }),
      ...checks(KEY, { 'kms.generate-data-key': 'warn' }),
    },
    status: 'warn',
  },
  'kms-key-disabled': {
    description: 'The key a request names is disabled.',
    holds: (xid) => ({
      roles: [role(xid, allow(['kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt'], [KEY]))],
      keys: [{ arn: KEY, state: 'Disabled', policy: keyPolicy([ROLE]) }],
    }),
    request: roleRequest({ kms: [{ keyArn: KEY }] }),
    truth: checks(KEY, { 'kms.generate-data-key': 'fail', 'kms.encrypt': 'fail', 'kms.decrypt': 'skip' }),
    status: 'fail',
  },
  'seed-000-redshift': {
    description:
      'Seed 000’s GetClusterCredentials policy: db user as a policy variable, aws:userid tied to the session name; no DescribeClusters.',
    holds: (xid) => ({
      roles: [
        {
          ...role(xid, seedPolicies.seed000Redshift('us-west-2', CUSTOMER, 'analytics', 'dev')),
          uniqueId: 'AIDIODR4TAW7CSEXAMPLE',
        },
      ],
      clusters: [analytics()],
    }),
    request: roleRequest({ redshift: [ANALYTICS] }),
    truth: {
      ...checks(ROLE, { 'sts.assume-role': 'pass' }),
      ...checks(ANALYTICS_LABEL, { 'redshift.credentials': 'pass' }),
      // The guide asks for no Describe permission: the endpoint cannot be read, so nothing is claimed.
      ...checks(ANALYTICS_LABEL, { 'redshift.reachable': 'skip' }),
    },
    status: 'pass',
  },
  'redshift-db-user-mismatch': {
    description: 'The policy names db user "vendor", the product connects as "loader".',
    holds: (xid) => ({
      roles: [role(xid, analyticsCredentials(), describeAnalytics())],
      clusters: [analytics()],
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
    description: 'Credentials are issued, but the cluster’s security group does not admit this service.',
    holds: (xid) => ({
      roles: [
        role(
          xid,
          seedPolicies.seed000Redshift('us-west-2', CUSTOMER, 'analytics', 'dev'),
          describeAnalytics(),
        ),
      ].map((r) => ({ ...r, uniqueId: 'AIDIODR4TAW7CSEXAMPLE' })),
      clusters: [analytics({ reachable: false })],
    }),
    request: roleRequest({ redshift: [ANALYTICS] }),
    truth: checks(ANALYTICS_LABEL, { 'redshift.credentials': 'pass', 'redshift.reachable': 'fail' }),
    status: 'fail',
    fix: /^Allow inbound TCP \d+ from this service's addresses in the security group and any allowlist\.$/,
  },
  'redshift-serverless': {
    description: 'A Serverless workgroup: GetCredentials and GetWorkgroup on its ARN, which carries its id.',
    holds: (xid) => ({
      roles: [
        role(
          xid,
          allow(['redshift-serverless:GetCredentials', 'redshift-serverless:GetWorkgroup'], [WORKGROUP_ARN]),
        ),
      ],
      workgroups: [etlWorkgroup()],
    }),
    request: roleRequest({ redshift: [{ workgroupName: 'etl', dbName: 'dev', region: 'us-west-2' }] }),
    truth: checks(ETL_LABEL, { 'redshift-serverless.credentials': 'pass', 'redshift.reachable': 'pass' }),
    status: 'pass',
  },
  'redshift-serverless-without-get-credentials': {
    description: 'The workgroup can be read but not logged in to: GetCredentials is missing.',
    holds: (xid) => ({
      roles: [role(xid, allow(['redshift-serverless:GetWorkgroup'], [WORKGROUP_ARN]))],
      workgroups: [etlWorkgroup()],
    }),
    request: roleRequest({ redshift: [{ workgroupName: 'etl', dbName: 'dev', region: 'us-west-2' }] }),
    truth: checks(ETL_LABEL, { 'redshift-serverless.credentials': 'fail', 'redshift.reachable': 'pass' }),
    status: 'fail',
    // The fix names the workgroup by its id, which only GetWorkgroup could tell.
    fix: `Allow redshift-serverless:GetCredentials on ${WORKGROUP_ARN}`,
  },
  'seed-002-copy-role': {
    description:
      'Seed 002 done right: the COPY role attached, its trust naming the product’s db user in the cluster’s region.',
    holds: (xid) => copyRoleWorld(xid, { trustUsers: ['vendor'], attached: [{ arn: COPY_ROLE }] }),
    request: roleRequest({ redshift: [{ ...ANALYTICS, copyRoleArn: COPY_ROLE }] }),
    truth: checks(ANALYTICS_LABEL, {
      'redshift.credentials': 'pass',
      'redshift.reachable': 'pass',
      'redshift.copy-role': 'pass',
    }),
    status: 'pass',
  },
  'redshift-copy-role-not-attached': {
    description: 'Seed 002’s COPY role exists but was never attached to the cluster.',
    holds: (xid) => copyRoleWorld(xid, { trustUsers: ['vendor'], attached: [] }),
    request: roleRequest({ redshift: [{ ...ANALYTICS, copyRoleArn: COPY_ROLE }] }),
    truth: checks(ANALYTICS_LABEL, { 'redshift.credentials': 'pass', 'redshift.copy-role': 'fail' }),
    status: 'fail',
    fix: `Attach ${COPY_ROLE} to cluster analytics: aws redshift modify-cluster-iam-roles --cluster-identifier analytics --add-iam-roles ${COPY_ROLE}`,
  },
  'redshift-copy-role-other-db-user': {
    description:
      'The COPY role is attached, but its trust names db user "loader", not the product’s "vendor".',
    holds: (xid) => copyRoleWorld(xid, { trustUsers: ['loader'], attached: [{ arn: COPY_ROLE }] }),
    request: roleRequest({ redshift: [{ ...ANALYTICS, copyRoleArn: COPY_ROLE }] }),
    truth: checks(ANALYTICS_LABEL, { 'redshift.credentials': 'pass', 'redshift.copy-role': 'warn' }),
    status: 'warn',
  },
  'redshift-serverless-copy-role': {
    description:
      'A Serverless workgroup whose namespace has the COPY role attached (GetNamespace → iamRoles).',
    holds: (xid) => ({
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
    truth: checks(ETL_LABEL, { 'redshift-serverless.credentials': 'pass', 'redshift.copy-role': 'pass' }),
    status: 'pass',
  },
  'seed-002-redshift-trust': {
    description:
      'Seed 002’s trust policy (Redshift itself, external IDs = db-user ARNs) on the role given to the vendor.',
    holds: () => ({
      roles: [{ arn: ROLE, trust: seedPolicies.seed002Trust(), policies: [] }],
      clusters: [analytics()],
    }),
    request: roleRequest({ redshift: [ANALYTICS] }),
    truth: {
      ...checks(ROLE, { 'sts.assume-role': 'fail' }),
      ...checks(ANALYTICS_LABEL, { 'redshift.credentials': 'skip' }),
    },
    status: 'fail',
    fix: 'Add the statement in remediation.trustPolicy to the role’s trust policy, keeping its other statements.',
  },
});
