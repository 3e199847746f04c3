import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/checks/index.ts';
import type { RoleTemplate } from '../../src/core/cloudformation.ts';
import { BUILTIN_PROFILES } from '../../src/core/profiles.ts';
import type { Partition } from '../../src/core/regions.ts';
import { setupFor } from '../../src/core/setup.ts';
import type { BucketInput, RedshiftInput } from '../../src/core/wire.ts';
import { SPEC_VERSION, validateTemplate } from '../support/cloudformation-spec.ts';

/**
 * The template GET /setup hands a customer, checked against CloudFormation's own resource
 * specification and IAM's limits: what CloudFormation would refuse before creating anything,
 * or IAM would refuse while creating the role.
 */

const VENDOR: Record<Partition, string> = {
  aws: 'arn:aws:iam::999988887777:role/aws-access-verifier-prod',
  'aws-cn': 'arn:aws-cn:iam::999988887777:role/aws-access-verifier-prod',
  'aws-us-gov': 'arn:aws-us-gov:iam::999988887777:role/aws-access-verifier-prod',
};
const KEY: Record<Partition, string> = {
  aws: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  'aws-cn': 'arn:aws-cn:kms:cn-north-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  'aws-us-gov': 'arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
};

const mixes = (partition: Partition): [string, BucketInput[], RedshiftInput[]?][] => [
  ['no resource', []],
  ['one bucket at its root', [{ bucket: 'acme-exports' }]],
  ['one bucket under a prefix', [{ bucket: 'acme-exports', prefix: 'vendor/tenants/t-1/' }]],
  [
    'buckets of each access',
    [
      { bucket: 'acme-in', prefix: 'in/', access: 'read' },
      { bucket: 'acme-out', prefix: 'out/', access: 'write' },
      { bucket: 'acme.both', access: 'readwrite' },
    ],
  ],
  [
    'SSE-KMS buckets sharing a key',
    [
      { bucket: 'acme-secure', prefix: 'vendor/', kmsKeyArn: KEY[partition] },
      { bucket: 'acme-secure-2', kmsKeyArn: KEY[partition], access: 'read' },
    ],
  ],
  ['a Redshift cluster', [], [{ clusterIdentifier: 'analytics', dbUser: 'vendor', dbName: 'dev' }]],
];

function template(
  partition: Partition,
  profile: string | undefined,
  buckets: BucketInput[],
  redshift?: RedshiftInput[],
) {
  const p = profile ? BUILTIN_PROFILES[profile] : undefined;
  return setupFor(CATALOGUE, {
    tenantId: 't-123',
    externalId: 'v1-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    vendorPrincipalArn: VENDOR[partition],
    partition,
    buckets,
    ...(redshift ? { redshift } : {}),
    ...(p ? { profile: p } : {}),
  });
}

/** A copy to break on purpose: the breaks write what the types forbid, hence Reflect. */
const copy = (t: RoleTemplate): RoleTemplate => structuredClone(t);
const set = (target: object, key: string, value: unknown) => Reflect.set(target, key, value);
const del = (target: object, key: string) => Reflect.deleteProperty(target, key);

describe(`the setup template against the CloudFormation resource specification ${SPEC_VERSION}`, () => {
  const partitions: Partition[] = ['aws', 'aws-cn', 'aws-us-gov'];
  const profiles = [undefined, ...Object.keys(BUILTIN_PROFILES)];
  for (const partition of partitions) {
    for (const profile of profiles) {
      for (const [name, buckets, redshift] of mixes(partition)) {
        it(`${partition}, ${profile ?? 'no profile'}, ${name}: nothing CloudFormation or IAM would refuse`, () => {
          const answer = template(partition, profile, buckets, redshift);
          expect(validateTemplate(answer.cloudFormation.template)).toEqual([]);
          expect(answer.warnings).toEqual([]);
        });
      }
    }
  }

  for (const partition of partitions) {
    it(`${partition}, the COPY role asked for: both roles are what CloudFormation and IAM accept`, () => {
      const region =
        partition === 'aws' ? 'us-west-2' : partition === 'aws-cn' ? 'cn-north-1' : 'us-gov-west-1';
      const answer = setupFor(CATALOGUE, {
        tenantId: 't-123',
        externalId: 'v1-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
        vendorPrincipalArn: VENDOR[partition],
        partition,
        buckets: [{ bucket: 'acme-staging', prefix: 'loads/' }],
        redshift: [
          {
            clusterIdentifier: 'analytics',
            dbUser: 'vendor',
            dbName: 'dev',
            accountId: '111122223333',
            region,
          },
        ],
        copyRole: 'RedshiftCopyUnload',
      });
      const t = answer.cloudFormation.template;
      expect(validateTemplate(t)).toEqual([]);
      expect(answer.warnings).toEqual([]);
      expect(t.Resources.RedshiftCopyRole?.Properties.AssumeRolePolicyDocument).toEqual(
        answer.copyRole?.trustPolicy,
      );
      expect(t.Outputs.CopyRoleArn).toEqual({ Value: { 'Fn::GetAtt': ['RedshiftCopyRole', 'Arn'] } });
    });
  }

  it('grants the KMS key where a bucket names one: the case is not vacuous', () => {
    const t = template('aws', 'staging', mixes('aws')[4]?.[1] ?? []).cloudFormation.template;
    expect(JSON.stringify(t.Resources.VendorAccessRole.Properties.Policies)).toContain(KEY.aws);
  });
});

describe('the validator refuses what CloudFormation would', () => {
  const good = template('aws', 'staging', [{ bucket: 'acme-exports', prefix: 'vendor/' }]).cloudFormation
    .template;
  const role = (t: RoleTemplate) => t.Resources.VendorAccessRole;
  const policy = (t: RoleTemplate) => {
    const p = role(t).Properties.Policies?.[0];
    if (!p) throw new Error('the staging template has an inline policy');
    return p;
  };
  const statement = (t: RoleTemplate) => {
    const s = policy(t).PolicyDocument.Statement[0];
    if (!s) throw new Error('the inline policy has a statement');
    return s;
  };

  const cases: [string, (t: RoleTemplate) => void, RegExp][] = [
    [
      'an unknown property',
      (t) => {
        set(role(t).Properties, 'RoleNmae', 'VendorAccess');
      },
      /Properties\.RoleNmae: AWS::IAM::Role has no property RoleNmae/,
    ],
    [
      'a missing required property',
      (t) => {
        del(role(t).Properties, 'AssumeRolePolicyDocument');
      },
      /Properties\.AssumeRolePolicyDocument: required by AWS::IAM::Role/,
    ],
    [
      'an unknown property of a property type',
      (t) => {
        set(policy(t), 'Name', policy(t).PolicyName);
        del(policy(t), 'PolicyName');
      },
      /Policies\[0\]\.Name: AWS::IAM::Role\.Policy has no property Name/,
    ],
    [
      'a missing required property of a property type',
      (t) => {
        del(policy(t), 'PolicyName');
      },
      /Policies\[0\]\.PolicyName: required by AWS::IAM::Role\.Policy/,
    ],
    [
      'a primitive of the wrong type',
      (t) => {
        set(role(t).Properties, 'MaxSessionDuration', 'one hour');
      },
      /MaxSessionDuration: "one hour" is not of type Integer/,
    ],
    [
      'a list where a string is expected',
      (t) => {
        set(role(t).Properties, 'Description', ['a', 'b']);
      },
      /Properties\.Description: \["a","b"\] is not of type String/,
    ],
    [
      'a resource type that does not exist',
      (t) => {
        set(role(t), 'Type', 'AWS::IAM::Rolle');
      },
      /Type: AWS::IAM::Rolle is not a CloudFormation resource type/,
    ],
    [
      'a Ref to no parameter',
      (t) => {
        set(role(t).Properties, 'RoleName', { Ref: 'RoleNam' });
      },
      /RoleName\.Ref: RoleNam is no parameter/,
    ],
    [
      'a GetAtt of an attribute the type lacks',
      (t) => {
        set(t.Outputs.RoleArn, 'Value', { 'Fn::GetAtt': ['VendorAccessRole', 'RoleArn'] });
      },
      /Outputs\.RoleArn\.Value\.Fn::GetAtt: AWS::IAM::Role has no attribute RoleArn/,
    ],
    [
      'a GetAtt of no resource',
      (t) => {
        set(t.Outputs.RoleArn, 'Value', { 'Fn::GetAtt': ['VendorRole', 'Arn'] });
      },
      /VendorRole is no resource of this template/,
    ],
    [
      'a default role name IAM refuses',
      (t) => {
        t.Parameters.RoleName.Default = 'Vendor Access';
      },
      /Parameters\.RoleName\.Default: "Vendor Access" does not match AllowedPattern/,
    ],
    [
      'a role name pattern looser than IAM',
      (t) => {
        t.Parameters.RoleName.AllowedPattern = '.{1,128}';
      },
      /RoleName would accept "a{65}"|RoleName would accept "Vendor Access"/,
    ],
    [
      'a session longer than IAM allows',
      (t) => {
        role(t).Properties.MaxSessionDuration = 86_400;
      },
      /MaxSessionDuration: IAM allows 3600 to 43200 seconds/,
    ],
    [
      'a permission policy statement without a resource',
      (t) => {
        del(statement(t), 'Resource');
      },
      /needs Resource or NotResource/,
    ],
    [
      'an inline policy over IAM’s 10,240 characters',
      (t) => {
        statement(t).Resource = Array.from(
          { length: 200 },
          (_, i) => `arn:aws:s3:::acme-bucket-number-${i}/some/prefix/*`,
        );
      },
      /Policies: \d+ characters of inline policy, over IAM's 10240 for one role/,
    ],
    [
      'an unknown section',
      (t) => {
        set(t, 'Resource', t.Resources);
      },
      /^Resource: not a template section$/,
    ],
  ];

  it.each(cases)('refuses %s', (_, breakIt, expected) => {
    const broken = copy(good);
    breakIt(broken);
    const problems = validateTemplate(broken);
    expect(
      problems.some((p) => expected.test(p)),
      problems.join('\n'),
    ).toBe(true);
  });

  it('accepts the unbroken template (the cases above break only what they say)', () => {
    expect(validateTemplate(copy(good))).toEqual([]);
  });
});

describe('GET /setup on a policy IAM cannot hold', () => {
  it('says so in warnings, and the validator agrees', () => {
    const buckets = Array.from({ length: 50 }, (_, i) => ({
      bucket: `acme-${String(i).padStart(2, '0')}-${'x'.repeat(50)}`,
      prefix: `tenants/${'p'.repeat(40)}/`,
    }));
    const answer = template('aws', 'staging', buckets);
    expect(answer.warnings).toHaveLength(1);
    expect(answer.warnings[0]).toMatch(/^The permission policy is [\d,]+ characters \(whitespace excluded\)/);
    expect(validateTemplate(answer.cloudFormation.template)).toEqual([
      expect.stringMatching(/Policies: \d+ characters of inline policy, over IAM's 10240 for one role/),
    ]);
  });
});
