import { GetParameterHistoryCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { ExternalIdKeyring, ExternalIdSecret } from './external-id.ts';
import { keyringOf } from './external-id.ts';

export { permissions } from './external-id-versions.permissions.ts';

/**
 * Which version of the external-ID secret each tenant was issued, and the keyring of every
 * version, cached per container. A tenant is issued the current version the first time it is
 * seen and keeps it across rotations; only `renew` (a tenant re-running setup and asking for
 * it) moves it to the newest.
 */

/** Where the tenant → version record lives: the drift table (src/core/drift/store.ts). */
export interface TenantVersionStore {
  externalIdVersion(tenantId: string): Promise<string | undefined>;
  issueExternalIdVersion(tenantId: string, version: string, replace?: boolean): Promise<string>;
}

export interface ExternalIdSecrets {
  keyring(): Promise<ExternalIdKeyring>;
  /** The tenant's version, issuing the current one to a tenant never seen before. */
  forTenant(tenantId: string): Promise<ExternalIdSecret>;
  /** Moves the tenant to the newest version; `previous` when that changed its external ID. */
  renew(tenantId: string): Promise<{ secret: ExternalIdSecret; previous?: ExternalIdSecret }>;
}

export interface SecretsOptions {
  /** How long the keyring is kept before it is read again (a version unknown to it reloads it at once). */
  keyringMs?: number;
  /** How long a tenant's version is remembered: a renewal elsewhere shows here within this. */
  tenantMs?: number;
  now?: () => number;
}

const TENANT_CACHE_LIMIT = 10_000;

export function externalIdSecrets(
  /** Every value the secret has had, oldest first. */
  load: () => Promise<readonly string[]>,
  tenants: TenantVersionStore | undefined,
  opts: SecretsOptions = {},
): ExternalIdSecrets {
  const keyringMs = opts.keyringMs ?? 15 * 60_000;
  const tenantMs = opts.tenantMs ?? 60_000;
  const now = opts.now ?? Date.now;
  let cached: { at: number; keyring: Promise<ExternalIdKeyring> } | undefined;
  const issued = new Map<string, { at: number; version: string }>();

  const keyring = (fresh = false): Promise<ExternalIdKeyring> => {
    if (!cached || fresh || now() - cached.at > keyringMs) {
      const entry = { at: now(), keyring: load().then(keyringOf) };
      cached = entry;
      // A failed read is tried again on the next call, not remembered.
      entry.keyring.catch(() => {
        if (cached === entry) cached = undefined;
      });
    }
    return cached.keyring;
  };
  const remember = (tenantId: string, version: string) => {
    if (issued.size >= TENANT_CACHE_LIMIT) issued.delete(issued.keys().next().value as string);
    issued.set(tenantId, { at: now(), version });
  };
  /** The secret of a version, reading the parameter again if this container has not seen it yet. */
  const secretOf = async (version: string): Promise<ExternalIdSecret> => {
    const secret = (await keyring()).versions.get(version) ?? (await keyring(true)).versions.get(version);
    if (!secret)
      throw new Error(`external ID secret version ${version} is no longer in the parameter's history`);
    return secret;
  };

  return {
    keyring: () => keyring(),
    async forTenant(tenantId) {
      const known = issued.get(tenantId);
      if (known && now() - known.at <= tenantMs) return secretOf(known.version);
      const ring = await keyring();
      if (!tenants) {
        // Without a record, a rotation would hand every tenant a new ID: refuse instead.
        if (ring.versions.size > 1)
          throw new Error(
            'the external ID secret has several versions but no table records which each tenant holds',
          );
        return ring.current;
      }
      const version =
        (await tenants.externalIdVersion(tenantId)) ??
        (await tenants.issueExternalIdVersion(tenantId, ring.current.version));
      remember(tenantId, version);
      return secretOf(version);
    },
    async renew(tenantId) {
      const ring = await keyring(true);
      issued.delete(tenantId);
      const before = await this.forTenant(tenantId);
      if (before.version === ring.current.version) return { secret: before };
      if (!tenants) return { secret: ring.current };
      await tenants.issueExternalIdVersion(tenantId, ring.current.version, true);
      remember(tenantId, ring.current.version);
      return { secret: ring.current, previous: before };
    },
  };
}

/** SSM keeps the last 100 versions of a parameter: two pages of 50. */
const HISTORY_PAGES = 3;

/**
 * Every value of the SecureString parameter, oldest first, decrypted (GetParameterHistory). A
 * rotation is a new version of the same parameter, so nothing but the parameter's name is
 * configured, and a version older than SSM's hundred is gone (README: rotation).
 */
export async function ssmSecretHistory(client: SSMClient, name: string): Promise<string[]> {
  const found: { version: number; value: string }[] = [];
  let NextToken: string | undefined;
  for (let page = 0; page < HISTORY_PAGES; page++) {
    const out = await client.send(
      new GetParameterHistoryCommand({ Name: name, WithDecryption: true, MaxResults: 50, NextToken }),
    );
    for (const p of out.Parameters ?? []) {
      if (typeof p.Value === 'string' && typeof p.Version === 'number')
        found.push({ version: p.Version, value: p.Value });
    }
    NextToken = out.NextToken;
    if (!NextToken) break;
  }
  return found.sort((a, b) => a.version - b.version).map((p) => p.value);
}
