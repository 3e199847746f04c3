import { describe, expect, it } from 'vitest';
import { externalIdSecrets, type TenantVersionStore } from '../../../src/core/external-id-versions.ts';
import type { SecretContext, TenantSecretContext } from '../../../src/handlers/http.ts';
import { externalIdSecret } from '../../../src/handlers/middleware/external-id-secret.ts';
import { fakeRequest } from './request.ts';

const V1 = 'v1:first-secret-0123456789abcdef0123456789';
const V2 = 'v2:second-secret-0123456789abcdef012345678';

function secrets() {
  const reads: string[] = [];
  const tenants: TenantVersionStore = {
    externalIdVersion: async (tenantId) => {
      reads.push(tenantId);
      return tenantId === 't-old' ? 'v1' : undefined;
    },
    issueExternalIdVersion: async (_, version) => version,
  };
  return { reads, secrets: externalIdSecrets(async () => [V1, V2], tenants) };
}

describe('externalIdSecret', () => {
  it("puts the secrets and the tenant's own version in the context: the one it was issued", async () => {
    const { secrets: s } = secrets();
    const old = fakeRequest<TenantSecretContext>({ context: { tenantId: 't-old' } });
    const fresh = fakeRequest<TenantSecretContext>({ context: { tenantId: 't-new' } });
    await externalIdSecret(s).before?.(old as never);
    await externalIdSecret(s).before?.(fresh as never);
    expect(old.context.externalIdSecrets).toBe(s);
    expect(old.context.externalIdSecret.version).toBe('v1');
    expect(fresh.context.externalIdSecret.version).toBe('v2');
  });

  it('reads the tenant’s version once per container within the minute', async () => {
    const { secrets: s, reads } = secrets();
    for (let i = 0; i < 3; i++) {
      const r = fakeRequest<TenantSecretContext>({ context: { tenantId: 't-old' } });
      await externalIdSecret(s).before?.(r as never);
    }
    expect(reads).toEqual(['t-old']);
  });

  it('gives a call without a tenant (the drift worker) the secrets only', async () => {
    const { secrets: s, reads } = secrets();
    const r = fakeRequest<SecretContext>();
    await externalIdSecret(s).before?.(r as never);
    expect(r.context.externalIdSecrets).toBe(s);
    expect('externalIdSecret' in r.context).toBe(false);
    expect(reads).toEqual([]);
  });
});
