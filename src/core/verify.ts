import type { Logger } from '@aws-lambda-powertools/logger';
import type { AwsAccess } from './aws.ts';
import type { Catalogue } from './catalogue.ts';
import type { VerificationInfo } from './check.ts';
import { type ExecutionDeps, graphNodes, initialFacts } from './execute.ts';
import { planVerification } from './plan.ts';
import { type Mode, type ProfileRegistry, profileNamed } from './profiles.ts';
import type { Region } from './regions.ts';
import { reportOf } from './report.ts';
import { runGraph } from './runner.ts';
import { assignSessions } from './sessions.ts';
import type { Report, VerifyRequest } from './wire.ts';

export const VERIFICATION_DEADLINE_MS = 25_000;

export interface VerifyDeps {
  /** The checks and their services' hooks: the registry's (src/checks/index.ts) outside tests. */
  catalogue: Catalogue;
  aws: AwsAccess;
  logger: Logger;
  /** The service's own region: where STS is called when the request names none. */
  serviceRegion: Region;
  deadlineMs?: number;
  /** Runs the checks one at a time instead of as a graph: only the benchmark's contrast uses it. */
  oneAtATime?: boolean;
  /** The deployment's profiles; default: the built-ins. */
  profiles?: ProfileRegistry;
  /** A scheduled re-verification of a saved connection, or onboarding (the default). */
  mode?: Mode;
  /** Onboarding a connection: leave the marker drift's zero-write probe will use. */
  placeMarkers?: boolean;
  /**
   * Settles when the caller may act on the customer's resources (the tenant's rate counted
   * beside AssumeRole); every check but the identity ones waits for it, and a rejection leaves
   * them untouched (the caller discards that report).
   */
  admission?: Promise<void>;
  /** Told of each AWS call a check sends (tests: each check sends only what it declares). */
  onCall?: ExecutionDeps['onCall'];
}

/**
 * Verifies one request: plans the checks its profile requires (plan.ts), spreads them over
 * sessions (sessions.ts), runs them as a graph under one deadline (execute.ts, runner.ts), and
 * assembles the report (report.ts). Knows nothing about HTTP, nor about any one check.
 */
export async function verify(request: VerifyRequest, v: VerificationInfo, deps: VerifyDeps): Promise<Report> {
  const began = performance.now();
  const { catalogue } = deps;
  const plan = planVerification(catalogue, request, {
    profile: profileNamed(request.profile, deps.profiles),
    mode: deps.mode ?? 'onboarding',
    serviceRegion: deps.serviceRegion,
    ...(deps.placeMarkers ? { placeMarkers: true } : {}),
  });
  assignSessions(catalogue, plan, request.probe);
  const facts = initialFacts(catalogue, plan);
  const controller = new AbortController();
  const nodes = graphNodes(plan, facts, {
    catalogue,
    aws: deps.aws,
    logger: deps.logger,
    verification: v,
    signal: controller.signal,
    ...(deps.admission ? { admission: deps.admission } : {}),
    ...(deps.onCall ? { onCall: deps.onCall } : {}),
  });

  // The after-run hooks (the clean-up of stranded probes) run inside the deadline, in the time kept here.
  const deadlineMs = deps.deadlineMs ?? VERIFICATION_DEADLINE_MS;
  const settled = await runGraph(nodes, {
    deadlineMs: deadlineMs - catalogue.afterRun.reserveMs(deadlineMs),
    controller,
    logger: deps.logger,
    ...(deps.oneAtATime ? { oneAtATime: true } : {}),
  });
  const added = await catalogue.afterRun.run({
    targets: plan.resources,
    facts: facts.byTarget,
    settled,
    principal: facts.principal,
    aws: deps.aws,
    logger: deps.logger,
    untilMs: began + deadlineMs,
  });
  return reportOf(plan, settled, facts, v, { durationMs: Math.round(performance.now() - began), ...added });
}
