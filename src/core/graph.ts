import { type AnyCheck, type Dependency, isIdentityCheck } from './check.ts';
import { resourceGates } from './gates.ts';
import type { Planned } from './plan.ts';
import type { Wait } from './runner.ts';
import type { Target } from './targets.ts';

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
    return { deps: isIdentityCheck(p.check) ? deps : [...gates(p.target), ...deps], asks };
  };
}

/** Where a check settles, counted in AWS calls from the start, and the chain of calls that leads there. */
export interface Step {
  end: number;
  path: string[];
}

/**
 * The longest chain of AWS calls a verification makes, from the declared graph alone: each
 * check's `calls` (what it sends one after another when AWS answers as expected), its waits
 * and the identity gates. A check starts once what it waits for (hard, soft) has settled; one
 * `beside` a dependency starts with it and settles no sooner. What a check asks for on demand
 * is an odd answer's path, not the expected one. On ties the first wait declared is shown.
 */
export function longestChain(
  planned: readonly Planned[],
): Step & { length: number; steps: Map<string, Step> } {
  const edges = graphEdges(planned);
  const byKey = new Map(planned.map((p) => [p.key, p]));
  const steps = new Map<string, Step>();
  const visit = (p: Planned): Step => {
    const known = steps.get(p.key);
    if (known) return known;
    const waits = edges(p).deps.flatMap((d) => {
      const dep = byKey.get(d.key);
      return dep ? [{ kind: d.kind, step: visit(dep) }] : [];
    });
    const after = waits
      .filter((w) => w.kind !== 'beside')
      .reduce<Step>((a, w) => (w.step.end > a.end ? w.step : a), { end: 0, path: [] });
    const own = callsOf(p.check, p.target);
    let step: Step = { end: after.end + own.length, path: [...after.path, ...own] };
    for (const w of waits) if (w.kind === 'beside' && w.step.end > step.end) step = w.step;
    steps.set(p.key, step);
    return step;
  };
  let longest: Step = { end: 0, path: [] };
  for (const p of planned) {
    const s = visit(p);
    if (s.end > longest.end) longest = s;
  }
  return { ...longest, length: longest.end, steps };
}

/** The calls a check declares for a target. */
export const callsOf = (check: AnyCheck, target: Target): readonly string[] =>
  typeof check.calls === 'function' ? (check.calls as (t: Target) => readonly string[])(target) : check.calls;
