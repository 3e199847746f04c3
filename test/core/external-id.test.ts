import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECK_IDS } from '../../src/checks/index.ts';
import { ConfigError, loadConfig } from '../../src/core/config.ts';
import { externalIdFor, localDevSecret, parseSecret } from '../../src/core/external-id.ts';

const secret = parseSecret('v1:0123456789abcdef0123456789abcdef-secret');

describe('external IDs', () => {
  it('is stable per tenant, distinct across tenants and secrets, and never contains the tenant id', () => {
    const a = externalIdFor(secret, 't-123');
    expect(externalIdFor(secret, 't-123')).toBe(a);
    expect(externalIdFor(secret, 't-124')).not.toBe(a);
    expect(externalIdFor(parseSecret('v1:another-secret-of-at-least-32-chars!!'), 't-123')).not.toBe(a);
    expect(a).not.toContain('t-123');
    // 32 base64url characters carry 192 bits, and STS accepts every one of them.
    expect(a).toMatch(/^v1-[A-Za-z0-9_-]{32}$/);
  });

  it('carries the secret’s version so the secret can rotate', () => {
    expect(externalIdFor(parseSecret('v2:0123456789abcdef0123456789abcdef'), 't')).toMatch(/^v2-/);
    expect(parseSecret('0123456789abcdef0123456789abcdef').version).toBe('v1');
    expect(() => parseSecret('v1:short')).toThrow(/at least 32/);
  });

  it('keeps a generated development secret in a private file, the same on every cold start', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'xid-')), 'dir', 'secret');
    const first = localDevSecret(path);
    expect(localDevSecret(path)).toEqual(first);
    expect(readFileSync(path, 'utf8')).toContain(first.key);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});

describe('configuration', () => {
  const deployed = {
    AWS_LAMBDA_FUNCTION_NAME: 'aws-access-verifier-prod-verify',
    AWS_REGION: 'eu-west-1',
    VENDOR_PRINCIPAL_ARN: 'arn:aws:iam::999988887777:role/aws-access-verifier-prod',
  };

  it('refuses to start a deployed stage without its external ID secret', () => {
    expect(() => loadConfig(deployed, CHECK_IDS)).toThrow(ConfigError);
    expect(() => loadConfig(deployed, CHECK_IDS)).toThrow(/EXTERNAL_ID_SECRET_PARAMETER/);
  });

  it('starts a deployed stage with its secret parameter, and local runs with nothing configured', () => {
    expect(loadConfig({ ...deployed, EXTERNAL_ID_SECRET_PARAMETER: '/x/secret' }, CHECK_IDS)).toMatchObject({
      local: false,
      region: 'eu-west-1',
      externalIdSecretParameter: '/x/secret',
      tenantClaim: 'tenant_id',
    });
    expect(loadConfig({}, CHECK_IDS)).toMatchObject({ local: true, region: 'us-east-1' });
    const invokedLocally = loadConfig(
      {
        ...deployed,
        IS_LOCAL: 'true',
        EXTERNAL_ID_SECRET_PARAMETER: '/x/secret',
      },
      CHECK_IDS,
    );
    expect(invokedLocally).toMatchObject({ local: true });
    expect(invokedLocally).not.toHaveProperty('externalIdSecretParameter');
  });

  it('refuses a vendor principal that is not an IAM role or user, and a region it does not know', () => {
    expect(() =>
      loadConfig({ VENDOR_PRINCIPAL_ARN: 'arn:aws:sts::999988887777:assumed-role/r/s' }, CHECK_IDS),
    ).toThrow(/VENDOR_PRINCIPAL_ARN/);
    expect(() => loadConfig({ AWS_REGION: 'moon-1' }, CHECK_IDS)).toThrow(/AWS_REGION/);
    expect(() => loadConfig({ TENANT_CLAIM: 'a b' }, CHECK_IDS)).toThrow(/TENANT_CLAIM/);
  });
});
