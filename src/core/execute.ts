import type { Logger } from '@aws-lambda-powertools/logger';
import type { AwsAccess } from './aws.ts';
import { tracedAccess } from './call-trace.ts';
import type { Catalogue, ResourceFacts } from './catalogue.ts';
import type { VerificationInfo } from './check.ts';
import { type AnyCheck, type AnyContext, grantsOf, isIdentityCheck } from './check.ts';
import { classify } from './classify.ts';
import type { Need, PrincipalFacts } from './facts.ts';
import { initialSessions } from './gates.ts';
import { graphEdges } from './graph.ts';
import type { Outcome } from './outcome.ts';
import type { Planned, VerificationPlan } from './plan.ts';
import { asReported, denialOutcome } from './remediation.ts';
import type { GraphNode } from './runner.ts';
import type { CheckId } from './wire.ts';

/** What the checks of one verification learn and share: the principal's, and each resource's by target key. */
export interface VerificationFacts {
  principal: PrincipalFacts;
  byTarget: Map<string, ResourceFacts>;
}

export function initialFacts(catalogue: Catalogue, plan: VerificationPlan): VerificationFacts {
  return {
    principal: { sessions: initialSessions(plan.principalTarget), needs: needsOf(plan.planned) },
    byTarget: new Map(plan.resources.map((t) => [t.key, catalogue.initialFacts(t)])),
  };
}

/** What every planned check needs granted, for the simulation to ask IAM about (its own grant aside). */
function needsOf(planned: readonly Planned[]): Need[] {
  return planned
    .filter((p) => p.check.role !== 'simulation')
    .flatMap((p) =>
      grantsOf(p.check, p.target)
        .filter((g) => !g.sessionOnly && !g.trust)
        .map((grant) => ({ check: p.check.id, targetKey: p.target.key, targetLabel: p.target.label, grant })),
    );
}

/** What a check's run is given besides its target and facts. */
export interface ExecutionDeps {
  catalogue: Pick<Catalogue, 'denialHint'>;
  aws: AwsAccess;
  logger: Logger;
  verification: VerificationInfo;
  signal: AbortSignal;
  /** VerifyDeps.admission: what every check past the identity waits for. */
  admission?: Promise<void>;
  /** Told of each AWS call a check sends (tests: each check sends only what it declares). */
  onCall?: (check: CheckId, operation: string) => void;
}

/**
 * The plan as a graph (graph.ts): each check waits for what it declares and, past the identity,
 * the gates; it may ask for what it declares as asked, and for nothing else.
 */
export function graphNodes(
  plan: VerificationPlan,
  facts: VerificationFacts,
  deps: ExecutionDeps,
): GraphNode[] {
  const edges = graphEdges(plan.planned);
  return plan.planned.map((p) => {
    const { deps: waits, asks } = edges(p);
    const onCall = deps.onCall;
    const identityCheck = isIdentityCheck(p.check);
    return {
      key: p.key,
      name: p.check.id,
      deps: waits,
      asks,
      run: async (outcomeOf) => {
        if (!identityCheck) await deps.admission;
        const ctx = {
          target: p.target,
          facts: p.target.kind === 'principal' ? facts.principal : facts.byTarget.get(p.target.key),
          principal: facts.principal,
          principalTarget: plan.principalTarget,
          verification: deps.verification,
          aws: onCall ? tracedAccess(deps.aws, (op) => onCall(p.check.id, op)) : deps.aws,
          signal: deps.signal,
          logger: deps.logger,
          outcomeOf: (id, targetKey) => outcomeOf(`${id}@${targetKey ?? p.target.key}`),
        } as AnyContext;
        const outcome = runCheck(p.check, ctx, deps.logger, deps.catalogue.denialHint);
        // A reported check's refusal is not a broken setup: `skip`, its fix optional.
        return p.requirement === 'required' ? outcome : outcome.then((o) => asReported(o, p.check));
      },
    };
  });
}

/** Runs one check, turning whatever AWS threw into a verdict through the one classifier. */
export async function runCheck(
  check: AnyCheck,
  ctx: AnyContext,
  logger: Logger,
  /** What the check's scope adds to a refusal's hint (Catalogue.denialHint). */
  scopeHint?: Catalogue['denialHint'],
): Promise<Outcome> {
  try {
    // The planner pairs each check only with targets of its own scope.
    return await (check.run as (c: AnyContext) => Promise<Outcome>)(ctx);
  } catch (err) {
    // With a role, every call is signed by this service or by the session STS just issued to
    // it: a rejected signature or token is ours. A key pair's is the customer's to fix.
    const credentials = ctx.principalTarget.credentials.type === 'role' ? 'verifier' : 'customer';
    const c = classify(err, { credentials });
    if (c.kind === 'denied') return denialOutcome(check, ctx, c, scopeHint);
    if (!c.info.httpStatus && !c.ours && !(err instanceof Error && /Timeout|Abort/.test(err.name))) {
      // Neither an AWS answer nor a network fault we know: log it whole, it may be our defect.
      logger.error('check threw', { check: check.id, error: err as Error });
    }
    const outcome: Outcome = {
      status: 'error',
      message: `Inconclusive: ${c.info.code}. ${c.hint ?? 'AWS did not give a usable answer.'}`,
      error: c.info,
    };
    if (c.hint) outcome.hint = c.hint;
    return outcome;
  }
}
