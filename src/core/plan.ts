import { type AnyCheck, appliesTo, CATALOGUE } from '../checks/index.ts';
import { planRedshiftTargets } from '../checks/redshift/redshift.ts';
import { principalOf } from './principal.ts';
import { type Mode, type Profile, requirementFor } from './profiles.ts';
import type { Region } from './regions.ts';
import { planKmsTargets, planTargets } from './targets.ts';
import type {
  BucketTarget,
  KmsTarget,
  PrincipalTarget,
  RedshiftTarget,
  Requirement,
  Target,
  VerifyRequest,
} from './types.ts';

export interface Planned {
  check: AnyCheck;
  target: Target;
  requirement: Requirement;
  key: string;
}

/**
 * Which checks run on which targets, in catalogue order: what the profile (or each bucket's
 * `access`) requires or reports, where the check applies. One planner for POST /verify and
 * GET /setup, so the setup grants exactly what a verification will call.
 *
 * `s3.delete` is planned, even where it is `off`, wherever a probe is written: nothing is left
 * behind in a customer's bucket, and the setup's policy must allow that clean-up too. The
 * zero-write probe on a marker writes no probe, so it needs none.
 */
export function planChecks(targets: readonly Target[], profile: Profile | undefined, mode: Mode): Planned[] {
  const planned: Planned[] = [];
  for (const check of CATALOGUE as readonly AnyCheck[]) {
    for (const t of targets) {
      if (!appliesTo(check, t)) continue;
      const access = t.kind === 'bucket' ? t.access : undefined;
      const requirement = requirementFor(check.id, profile, access, mode);
      const cleanup =
        t.kind === 'bucket' &&
        check.id === 's3.delete' &&
        t.marker !== 'probe' &&
        requirementFor('s3.write', profile, access, mode) !== 'off';
      if (requirement !== 'off' || cleanup)
        planned.push({ check, target: t, requirement, key: `${check.id}@${t.key}` });
    }
  }
  return planned;
}

/** One verification's targets and the checks planned on them. */
export interface VerificationPlan {
  principalTarget: PrincipalTarget;
  buckets: BucketTarget[];
  keys: KmsTarget[];
  warehouses: RedshiftTarget[];
  /** Every target that runs in a session of its own choosing: buckets, keys, then Redshift. */
  resources: (BucketTarget | KmsTarget | RedshiftTarget)[];
  planned: Planned[];
}

export interface PlanOptions {
  profile: Profile | undefined;
  mode: Mode;
  /** The service's own region: where STS is called when the request names none. */
  serviceRegion: Region;
  /** Onboarding a connection: leave the marker drift's zero-write probe will use. */
  placeMarkers?: boolean;
}

/** The request's targets, each bucket's probe and marker decided, and the checks planned on them. */
export function planVerification(request: VerifyRequest, o: PlanOptions): VerificationPlan {
  const region = request.region ?? o.serviceRegion;
  const principalTarget = principalOf(request, region);
  const buckets = planTargets(request.s3 ?? [], principalTarget.partition, request.region, region);
  const keys = planKmsTargets(request.kms ?? [], buckets);
  const warehouses = planRedshiftTargets(
    request.redshift ?? [],
    principalTarget.partition,
    region,
    principalTarget.account,
  );
  const resources = [...buckets, ...keys, ...warehouses];
  // No-write verification: write and delete are judged by policy simulation, nothing is written.
  if (request.probe === 'simulate') for (const b of buckets) b.probe = 'simulate';
  for (const b of buckets) {
    if (b.probe === 'simulate') continue;
    // Where drift may not delete (seed 001's destinations), write access is proven on a marker.
    const driftDeletes = requirementFor('s3.delete', o.profile, b.access, 'drift') !== 'off';
    const driftWrites = requirementFor('s3.write', o.profile, b.access, 'drift') !== 'off';
    if (driftWrites && !driftDeletes) {
      if (o.mode === 'drift') b.marker = 'probe';
      else if (o.placeMarkers) b.marker = 'place';
    }
  }
  const planned = planChecks([principalTarget, ...resources], o.profile, o.mode);
  return { principalTarget, buckets, keys, warehouses, resources, planned };
}
