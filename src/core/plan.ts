import type { Catalogue, ResourceTarget } from './catalogue.ts';
import { type AnyCheck, appliesTo } from './check.ts';
import { principalOf } from './principal.ts';
import { type Mode, type Profile, requirementFor } from './profiles.ts';
import type { Region } from './regions.ts';
import type { PrincipalTarget, Target } from './targets.ts';
import type { Requirement, VerifyRequest } from './wire.ts';

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
 * A check that cleans up after another (`cleansUp`: `s3.delete` wherever a probe is written)
 * is planned even where it is `off`: nothing is left behind in a customer's bucket, and the
 * setup's policy must allow that clean-up too.
 */
export function planChecks(
  checks: readonly AnyCheck[],
  targets: readonly Target[],
  profile: Profile | undefined,
  mode: Mode,
): Planned[] {
  const planned: Planned[] = [];
  for (const check of checks) {
    for (const t of targets) {
      if (!appliesTo(check, t)) continue;
      const access = t.kind === 'bucket' ? t.access : undefined;
      const requirementOf = (id: AnyCheck['id']) => requirementFor(id, profile, access, mode);
      const requirement = requirementOf(check.id);
      // The scope test in appliesTo is what makes this call type-safe.
      const cleansUp = check.cleansUp as ((t: Target, r: typeof requirementOf) => boolean) | undefined;
      if (requirement !== 'off' || cleansUp?.(t, requirementOf))
        planned.push({ check, target: t, requirement, key: `${check.id}@${t.key}` });
    }
  }
  return planned;
}

/** One verification's targets and the checks planned on them. */
export interface VerificationPlan {
  principalTarget: PrincipalTarget;
  /** Every target that runs in a session of its own choosing, in report order. */
  resources: ResourceTarget[];
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

/** The request's targets, each prepared by its scope, and the checks planned on them. */
export function planVerification(
  catalogue: Catalogue,
  request: VerifyRequest,
  o: PlanOptions,
): VerificationPlan {
  const region = request.region ?? o.serviceRegion;
  const principalTarget = principalOf(request, region);
  const resources = catalogue.planTargets(request, {
    partition: principalTarget.partition,
    region,
    ...(request.region ? { requestRegion: request.region } : {}),
    ...(principalTarget.account ? { account: principalTarget.account } : {}),
  });
  catalogue.prepareTargets(resources, {
    profile: o.profile,
    mode: o.mode,
    ...(request.probe ? { probe: request.probe } : {}),
    ...(o.placeMarkers ? { placeMarkers: true } : {}),
  });
  const planned = planChecks(catalogue.checks, [principalTarget, ...resources], o.profile, o.mode);
  return { principalTarget, resources, planned };
}
