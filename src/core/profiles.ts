import type { Access, CheckId, Requirement } from './types.ts';

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
}

/** What every profile runs where it applies: identity, region, encryption, the KMS keys named. */
const baseline = {
  'sts.assume-role': 'required',
  'sts.caller-identity': 'required',
  'sts.external-id-required': 'required',
  's3.bucket-region': 'required',
  's3.encryption': 'reported',
  // Run only for the keys a request or a bucket names.
  'kms.generate-data-key': 'required',
  'kms.encrypt': 'required',
  'kms.decrypt': 'required',
} as const satisfies Partial<Record<CheckId, Requirement>>;

export const BUILTIN_PROFILES: Readonly<Record<string, Profile>> = {
  destination: {
    name: 'destination',
    description: 'Append-only writes (seed 001): write, and delete the probe at onboarding.',
    checks: { ...baseline, 's3.write': 'required', 's3.delete': 'required' },
    externalIdNotEnforced: 'fail',
  },
  staging: {
    name: 'staging',
    description: 'The full staging round trip (seed 003): location, list, write, read, delete.',
    checks: {
      ...baseline,
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
      ...baseline,
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

/** Without a profile, each bucket's `access` decides what is required. */
export function requirementFor(
  id: CheckId,
  profile: Profile | undefined,
  access: Access = 'readwrite',
): Requirement {
  if (profile) return profile.checks[id] ?? 'off';
  if (id in baseline) return baseline[id as keyof typeof baseline];
  return ACCESS_CHECKS[access].includes(id) ? 'required' : 'off';
}

export function profileNamed(name: string | undefined): Profile | undefined {
  return name !== undefined && Object.hasOwn(BUILTIN_PROFILES, name) ? BUILTIN_PROFILES[name] : undefined;
}

export const PROFILE_NAMES = Object.keys(BUILTIN_PROFILES);
