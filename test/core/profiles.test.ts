import { describe, expect, it } from 'vitest';
import { CATALOGUE, CHECK_IDS } from '../../src/checks/index.ts';
import { ConfigError, loadConfig } from '../../src/core/config.ts';
import {
  BUILTIN_PROFILES,
  parseVendorProfiles,
  profileNamed,
  requirementFor,
} from '../../src/core/profiles.ts';
import { parseVerifyRequest } from '../../src/core/request.ts';
import { setupFor } from '../../src/core/setup.ts';
import { catalogueView } from '../../src/core/tenant-use-cases.ts';
import { parseSetupQuery } from '../../src/handlers/factories/setup-query.ts';

const ROLE = { type: 'role', roleArn: 'arn:aws:iam::111122223333:role/VendorAccess' };
const WAREHOUSE = JSON.stringify({
  warehouse: {
    description: 'Staging without clean-up rights, warned (not failed) on a missing external ID.',
    extends: 'staging',
    checks: { 's3.delete': 'reported', 's3.bucket-location': 'off' },
    externalIdNotEnforced: 'warn',
  },
  'lake-reader': { checks: { 's3.list': 'required', 's3.read': 'required' } },
});

describe('vendor profiles from configuration', () => {
  it("knows only the check ids it is given (the composition root passes the registry's)", () => {
    const withoutDelete = CHECK_IDS.filter((id) => id !== 's3.delete');
    expect(() => loadConfig({ VENDOR_PROFILES: WAREHOUSE }, withoutDelete)).toThrow(/s3\.delete/);
    expect(loadConfig({ VENDOR_PROFILES: WAREHOUSE }, CHECK_IDS).profiles).toHaveProperty('warehouse');
  });

  it('is not read by a function that runs no check (the drift dispatcher), which bundles none to validate it', () => {
    const dispatcher = loadConfig({ VENDOR_PROFILES: WAREHOUSE }, 'runs no check');
    expect(dispatcher.profiles).toBe(BUILTIN_PROFILES);
    expect(() => loadConfig({ VENDOR_PROFILES: '{not json' }, 'runs no check')).not.toThrow();
    expect(() => loadConfig({ VENDOR_PROFILES: '{not json' }, CHECK_IDS)).toThrow(ConfigError);
  });

  it('extends a built-in, or starts from the baseline every profile runs', () => {
    const { profiles } = loadConfig({ VENDOR_PROFILES: WAREHOUSE }, CHECK_IDS);
    const warehouse = profileNamed('warehouse', profiles);
    expect(warehouse).toMatchObject({ name: 'warehouse', externalIdNotEnforced: 'warn' });
    expect(requirementFor('s3.delete', warehouse)).toBe('reported');
    expect(requirementFor('s3.bucket-location', warehouse)).toBe('off');
    expect(requirementFor('s3.write', warehouse)).toBe('required');
    const reader = profileNamed('lake-reader', profiles);
    expect(requirementFor('sts.assume-role', reader)).toBe('required');
    expect(requirementFor('s3.read', reader)).toBe('required');
    expect(requirementFor('s3.write', reader)).toBe('off');
    expect(profileNamed('staging', profiles)).toBe(BUILTIN_PROFILES.staging);
  });

  it('refuses to start on a bad entry, naming every problem and where it is', () => {
    const bad = JSON.stringify({
      Warehouse: {},
      staging: {},
      typo: {
        extends: 'stagin',
        checks: { 's3.delet': 'off', 's3.read': 'maybe', 'sts.assume-role': 'off' },
        colour: 1,
      },
    });
    const attempt = () => loadConfig({ VENDOR_PROFILES: bad }, CHECK_IDS);
    expect(attempt).toThrow(ConfigError);
    const message = (() => {
      try {
        attempt();
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })();
    for (const expected of [
      'VENDOR_PROFILES: profile "Warehouse": a name is 1 to 32 lowercase letters',
      'profile "staging": is a built-in profile',
      'profile "typo": unknown field "colour"',
      'profile "typo": "extends" must name a built-in profile (destination, staging, source)',
      'profile "typo": "s3.delet" is not a check',
      'profile "typo": "s3.read" must be one of required, reported, off',
      'profile "typo": "sts.assume-role" cannot be off',
    ]) {
      expect(message).toContain(expected);
    }
    expect(() => loadConfig({ VENDOR_PROFILES: '{not json' }, CHECK_IDS)).toThrow(
      'VENDOR_PROFILES: is not JSON',
    );
    expect(() => loadConfig({ VENDOR_PROFILES: '[]' }, CHECK_IDS)).toThrow(
      'must be an object of profiles by name',
    );
  });

  it('accepts the vendor’s profiles in requests and shows them in GET /checks', () => {
    const { profiles } = loadConfig({ VENDOR_PROFILES: WAREHOUSE }, CHECK_IDS);
    expect(parseVerifyRequest(CATALOGUE, { credentials: ROLE, profile: 'warehouse' }, profiles).ok).toBe(
      true,
    );
    expect(parseVerifyRequest(CATALOGUE, { credentials: ROLE, profile: 'warehouse' })).toMatchObject({
      ok: false,
      errors: [{ path: 'profile', message: 'one of destination, staging, source' }],
    });
    expect(parseSetupQuery('profile=lake-reader&bucket=acme-data', profiles).ok).toBe(true);
    const view = catalogueView(profiles);
    expect(view.profiles.map((p) => p.name)).toEqual([
      'destination',
      'staging',
      'source',
      'warehouse',
      'lake-reader',
    ]);
    expect(view.checks.find((c) => c.id === 's3.delete')?.profiles).toMatchObject({
      warehouse: 'reported',
      'lake-reader': 'off',
    });
    // A destination's clean-up right is not asked of drift (the zero-write probe stands in).
    expect(view.checks.find((c) => c.id === 's3.delete')?.drift).toEqual({ destination: 'off' });
    expect(view.checks.find((c) => c.id === 's3.write')?.drift).toEqual({});
  });

  it('accepts every check of the catalogue by its id', () => {
    const every = Object.fromEntries(CHECK_IDS.map((id) => [id, 'reported']));
    const parsed = parseVendorProfiles(JSON.stringify({ everything: { checks: every } }), CHECK_IDS);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.profiles.everything?.checks).toMatchObject(every);
  });
});

describe('egress addresses', () => {
  it('are CIDRs or addresses, shown to customers for their allowlists', () => {
    expect(
      loadConfig({ EGRESS_ADDRESSES: '203.0.113.10, 198.51.100.0/24' }, CHECK_IDS).egressAddresses,
    ).toEqual(['203.0.113.10', '198.51.100.0/24']);
    expect(() => loadConfig({ EGRESS_ADDRESSES: '203.0.113.300' }, CHECK_IDS)).toThrow(/EGRESS_ADDRESSES/);
    expect(() => loadConfig({ EGRESS_ADDRESSES: 'example.com' }, CHECK_IDS)).toThrow(/EGRESS_ADDRESSES/);
  });
});

describe('a profile that writes but does not ask for delete', () => {
  it('still gets, in its setup, the right to remove the probe every verification writes', () => {
    const parsed = parseVendorProfiles(
      JSON.stringify({ writer: { checks: { 's3.write': 'required' } } }),
      CHECK_IDS,
    );
    if (!parsed.ok) throw new Error(parsed.problems.join('; '));
    const setup = setupFor(CATALOGUE, {
      tenantId: 't-1',
      externalId: 'v1-x',
      vendorPrincipalArn: 'arn:aws:iam::999988887777:role/aws-access-verifier-dev',
      partition: 'aws',
      profile: profileNamed('writer', parsed.profiles),
      buckets: [{ bucket: 'acme-data', prefix: 'in/' }],
    });
    expect(setup.permissionPolicy.Statement).toContainEqual({
      Effect: 'Allow',
      Action: ['s3:DeleteObject', 's3:PutObject'],
      Resource: 'arn:aws:s3:::acme-data/in/*',
    });
  });
});

describe('access bounds the probes under every profile', () => {
  it('never writes to a bucket declared read, nor reads from one declared write', () => {
    for (const profile of Object.values(BUILTIN_PROFILES)) {
      expect(requirementFor('s3.write', profile, 'read'), profile.name).toBe('off');
      expect(requirementFor('s3.delete', profile, 'read'), profile.name).toBe('off');
      expect(requirementFor('s3.read', profile, 'write'), profile.name).toBe('off');
      expect(requirementFor('s3.write', profile, 'read', 'drift'), profile.name).toBe('off');
    }
    // Within the bound, the profile still decides.
    expect(requirementFor('s3.list', BUILTIN_PROFILES.staging, 'read')).toBe('required');
    expect(requirementFor('s3.read', BUILTIN_PROFILES.staging, 'read')).toBe('required');
    expect(requirementFor('s3.write', BUILTIN_PROFILES.staging, 'write')).toBe('required');
    expect(requirementFor('s3.write', BUILTIN_PROFILES.staging, 'readwrite')).toBe('required');
  });
});
