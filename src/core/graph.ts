import { resourceGates } from './gates.ts';
import type { Planned } from './plan.ts';
import type { Wait } from './runner.ts';
import type { Dependency, Target } from './types.ts';

/** One planned check's edges: what it waits for (the identity gates first) and what it may ask for. */
export interface Edges {
  deps: Wait[];
  asks: string[];
}

/**
 * The graph as declared: each check's `dependsOn`, resolved to the planned targets it names
 * (its own, the principal, the buckets a KMS key is used through, or every target), plus the
 * identity gates every check but the identity checks themselves waits behind. The engine runs
 * it; the catalogue test checks it for cycles and measures its longest chain of AWS calls.
 */
export function graphEdges(planned: readonly Planned[]): (p: Planned) => Edges {
  const gates = resourceGates(planned);
  const principalKey = planned.find((p) => p.target.kind === 'principal')?.target.key ?? 'principal';
  const plannedOn = new Map<string, string[]>();
  for (const p of planned) plannedOn.set(p.check.id, [...(plannedOn.get(p.check.id) ?? []), p.target.key]);

  const targetsOf = (d: Dependency, target: Target): string[] => {
    if (d.on === 'principal') return [principalKey];
    if (d.on === 'viaBuckets') return target.kind === 'kms' ? target.viaBuckets.map((b) => b.key) : [];
    if (d.on === 'all') return plannedOn.get(d.id) ?? [];
    return [target.key];
  };

  return (p) => {
    const deps: Wait[] = [];
    const asks: string[] = [];
    for (const d of p.check.dependsOn) {
      for (const t of targetsOf(d, p.target)) {
        const key = `${d.id}@${t}`;
        if (d.kind === 'asked') asks.push(key);
        else deps.push({ key, name: d.id, kind: d.kind });
      }
    }
    // The identity checks gate the rest; the principal's other checks (simulation, ListBuckets)
    // act in the customer's account, so they wait behind the same gates as the resources.
    const identityCheck = p.target.kind === 'principal' && p.check.id.startsWith('sts.');
    return { deps: identityCheck ? deps : [...gates(p.target), ...deps], asks };
  };
}
