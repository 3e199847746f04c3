import { createHash } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CHECK_IDS } from '../../src/checks/index.ts';
import { codeOf } from '../../src/core/classify.ts';
import { stackNameFor, templateObject } from '../../src/core/cloudformation.ts';
import { ConfigError, loadConfig } from '../../src/core/config.ts';
import { parseSecret } from '../../src/core/external-id.ts';
import { type AppDeps, setupForTenant } from '../../src/core/tenant-use-cases.ts';
import { networkError, s3Error } from '../support/aws-errors.ts';

const s3 = mockClient(S3Client);
const SECRET = parseSecret('v1:unit-test-secret-0123456789abcdef0123456789');
const BUCKETS = [{ bucket: 'acme-exports', prefix: 'vendor/' }];

function services(env: Record<string, string>) {
  const logger = new Logger({ logLevel: 'SILENT' });
  const warn = vi.spyOn(logger, 'warn');
  const s: AppDeps = { config: loadConfig({ VENDOR_NAME: 'acme', ...env }, CHECK_IDS), logger };
  return { s, warn };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The quick-create fragment's parameters, as the console reads them. */
function fragmentOf(url: string): URLSearchParams {
  const hash = new URL(url).hash;
  expect(hash.startsWith('#/stacks/quickcreate?')).toBe(true);
  return new URLSearchParams(hash.slice('#/stacks/quickcreate?'.length));
}

describe('GET /setup quick-create link', () => {
  beforeEach(() => {
    s3.reset();
  });

  const partitions = [
    {
      partition: 'aws',
      region: 'eu-west-1',
      principal: 'arn:aws:iam::999988887777:role/aws-access-verifier-prod',
      s3Host: 'acme-cfn-templates.s3.eu-west-1.amazonaws.com',
      console: 'https://console.aws.amazon.com/cloudformation/home?region=eu-west-1',
    },
    {
      partition: 'aws-cn',
      region: 'cn-north-1',
      principal: 'arn:aws-cn:iam::999988887777:role/aws-access-verifier-prod',
      s3Host: 'acme-cfn-templates.s3.cn-north-1.amazonaws.com.cn',
      console: 'https://console.amazonaws.cn/cloudformation/home?region=cn-north-1',
    },
    {
      partition: 'aws-us-gov',
      region: 'us-gov-west-1',
      principal: 'arn:aws-us-gov:iam::999988887777:role/aws-access-verifier-prod',
      s3Host: 'acme-cfn-templates.s3.us-gov-west-1.amazonaws.com',
      console: 'https://console.amazonaws-us-gov.com/cloudformation/home?region=us-gov-west-1',
    },
  ] as const;

  for (const p of partitions) {
    it(`stores the template once by its hash and links the ${p.partition} console to it`, async () => {
      // Prepare
      s3.on(PutObjectCommand).resolves({ ETag: '"e"' });
      const { s } = services({
        AWS_REGION: p.region,
        VENDOR_PRINCIPAL_ARN: p.principal,
        CFN_TEMPLATE_BUCKET: 'acme-cfn-templates',
      });

      // Act
      const answer = await setupForTenant(s, 't-123', SECRET, { profile: 'staging', buckets: BUCKETS });

      // Assess
      const body = JSON.stringify(answer.cloudFormation.template);
      const key = `setup/${sha256(body)}.json`;
      expect(s3).toReceiveCommandTimes(PutObjectCommand, 1);
      expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toEqual({
        Bucket: 'acme-cfn-templates',
        Key: key,
        Body: body,
        ContentType: 'application/json',
        IfNoneMatch: '*',
        ExpectedBucketOwner: '999988887777',
      });
      const templateUrl = `https://${p.s3Host}/${key}`;
      expect(answer.cloudFormation.quickCreateUrl).toBe(
        `${p.console}#/stacks/quickcreate?templateURL=${encodeURIComponent(templateUrl)}` +
          '&stackName=acme-access&param_RoleName=VendorAccess',
      );
      const fragment = fragmentOf(answer.cloudFormation.quickCreateUrl ?? '');
      expect(Object.fromEntries(fragment)).toEqual({
        templateURL: templateUrl,
        stackName: 'acme-access',
        param_RoleName: 'VendorAccess',
      });
      // The body stored is the template answered, and its own ARNs are of the same partition.
      expect(JSON.parse(body)).toEqual(answer.cloudFormation.template);
      expect(body).toContain(`arn:${p.partition}:s3:::acme-exports/vendor/*`);
    });
  }

  it('takes a 412 as the template already stored: the link is still given', async () => {
    s3.on(PutObjectCommand).rejects(
      s3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold'),
    );
    const { s, warn } = services({ CFN_TEMPLATE_BUCKET: 'acme-cfn-templates', CFN_TEMPLATE_PREFIX: '' });

    const answer = await setupForTenant(s, 't-123', SECRET, { profile: 'staging', buckets: BUCKETS });

    const key = `${sha256(JSON.stringify(answer.cloudFormation.template))}.json`;
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input.Key).toBe(key);
    expect(fragmentOf(answer.cloudFormation.quickCreateUrl ?? '').get('templateURL')).toBe(
      `https://acme-cfn-templates.s3.us-east-1.amazonaws.com/${key}`,
    );
    expect(warn).not.toHaveBeenCalled();
  });

  it.each([
    ['a refusal', s3Error('AccessDenied', 403)],
    ['a missing bucket', s3Error('NoSuchBucket', 404, 'The specified bucket does not exist')],
    ['S3 failing', s3Error('InternalError', 500, 'We encountered an internal error. Please try again.')],
    ['the network', networkError()],
  ])('answers without the link, and warns, when the upload fails on %s', async (_, error) => {
    // Prepare
    s3.on(PutObjectCommand).rejects(error);
    const { s, warn } = services({ CFN_TEMPLATE_BUCKET: 'acme-cfn-templates' });
    const { s: plain } = services({});

    // Act
    const answer = await setupForTenant(s, 't-123', SECRET, { profile: 'staging', buckets: BUCKETS });

    // Assess
    expect(answer.cloudFormation).not.toHaveProperty('quickCreateUrl');
    expect(answer).toEqual(
      await setupForTenant(plain, 't-123', SECRET, { profile: 'staging', buckets: BUCKETS }),
    );
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith('template upload failed: answering without quickCreateUrl', {
      bucket: 'acme-cfn-templates',
      key: expect.stringMatching(/^setup\/[0-9a-f]{64}\.json$/),
      error: expect.objectContaining({ code: codeOf(error) }),
    });
  });

  it('calls no S3 and gives no link when no bucket is configured', async () => {
    const { s } = services({ CFN_TEMPLATE_BUCKET: '' });

    const answer = await setupForTenant(s, 't-123', SECRET, { profile: 'staging', buckets: BUCKETS });

    expect(s3.calls()).toHaveLength(0);
    expect(answer.cloudFormation).toEqual({ template: expect.any(Object) });
  });

  it('offers no link to a template IAM would refuse, and says why', async () => {
    const { s } = services({ CFN_TEMPLATE_BUCKET: 'acme-cfn-templates' });
    // 50 long bucket names and prefixes: the staging policy names each several times.
    const buckets = Array.from({ length: 50 }, (_, i) => ({
      bucket: `acme-${String(i).padStart(2, '0')}-${'x'.repeat(50)}`,
      prefix: `tenants/${'p'.repeat(40)}/`,
    }));

    const answer = await setupForTenant(s, 't-123', SECRET, { profile: 'staging', buckets });

    expect(s3.calls()).toHaveLength(0);
    expect(answer.cloudFormation).not.toHaveProperty('quickCreateUrl');
    expect(answer.warnings).toEqual([expect.stringMatching(/IAM allows 10,240 in a role's inline policies/)]);
  });

  it('keeps stack names to what CloudFormation accepts', () => {
    expect(stackNameFor('acme')).toBe('acme-access');
    expect(stackNameFor('Acme Data, Inc.')).toBe('Acme-Data-Inc-access');
    expect(stackNameFor('42 labs')).toBe('labs-access');
    expect(stackNameFor('!!!')).toBe('vendor-access');
    for (const name of ['acme', 'Acme Data, Inc.', '42 labs', '!!!', 'x'.repeat(24)])
      expect(stackNameFor(name)).toMatch(/^[A-Za-z][A-Za-z0-9-]{0,127}$/);
  });

  it('names the object by the hash of exactly the bytes stored', () => {
    const { s } = services({});
    const template = { hello: 'world' } as unknown as Parameters<typeof templateObject>[0];
    expect(s.config.templateHosting).toBeUndefined();
    expect(templateObject(template, { bucket: 'b', prefix: 'p/' })).toEqual({
      key: `p/${sha256('{"hello":"world"}')}.json`,
      body: '{"hello":"world"}',
    });
  });
});

describe('CFN_TEMPLATE_BUCKET and CFN_TEMPLATE_PREFIX', () => {
  it('reads the bucket, with setup/ as the default prefix', () => {
    expect(loadConfig({ CFN_TEMPLATE_BUCKET: 'acme-cfn-templates' }, CHECK_IDS).templateHosting).toEqual({
      bucket: 'acme-cfn-templates',
      prefix: 'setup/',
    });
    expect(
      loadConfig({ CFN_TEMPLATE_BUCKET: 'acme-cfn-templates', CFN_TEMPLATE_PREFIX: 'cfn/v1/' }, CHECK_IDS)
        .templateHosting,
    ).toEqual({ bucket: 'acme-cfn-templates', prefix: 'cfn/v1/' });
    expect(loadConfig({}, CHECK_IDS).templateHosting).toBeUndefined();
  });

  it.each([
    'Acme-Templates',
    'acme_templates',
    'acme.templates',
    'ab',
    'a'.repeat(64),
    '-acme',
    'acme-',
    'xn--acme',
    'sthree-acme',
    'acme-s3alias',
    'acme--ol-s3',
    'acme--x-s3',
    'acme templates',
    'acme/templates',
    '192.168.5.4',
  ])('refuses the bucket name %j, naming the variable', (bucket) => {
    expect(() => loadConfig({ CFN_TEMPLATE_BUCKET: bucket }, CHECK_IDS)).toThrow(ConfigError);
    expect(() => loadConfig({ CFN_TEMPLATE_BUCKET: bucket }, CHECK_IDS)).toThrow(/^CFN_TEMPLATE_BUCKET /);
  });

  it.each(['setup', '/setup/', '../setup/', 'a//b/', 'set up/', 'setup/?x=1/', '.hidden/', 'é/'])(
    'refuses the prefix %j, naming the variable',
    (prefix) => {
      const env = { CFN_TEMPLATE_BUCKET: 'acme-cfn-templates', CFN_TEMPLATE_PREFIX: prefix };
      expect(() => loadConfig(env, CHECK_IDS)).toThrow(ConfigError);
      expect(() => loadConfig(env, CHECK_IDS)).toThrow(/^CFN_TEMPLATE_PREFIX /);
    },
  );
});
