import { describe, expect, it } from 'vitest';
import { keyringOf, parseSecret } from '../../src/core/external-id.ts';
import { externalIdSecrets, type TenantVersionStore } from '../../src/core/external-id-versions.ts';

const V1 = 'v1:first-secret-0123456789abcdef0123456789';
const V2 = 'v2:second-secret-0123456789abcdef012345678';

function memoryTenants(): TenantVersionStore & { records: Map<string, string> } {
  const records = new Map<string, string>();
  return {
    records,
    async externalIdVersion(t) {
      return records.get(t);
    },
    async issueExternalIdVersion(t, v, replace = false) {
      if (!replace && records.has(t)) return records.get(t) as string;
      records.set(t, v);
      return v;
    },
  };
}

describe('the keyring of external ID secret versions', () => {
  it('takes the newest value as current and keeps every version', () => {
    const ring = keyringOf([V1, V2]);
    expect(ring.current).toEqual(parseSecret(V2));
    expect(ring.oldest).toEqual(parseSecret(V1));
    expect([...ring.versions.keys()]).toEqual(['v1', 'v2']);
  });

  it('refuses a version set twice with different keys, and an empty history', () => {
    expect(() => keyringOf([V1, 'v1:another-key-0123456789abcdef0123456789'])).toThrow(
      'external ID secret version v1 is set twice with different keys',
    );
    // The same value put again (an overwrite with no change) is one version.
    expect(keyringOf([V1, V1]).versions.size).toBe(1);
    expect(() => keyringOf([])).toThrow('no value');
  });
});

describe('externalIdSecrets', () => {
  it('issues the current version to a new tenant once, and keeps it across a rotation', async () => {
    let values = [V1];
    const tenants = memoryTenants();
    // A clock that moves on every reading: with no time to live, nothing cached is fresh, however
    // fast the machine (Date.now can read the same millisecond twice).
    let clock = 0;
    const secrets = externalIdSecrets(async () => values, tenants, {
      keyringMs: 0,
      tenantMs: 0,
      now: () => ++clock,
    });
    expect((await secrets.forTenant('a')).version).toBe('v1');
    values = [V1, V2];
    expect((await secrets.forTenant('a')).version).toBe('v1');
    expect((await secrets.forTenant('b')).version).toBe('v2');
    expect([...tenants.records]).toEqual([
      ['a', 'v1'],
      ['b', 'v2'],
    ]);
  });

  it('refuses to guess when several versions exist and nothing records which a tenant holds', async () => {
    const secrets = externalIdSecrets(async () => [V1, V2], undefined);
    await expect(secrets.forTenant('a')).rejects.toThrow('no table records');
    expect((await externalIdSecrets(async () => [V1], undefined).forTenant('a')).version).toBe('v1');
  });

  it('reads the parameter again for a version it has not seen, and says so when the version is gone', async () => {
    let values = [V1];
    let reads = 0;
    const tenants = memoryTenants();
    const secrets = externalIdSecrets(async () => {
      reads++;
      return values;
    }, tenants);
    await secrets.keyring();
    values = [V1, V2];
    tenants.records.set('renewed-elsewhere', 'v2');
    expect((await secrets.forTenant('renewed-elsewhere')).version).toBe('v2');
    expect(reads).toBe(2);
    tenants.records.set('lost', 'v7');
    await expect(secrets.forTenant('lost')).rejects.toThrow("v7 is no longer in the parameter's history");
  });

  it('does not remember a failed read of the parameter', async () => {
    let fail = true;
    const secrets = externalIdSecrets(async () => {
      if (fail) throw new Error('ThrottlingException');
      return [V1];
    }, memoryTenants());
    await expect(secrets.keyring()).rejects.toThrow('ThrottlingException');
    fail = false;
    expect((await secrets.keyring()).current.version).toBe('v1');
  });

  it('renews a tenant to the newest version, saying which it held before', async () => {
    const tenants = memoryTenants();
    tenants.records.set('a', 'v1');
    const secrets = externalIdSecrets(async () => [V1, V2], tenants);
    const renewed = await secrets.renew('a');
    expect(renewed.secret.version).toBe('v2');
    expect(renewed.previous?.version).toBe('v1');
    expect(tenants.records.get('a')).toBe('v2');
    expect((await secrets.renew('a')).previous).toBeUndefined();
  });
});
