import type { Catalogue } from './catalogue.ts';
import { appliesTo, grantsOf } from './check.ts';
import type { ChecksListing } from './contract.ts';
import { type ProfileRegistry, requirementFor } from './profiles.ts';
import type { Target } from './targets.ts';

/** The catalogue as GET /checks shows it: each check's grants on the catalogue's placeholder targets. */
export function checksListing(catalogue: Catalogue, profiles: ProfileRegistry): ChecksListing {
  const examples = catalogue.examples();
  return {
    profiles: Object.values(profiles).map((p) => ({ name: p.name, description: p.description })),
    checks: catalogue.checks.map((c) => {
      const candidates: readonly Target[] = examples[c.scope];
      const example = candidates.find((t) => appliesTo(c, t)) ?? candidates[0];
      const grants = example ? grantsOf(c, example) : [];
      return {
        id: c.id,
        title: c.title,
        scope: c.scope,
        // What it waits for on the same target; what it asks on demand or of others is the engine's.
        dependsOn: c.dependsOn.filter((d) => d.kind !== 'asked' && !d.on).map((d) => d.id),
        actions: [...new Set(grants.flatMap((g) => g.actions))],
        resources: [...new Set(grants.flatMap((g) => g.resources))],
        profiles: Object.fromEntries(Object.values(profiles).map((p) => [p.name, requirementFor(c.id, p)])),
        // What the schedule's re-verification asks instead, where a profile changes it.
        drift: Object.fromEntries(
          Object.values(profiles)
            .filter((p) => requirementFor(c.id, p, undefined, 'drift') !== requirementFor(c.id, p))
            .map((p) => [p.name, requirementFor(c.id, p, undefined, 'drift')]),
        ),
      };
    }),
  };
}
