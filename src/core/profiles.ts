import type { Access } from './targets.ts';
import type { CheckId, Requirement } from './wire.ts';

/**
 * A profile says which checks a vendor's product needs. Built in: the three the seeds imply
 * (seed 001 destination, seed 003 staging, seed 004 source). A check a profile leaves out is off.
 */
export interface Profile {
  name: string;
  description: string;
  checks: Partial<Record<CheckId, Requirement>>;
  /** What a role that does not enforce the external ID gets; `fail` in every built-in profile. */
  externalIdNotEnforced: 'fail' | 'warn';
  /** What changes when the schedule re-verifies a saved connection (drift). */
  drift?: Partial<Record<CheckId, Requirement>>;
}

/** Onboarding (POST /verify, POST /connections) or a scheduled re-verification. */
export type Mode = 'onboarding' | 'drift';

/** What every profile runs where it applies: identity, region, encryption, the KMS keys named. */
export const BASELINE = {
  'sts.assume-role': 'required',
  'sts.caller-identity': 'required',
  'sts.external-id-required': 'required',
  's3.bucket-region': 'required',
  's3.encryption': 'reported',
  // Run only for the keys a request or a bucket names.
  'kms.generate-data-key': 'required',
  'kms.encrypt': 'required',
  'kms.decrypt': 'required',
  // Run only for the Redshift targets a request names.
  'redshift.credentials': 'required',
  'redshift-serverless.credentials': 'required',
  'redshift.reachable': 'required',
  // Only for a Redshift target naming its COPY role (copyRoleArn).
  'redshift.copy-role': 'required',
  // Where the principal may simulate itself: confirms the probes, finds over-broad grants.
  'iam.simulate': 'reported',
} as const satisfies Partial<Record<CheckId, Requirement>>;

export const BUILTIN_PROFILES: Readonly<Record<string, Profile>> = {
  destination: {
    name: 'destination',
    description: 'Append-only writes (seed 001): write, and delete the probe at onboarding.',
    checks: { ...BASELINE, 's3.write': 'required', 's3.delete': 'required' },
    // Seed 001 tells customers they may drop s3:DeleteObject after set-up: drift proves write
    // access with the zero-write probe on the marker instead of writing and deleting a probe.
    drift: { 's3.delete': 'off' },
    externalIdNotEnforced: 'fail',
  },
  staging: {
    name: 'staging',
    description: 'The full staging round trip (seed 003): location, list, write, read, delete.',
    checks: {
      ...BASELINE,
      's3.bucket-location': 'required',
      's3.list': 'required',
      's3.write': 'required',
      's3.read': 'required',
      's3.delete': 'required',
    },
    externalIdNotEnforced: 'fail',
  },
  source: {
    name: 'source',
    description: 'Read-only input (seed 004): list and read; nothing is written.',
    checks: {
      ...BASELINE,
      'kms.generate-data-key': 'off',
      'kms.encrypt': 'off',
      's3.list': 'required',
      's3.read': 'required',
    },
    externalIdNotEnforced: 'fail',
  },
};

const ACCESS_CHECKS: Record<Access, CheckId[]> = {
  read: ['s3.list', 's3.read'],
  write: ['s3.write', 's3.delete'],
  readwrite: ['s3.list', 's3.write', 's3.read', 's3.delete'],
};

/**
 * What a bucket's `access` forbids under every profile: a bucket declared `read` is never
 * written (nor has a probe to delete), one declared `write` never has an object read.
 */
const BEYOND_ACCESS: Record<Access, readonly CheckId[]> = {
  read: ['s3.write', 's3.delete'],
  write: ['s3.read'],
  readwrite: [],
};

/**
 * Without a profile, each bucket's `access` decides what is required; with one, the profile
 * decides within what `access` allows.
 */
export function requirementFor(
  id: CheckId,
  profile: Profile | undefined,
  access: Access = 'readwrite',
  mode: Mode = 'onboarding',
): Requirement {
  if (BEYOND_ACCESS[access].includes(id)) return 'off';
  if (mode === 'drift') {
    const override = profile
      ? profile.drift?.[id]
      : access === 'write' && id === 's3.delete'
        ? 'off'
        : undefined;
    if (override) return override;
  }
  if (profile) return profile.checks[id] ?? 'off';
  if (id in BASELINE) return BASELINE[id as keyof typeof BASELINE];
  return ACCESS_CHECKS[access].includes(id) ? 'required' : 'off';
}

/** The profiles a deployment offers: the built-ins and the vendor's own (see config.ts). */
export type ProfileRegistry = Readonly<Record<string, Profile>>;

export function profileNamed(
  name: string | undefined,
  registry: ProfileRegistry = BUILTIN_PROFILES,
): Profile | undefined {
  return name !== undefined && Object.hasOwn(registry, name) ? registry[name] : undefined;
}

const NAME = /^[a-z][a-z0-9-]{0,31}$/;
const REQUIREMENTS: readonly Requirement[] = ['required', 'reported', 'off'];
const PROFILE_FIELDS = new Set(['description', 'extends', 'checks', 'drift', 'externalIdNotEnforced']);
/** Every other check runs in the identity check's session: a profile cannot turn it off. */
const IDENTITY: readonly CheckId[] = ['sts.assume-role', 'sts.caller-identity'];

/**
 * The vendor's own profiles, from configuration (`VENDOR_PROFILES`, JSON):
 * `{ "warehouse": { "extends": "staging", "checks": { "s3.delete": "off" } } }`. A profile
 * starts from the built-in it extends, or from the baseline every profile runs. Every problem
 * is reported at once, each naming its entry, so a deployment with a typo refuses to start
 * instead of silently checking less than the vendor meant.
 */
export function parseVendorProfiles(
  text: string,
  checkIds: readonly CheckId[],
): { ok: true; profiles: ProfileRegistry } | { ok: false; problems: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, problems: ['is not JSON'] };
  }
  if (!isPlainObject(raw)) return { ok: false, problems: ['must be an object of profiles by name'] };
  const problems: string[] = [];
  const profiles: Record<string, Profile> = { ...BUILTIN_PROFILES };
  for (const [name, entry] of Object.entries(raw)) {
    const at = `profile "${name}"`;
    if (!NAME.test(name)) {
      problems.push(`${at}: a name is 1 to 32 lowercase letters, digits and hyphens`);
      continue;
    }
    if (Object.hasOwn(BUILTIN_PROFILES, name)) {
      problems.push(`${at}: is a built-in profile; give yours another name and "extends": "${name}"`);
      continue;
    }
    if (!isPlainObject(entry)) {
      problems.push(`${at}: must be an object`);
      continue;
    }
    for (const field of Object.keys(entry)) {
      if (!PROFILE_FIELDS.has(field)) problems.push(`${at}: unknown field "${field}"`);
    }
    const { description, extends: base, checks, drift, externalIdNotEnforced } = entry;
    if (description !== undefined && (typeof description !== 'string' || description.length > 200)) {
      problems.push(`${at}: "description" must be a string of at most 200 characters`);
    }
    let parent: Profile | undefined;
    if (base !== undefined) {
      parent = typeof base === 'string' ? profileNamed(base) : undefined;
      if (!parent)
        problems.push(
          `${at}: "extends" must name a built-in profile (${Object.keys(BUILTIN_PROFILES).join(', ')})`,
        );
    }
    if (
      externalIdNotEnforced !== undefined &&
      externalIdNotEnforced !== 'fail' &&
      externalIdNotEnforced !== 'warn'
    ) {
      problems.push(`${at}: "externalIdNotEnforced" must be "fail" or "warn"`);
    }
    const own = requirements(at, 'checks', checks, checkIds, problems);
    const ownDrift = requirements(at, 'drift', drift, checkIds, problems);
    profiles[name] = {
      name,
      description: typeof description === 'string' ? description : `Vendor profile ${name}.`,
      checks: { ...(parent?.checks ?? BASELINE), ...own },
      ...(parent?.drift || drift !== undefined ? { drift: { ...parent?.drift, ...ownDrift } } : {}),
      externalIdNotEnforced:
        externalIdNotEnforced === 'warn' ? 'warn' : (parent?.externalIdNotEnforced ?? 'fail'),
    };
  }
  return problems.length ? { ok: false, problems } : { ok: true, profiles };
}

/** One `{ check id: requirement }` map of a vendor profile, every problem named. */
function requirements(
  at: string,
  field: string,
  value: unknown,
  checkIds: readonly CheckId[],
  problems: string[],
): Partial<Record<CheckId, Requirement>> {
  const own: Partial<Record<CheckId, Requirement>> = {};
  if (value !== undefined && !isPlainObject(value)) problems.push(`${at}: "${field}" must be an object`);
  for (const [id, req] of Object.entries(isPlainObject(value) ? value : {})) {
    if (!(checkIds as readonly string[]).includes(id)) {
      problems.push(`${at}: "${id}" is not a check (GET /checks lists them)`);
    } else if (!REQUIREMENTS.includes(req as Requirement)) {
      problems.push(`${at}: "${id}" must be one of ${REQUIREMENTS.join(', ')}`);
    } else if (req === 'off' && IDENTITY.includes(id as CheckId)) {
      problems.push(`${at}: "${id}" cannot be off: every other check runs in the identity it verifies`);
    } else {
      own[id as CheckId] = req as Requirement;
    }
  }
  return own;
}

const isPlainObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);
