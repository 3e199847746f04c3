import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The external ID: an HMAC-SHA256 of the tenant id under the vendor's secret. Unique per
 * tenant, unguessable without the secret, stable across calls and cold starts, and it never
 * contains the tenant id. The version prefix lets the secret rotate for new tenants while
 * existing trust policies keep the IDs they were given.
 */
export interface ExternalIdSecret {
  version: string;
  key: string;
}

/** Parses the stored secret: `v2:<secret>`, or a bare secret, taken as version 1. */
export function parseSecret(raw: string): ExternalIdSecret {
  const trimmed = raw.trim();
  const m = /^(v\d+):(.+)$/.exec(trimmed);
  const secret = m ? { version: m[1] as string, key: m[2] as string } : { version: 'v1', key: trimmed };
  if (secret.key.length < 32) throw new Error('the external ID secret must have at least 32 characters');
  return secret;
}

/**
 * Every version of the secret there has been: a tenant keeps the version it was issued (its
 * trust policy names that ID), so a rotation only adds. `current` is issued to new tenants.
 */
export interface ExternalIdKeyring {
  current: ExternalIdSecret;
  /** The first version: what local sealing derives its key from, stable across rotations. */
  oldest: ExternalIdSecret;
  versions: ReadonlyMap<string, ExternalIdSecret>;
}

/**
 * The keyring from the parameter's values, oldest first: the newest value is current. A version
 * named twice with different keys is refused: tenants may hold either, so neither can win.
 */
export function keyringOf(values: readonly string[]): ExternalIdKeyring {
  const versions = new Map<string, ExternalIdSecret>();
  let current: ExternalIdSecret | undefined;
  for (const value of values) {
    const secret = parseSecret(value);
    const known = versions.get(secret.version);
    if (known && known.key !== secret.key)
      throw new Error(`external ID secret version ${secret.version} is set twice with different keys`);
    versions.set(secret.version, secret);
    current = secret;
  }
  const [oldest] = versions.values();
  if (!current || !oldest) throw new Error('the external ID secret parameter has no value');
  return { current, oldest, versions };
}

export function externalIdFor(secret: ExternalIdSecret, tenantId: string): string {
  const mac = createHmac('sha256', secret.key).update(`external-id\0${tenantId}`).digest('base64url');
  // 32 base64url characters: 192 bits, within STS's allowed characters [\w+=,.@:/-].
  return `${secret.version}-${mac.slice(0, 32)}`;
}

/**
 * A development secret for local runs, generated once and kept in an ignored file so external
 * IDs stay stable across `sls invoke local` runs. Never used by a deployed stage.
 */
export function localDevSecret(path = join(projectRoot(), '.local', 'external-id-secret')): ExternalIdSecret {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    try {
      writeFileSync(path, `v1:${randomBytes(32).toString('base64url')}\n`, { flag: 'wx', mode: 0o600 });
    } catch (err) {
      // Another local process made it first: use theirs.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return parseSecret(readFileSync(path, 'utf8'));
}

/**
 * The project's root, where serverless.ts is: `sls invoke local` runs handlers from
 * .esbuild/.build, and the development secret must be the same file whoever runs it.
 */
function projectRoot(): string {
  let dir = process.cwd();
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'serverless.ts'))) return dir;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return process.cwd();
}
