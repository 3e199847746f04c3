import { type AnyCheck, appliesTo, CATALOGUE } from '../checks/index.ts';
import { type Mode, type Profile, requirementFor } from './profiles.ts';
import type { Requirement, Target } from './types.ts';

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
