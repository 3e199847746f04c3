import { Logger } from '@aws-lambda-powertools/logger';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTERNAL_ID, runWorld, SECRET, TENANT, useSandbox } from '../../sandbox/harness.ts';
import { type Sandbox, startSandbox } from '../../sandbox/server.ts';
import {
  type SandboxBucket,
  type SandboxKey,
  type SandboxRole,
  VENDOR_ACCOUNT,
  vendor,
  type World,
} from '../../sandbox/world.ts';
import { CHECK_IDS } from '../../src/checks/index.ts';
import { loadConfig } from '../../src/core/config.ts';
import { setupForTenant } from '../../src/core/tenant-use-cases.ts';
import { parseSetupQuery } from '../../src/handlers/factories/setup-query.ts';
import { parameterValueProblem, validateTemplate } from '../support/cloudformation-spec.ts';
import { assertComponent } from '../support/contract.ts';

/**
 * What a customer gets from GET /setup, followed to the end: the quick-create link's template
 * is stored in the vendor's bucket (the sandbox's S3, with the functions' own permission), read
 * back as the console would, created the way CloudFormation would create it, and the role it
 * makes is verified through the real core and SDK. Everything must pass.
 */

const CUSTOMER = '111122223333';
const TEMPLATE_BUCKET = 'acme-cfn-templates';
const KEY = `arn:aws:kms:us-east-1:${CUSTOMER}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

/** The customer, in the console: may read what a link points to. */
const ADMIN = {
  arn: `arn:aws:iam::${CUSTOMER}:user/admin`,
  accessKeyId: 'AKIACUSTOMERADMINEXAMPLE',
  secretAccessKey: 'customerAdminSecretAccessKeyEXAMPLEKEY00',
};

/** The vendor as deployed with CFN_TEMPLATE_BUCKET: serverless.ts adds PutObject on the prefix. */
function hostingWorld(): World {
  const v = vendor();
  return {
    name: 'template-hosting',
    description: 'the vendor’s template bucket, readable by anyone who knows a key',
    vendor: {
      ...v,
      policy: {
        ...v.policy,
        Statement: [
          ...v.policy.Statement,
          { Effect: 'Allow', Action: 's3:PutObject', Resource: `arn:aws:s3:::${TEMPLATE_BUCKET}/setup/*` },
        ],
      },
    },
    users: [
      {
        ...ADMIN,
        policies: [
          { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] },
        ],
      },
    ],
    buckets: [
      {
        name: TEMPLATE_BUCKET,
        account: VENDOR_ACCOUNT,
        region: 'us-east-1',
        // As the README advises: objects readable, the bucket not listable, so only a link finds one.
        policy: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: '*',
              Action: 's3:GetObject',
              Resource: `arn:aws:s3:::${TEMPLATE_BUCKET}/setup/*`,
            },
          ],
        },
      },
    ],
  };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const isObject = (v: unknown): v is { [key: string]: Json } =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

interface Stack {
  roles: SandboxRole[];
  outputs: Record<string, Json>;
}

/**
 * CloudFormation's CreateStack, for what this template may hold: the template validated,
 * parameters defaulted and checked, intrinsics resolved, each AWS::IAM::Role made in the
 * customer's account, then the outputs. Anything else is refused rather than guessed at.
 */
function createStack(
  template: unknown,
  opts: { account: string; region: string; stackName: string; parameters?: Record<string, string> },
): Stack {
  const problems = validateTemplate(template);
  if (problems.length) throw new Error(`CreateStack: template validation failed: ${problems.join('; ')}`);
  if (!isObject(template)) throw new Error('unreachable');
  const params: Record<string, Json> = {};
  for (const [name, p] of Object.entries(isObject(template.Parameters) ? template.Parameters : {})) {
    if (!isObject(p)) continue;
    const value = opts.parameters?.[name] ?? p.Default;
    if (value === undefined) throw new Error(`CreateStack: parameter ${name} needs a value`);
    const problem = parameterValueProblem(p, value);
    if (problem) throw new Error(`CreateStack: parameter ${name}: ${problem}`);
    params[name] = value;
  }
  const pseudo: Record<string, Json> = {
    'AWS::AccountId': opts.account,
    'AWS::Partition': 'aws',
    'AWS::Region': opts.region,
    'AWS::StackName': opts.stackName,
    'AWS::URLSuffix': 'amazonaws.com',
  };
  const physical: Record<string, { ref: string; attributes: Record<string, string> }> = {};

  const resolve = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(resolve);
    if (!isObject(v)) return v;
    const [key, ...rest] = Object.keys(v);
    const arg = key === undefined ? null : (v[key] as Json);
    if (rest.length === 0 && key === 'Ref' && typeof arg === 'string') {
      const found = params[arg] ?? pseudo[arg] ?? physical[arg]?.ref;
      if (found === undefined) throw new Error(`CreateStack: Ref ${arg} unresolved`);
      return found;
    }
    if (rest.length === 0 && key === 'Fn::GetAtt' && Array.isArray(arg)) {
      const found = physical[String(arg[0])]?.attributes[String(arg[1])];
      if (found === undefined) throw new Error(`CreateStack: GetAtt ${arg.join('.')} unresolved`);
      return found;
    }
    if (rest.length === 0 && key?.startsWith('Fn::')) throw new Error(`CreateStack: ${key} not simulated`);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]));
  };

  const roles: SandboxRole[] = [];
  for (const [id, resource] of Object.entries(isObject(template.Resources) ? template.Resources : {})) {
    if (!isObject(resource) || resource.Type !== 'AWS::IAM::Role')
      throw new Error(`CreateStack: ${id} is not a role; only roles are simulated`);
    const props = resolve(resource.Properties ?? {});
    if (!isObject(props)) throw new Error('unreachable');
    if (props.ManagedPolicyArns !== undefined || props.PermissionsBoundary !== undefined)
      throw new Error(`CreateStack: ${id}: managed policies and boundaries are not simulated`);
    // IAM names an unnamed role after the stack and the logical id, with a random suffix.
    const name = typeof props.RoleName === 'string' ? props.RoleName : `${opts.stackName}-${id}-EXAMPLE`;
    const path = typeof props.Path === 'string' ? props.Path : '/';
    const arn = `arn:aws:iam::${opts.account}:role${path}${name}`;
    const policies = (Array.isArray(props.Policies) ? props.Policies : []).map((p) =>
      isObject(p) ? p.PolicyDocument : null,
    );
    roles.push({
      arn,
      trust: props.AssumeRolePolicyDocument as SandboxRole['trust'],
      policies: policies as SandboxRole['policies'],
    });
    physical[id] = { ref: name, attributes: { Arn: arn, RoleId: `AROA${id.toUpperCase().slice(0, 17)}` } };
  }
  const outputs: Record<string, Json> = {};
  for (const [name, o] of Object.entries(isObject(template.Outputs) ? template.Outputs : {}))
    if (isObject(o) && o.Value !== undefined) outputs[name] = resolve(o.Value);
  return { roles, outputs };
}

/** The link's own parameters, read as the console reads them. */
function linkParameters(url: string): Record<string, string> {
  const hash = new URL(url).hash;
  expect(hash.startsWith('#/stacks/quickcreate?')).toBe(true);
  return Object.fromEntries(new URLSearchParams(hash.slice('#/stacks/quickcreate?'.length)));
}

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ world: hostingWorld() });
});
afterAll(async () => {
  await sandbox.close();
});

const cases: {
  name: string;
  query: string;
  buckets: SandboxBucket[];
  keys?: SandboxKey[];
}[] = [
  {
    name: 'staging, one bucket under a prefix',
    query: 'profile=staging&bucket=acme-exports&prefix=vendor/',
    buckets: [{ name: 'acme-exports', account: CUSTOMER, region: 'us-east-1' }],
  },
  {
    name: 'destination, two buckets, one at its root',
    query: 'profile=destination&bucket=acme-a&prefix=out/&bucket=acme-b',
    buckets: [
      { name: 'acme-a', account: CUSTOMER, region: 'us-east-1' },
      { name: 'acme-b', account: CUSTOMER, region: 'us-east-1' },
    ],
  },
  {
    name: 'source, read only',
    query: 'profile=source&bucket=acme-input&prefix=exports/',
    buckets: [{ name: 'acme-input', account: CUSTOMER, region: 'us-east-1' }],
  },
  {
    name: 'no profile, read and write by default',
    query: 'bucket=acme-shared&prefix=tenants/t-1/',
    buckets: [{ name: 'acme-shared', account: CUSTOMER, region: 'us-east-1' }],
  },
  {
    name: 'staging, an SSE-KMS bucket whose key policy defers to IAM',
    query: `profile=staging&bucket=acme-secure&prefix=vendor/&kmsKeyArn=${encodeURIComponent(KEY)}`,
    buckets: [
      {
        name: 'acme-secure',
        account: CUSTOMER,
        region: 'us-east-1',
        encryption: { algorithm: 'aws:kms', kmsKeyId: KEY },
      },
    ],
    keys: [
      {
        arn: KEY,
        // The key policy AWS writes by default: the account's IAM policies decide.
        policy: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'Enable IAM User Permissions',
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${CUSTOMER}:root` },
              Action: 'kms:*',
              Resource: '*',
            },
          ],
        },
      },
    ],
  },
];

describe('the role GET /setup’s quick-create link creates, verified in the sandbox', () => {
  for (const c of cases) {
    it(`${c.name}: the stack’s role passes every check`, async () => {
      // GET /setup, with the vendor's template bucket configured.
      const hosting = hostingWorld();
      sandbox.setWorld(hosting);
      useSandbox(sandbox, hosting);
      const config = loadConfig(
        {
          AWS_REGION: 'us-east-1',
          VENDOR_NAME: 'acme',
          CFN_TEMPLATE_BUCKET: TEMPLATE_BUCKET,
        },
        CHECK_IDS,
      );
      const parsed = parseSetupQuery(c.query, config.profiles);
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
      const answer = await setupForTenant(
        { config, logger: new Logger({ logLevel: 'SILENT' }) },
        TENANT,
        SECRET,
        parsed.value,
      );
      expect(answer.externalId).toBe(EXTERNAL_ID);
      expect(answer.warnings).toEqual([]);
      // With its quick-create link, as GET /setup answers it.
      assertComponent('SetupAnswer', JSON.parse(JSON.stringify(answer)));

      // The console follows the link: the template URL names the object the vendor stored.
      const link = linkParameters(answer.cloudFormation.quickCreateUrl ?? 'https://missing.invalid/');
      const templateUrl = new URL(link.templateURL ?? '');
      expect(templateUrl.host).toBe(`${TEMPLATE_BUCKET}.s3.us-east-1.amazonaws.com`);
      const key = decodeURIComponent(templateUrl.pathname.slice(1));
      const customer = new S3Client({
        region: 'us-east-1',
        endpoint: sandbox.url,
        forcePathStyle: true,
        credentials: { accessKeyId: ADMIN.accessKeyId, secretAccessKey: ADMIN.secretAccessKey },
      });
      const got = await customer.send(new GetObjectCommand({ Bucket: TEMPLATE_BUCKET, Key: key }));
      const template: unknown = JSON.parse((await got.Body?.transformToString()) ?? 'null');
      customer.destroy();
      expect(template).toEqual(answer.cloudFormation.template);

      // CloudFormation creates it in the customer's account, with the link's parameters.
      const stack = createStack(template, {
        account: CUSTOMER,
        region: 'us-east-1',
        stackName: link.stackName ?? '',
        parameters: { RoleName: link.param_RoleName ?? '' },
      });
      const roleArn = stack.outputs.RoleArn;
      expect(roleArn).toBe(`arn:aws:iam::${CUSTOMER}:role/VendorAccess`);

      // The vendor verifies the role the stack made.
      // The customer's data already there, under each prefix the vendor is given.
      const buckets = c.buckets.map((b) => {
        const prefix = parsed.value.buckets.find((q) => q.bucket === b.name)?.prefix ?? '';
        return { ...b, objects: { [`${prefix}data/part-0.csv`]: 'id,value\n1,a\n' } };
      });
      const { report } = await runWorld(
        {
          world: () => ({
            name: 'created-by-cloudformation',
            description: c.name,
            vendor: vendor(),
            roles: stack.roles,
            buckets,
            ...(c.keys ? { keys: c.keys } : {}),
          }),
          request: {
            credentials: { type: 'role', roleArn },
            region: 'us-east-1',
            ...(parsed.value.profile ? { profile: parsed.value.profile } : {}),
            s3: parsed.value.buckets,
          },
          truth: {},
          status: 'pass',
        },
        sandbox,
      );
      expect(
        report.checks
          // Simulation is the customer's option, never part of the role GET /setup writes.
          .filter((r) => r.status !== 'pass' && !(r.id === 'iam.simulate' && r.status === 'skip'))
          .map((r) => `${r.id} ${r.target} ${r.status}: ${r.message}`),
      ).toEqual([]);
      expect(report.status).toBe('pass');
      expect(report.remediation.policy.Statement).toEqual([]);
    });
  }

  it('a Redshift cluster with the COPY role asked for: both roles made, the COPY role found attached and its trust right', async () => {
    const hosting = hostingWorld();
    sandbox.setWorld(hosting);
    useSandbox(sandbox, hosting);
    const config = loadConfig({ AWS_REGION: 'us-east-1', VENDOR_NAME: 'acme' }, CHECK_IDS);
    const parsed = parseSetupQuery(
      `bucket=acme-staging&prefix=loads/&redshiftCluster=analytics&dbUser=vendor&dbName=dev&account=${CUSTOMER}&redshiftRegion=us-west-2&copyRole=RedshiftCopyUnload`,
      config.profiles,
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const answer = await setupForTenant(
      { config, logger: new Logger({ logLevel: 'SILENT' }) },
      TENANT,
      SECRET,
      parsed.value,
    );
    const copyRoleArn = `arn:aws:iam::${CUSTOMER}:role/RedshiftCopyUnload`;
    expect(answer.copyRole?.roleArn).toBe(copyRoleArn);

    const stack = createStack(answer.cloudFormation.template, {
      account: CUSTOMER,
      region: 'us-east-1',
      stackName: 'acme-access',
    });
    expect(stack.outputs.CopyRoleArn).toBe(copyRoleArn);
    expect(stack.roles.map((r) => r.arn)).toEqual([
      `arn:aws:iam::${CUSTOMER}:role/VendorAccess`,
      copyRoleArn,
    ]);

    const { report } = await runWorld(
      {
        world: () => ({
          name: 'created-by-cloudformation',
          description: 'COPY role',
          vendor: vendor(),
          roles: stack.roles,
          buckets: [{ name: 'acme-staging', account: CUSTOMER, region: 'us-east-1' }],
          // The customer attached the COPY role to the cluster, as the answer says to.
          clusters: [
            {
              identifier: 'analytics',
              account: CUSTOMER,
              region: 'us-west-2',
              iamRoles: [{ arn: copyRoleArn }],
            },
          ],
        }),
        request: {
          credentials: { type: 'role', roleArn: stack.outputs.RoleArn },
          region: 'us-east-1',
          s3: parsed.value.buckets,
          redshift: parsed.value.redshift.map((r) => ({ ...r, copyRoleArn })),
        },
        truth: {},
        status: 'pass',
      },
      sandbox,
    );
    expect(report.checks.find((r) => r.id === 'redshift.copy-role')).toMatchObject({
      status: 'pass',
      message: `${copyRoleArn} is attached to cluster analytics and in sync.`,
    });
    expect(report.checks.find((r) => r.id === 'redshift.credentials')?.status).toBe('pass');
  });

  it('refuses, as CloudFormation would, a role name the template’s pattern does not allow', async () => {
    const hosting = hostingWorld();
    sandbox.setWorld(hosting);
    useSandbox(sandbox, hosting);
    const config = loadConfig({ AWS_REGION: 'us-east-1', VENDOR_NAME: 'acme' }, CHECK_IDS);
    const answer = await setupForTenant(
      { config, logger: new Logger({ logLevel: 'SILENT' }) },
      TENANT,
      SECRET,
      {
        buckets: [{ bucket: 'acme-exports' }],
      },
    );
    expect(() =>
      createStack(answer.cloudFormation.template, {
        account: CUSTOMER,
        region: 'us-east-1',
        stackName: 'acme-access',
        parameters: { RoleName: 'Vendor Access' },
      }),
    ).toThrow(/parameter RoleName: "Vendor Access" does not match AllowedPattern/);
  });
});
