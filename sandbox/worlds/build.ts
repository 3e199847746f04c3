import type { PolicyJson } from '../iam.ts';
import { type SandboxBucket, vendor, vendorTrust, type World, type WorldCase } from '../world.ts';

/**
 * The scaffolding every world of the library shares: the customer's account and role, its
 * buckets, the request naming that role, the truth as checks per target, and the world itself
 * (named by its key in the library, the vendor as deployed).
 */

export const CUSTOMER = '111122223333';
export const ROLE = `arn:aws:iam::${CUSTOMER}:role/VendorAccess`;

/** The customer's role for the vendor: its trust (with the external ID, or not) and its policies. */
export const role = (externalId: string | null, ...policies: PolicyJson[]) => ({
  arn: ROLE,
  trust: vendorTrust(externalId),
  policies,
});

/** The POST /verify body naming the customer's role, in us-east-1 unless `extra` says otherwise. */
export const roleRequest = (extra: Record<string, unknown>) => ({
  credentials: { type: 'role', roleArn: ROLE },
  region: 'us-east-1',
  ...extra,
});

export const allow = (actions: string[], resources: string[]): PolicyJson => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: actions, Resource: resources }],
});

/** A bucket of the customer's account in us-east-1, unless `extra` says otherwise. */
export const bucket = (name: string, extra: Partial<SandboxBucket> = {}): SandboxBucket => ({
  name,
  account: CUSTOMER,
  region: 'us-east-1',
  ...extra,
});

/** The target a report names a bucket by. */
export const s3Url = (b: string) => `s3://${b}/`;

type Status = WorldCase['truth'][string];

/** Truth entries of one target: `<check id> <target>` → status, in the order given. */
export const checks = (target: string, statuses: Record<string, Status>): WorldCase['truth'] =>
  Object.fromEntries(Object.entries(statuses).map(([id, status]) => [`${id} ${target}`, status]));

/** A world of the library, by what sets it apart: its name is its key, its vendor the deployed one. */
export interface WorldSpec extends Omit<WorldCase, 'world'> {
  description: string;
  /** What the world holds besides the vendor, given the tenant's external ID. */
  holds: (externalId: string) => Omit<World, 'name' | 'description' | 'vendor'>;
}

export const library = (specs: Record<string, WorldSpec>): Record<string, WorldCase> =>
  Object.fromEntries(
    Object.entries(specs).map(([name, { description, holds, ...rest }]) => [
      name,
      { world: (xid: string) => ({ name, description, vendor: vendor(), ...holds(xid) }), ...rest },
    ]),
  );
