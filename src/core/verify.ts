import type { Logger } from '@aws-lambda-powertools/logger';
import { iamSimulate } from '../checks/iam/simulate.ts';
import { type AnyCheck, grantsOf } from '../checks/index.ts';
import { planRedshiftTargets, sessionNameFor } from '../checks/redshift/redshift.ts';
import { settleBuckets } from '../checks/s3/bucket-owner.ts';
import { cleanupReserveMs, removeStrandedProbes } from '../checks/s3/stranded.ts';
import { parseRoleArn } from './arn.ts';
import { classify } from './classify.ts';
import { resourceGates } from './gates.ts';
import { planChecks } from './plan.ts';
import { planSessions } from './policy.ts';
import { type Mode, type ProfileRegistry, profileNamed, requirementFor } from './profiles.ts';
import { partitionOfRegion, type Region } from './regions.ts';
import { asReported, denialOutcome, type Listed, remediationOf } from './remediation.ts';
import { type GraphNode, runGraph } from './runner.ts';
import { planKmsTargets, planTargets } from './targets.ts';
import type {
  AwsAccess,
  BucketFacts,
  BucketTarget,
  CheckContext,
  CheckResult,
  KmsFacts,
  KmsTarget,
  Need,
  Outcome,
  OverallStatus,
  PrincipalFacts,
  PrincipalTarget,
  RedshiftFacts,
  RedshiftTarget,
  Report,
  Target,
  VerificationInfo,
  VerifyRequest,
} from './types.ts';

export const VERIFICATION_DEADLINE_MS = 25_000;

export interface VerifyDeps {
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
}

export type AnyContext =
  | CheckContext<'bucket'>
  | CheckContext<'principal'>
  | CheckContext<'kms'>
  | CheckContext<'redshift'>;

/**
 * Verifies one request: plans the checks its profile requires, runs them as a graph under one
 * deadline, and assembles the report. Knows nothing about HTTP.
 */
export async function verify(request: VerifyRequest, v: VerificationInfo, deps: VerifyDeps): Promise<Report> {
  const began = performance.now();
  const profile = profileNamed(request.profile, deps.profiles);
  const region = request.region ?? deps.serviceRegion;
  const principalTarget = principalOf(request, region);
  const buckets = planTargets(request.s3 ?? [], principalTarget.partition, request.region, region);
  const keys = planKmsTargets(request.kms ?? [], buckets);
  const warehouses = planRedshiftTargets(
    request.redshift ?? [],
    principalTarget.partition,
    region,
    principalTarget.account,
  );
  /** Every target that runs in a session of its own choosing: buckets, keys, then Redshift. */
  const resources: (BucketTarget | KmsTarget | RedshiftTarget)[] = [...buckets, ...keys, ...warehouses];

  const mode = deps.mode ?? 'onboarding';
  // No-write verification: write and delete are judged by policy simulation, nothing is written.
  if (request.probe === 'simulate') for (const b of buckets) b.probe = 'simulate';
  for (const b of buckets) {
    if (b.probe === 'simulate') continue;
    // Where drift may not delete (seed 001's destinations), write access is proven on a marker.
    const driftDeletes = requirementFor('s3.delete', profile, b.access, 'drift') !== 'off';
    const driftWrites = requirementFor('s3.write', profile, b.access, 'drift') !== 'off';
    if (driftWrites && !driftDeletes) {
      if (mode === 'drift') b.marker = 'probe';
      else if (deps.placeMarkers) b.marker = 'place';
    }
  }
  const planned = planChecks([principalTarget, ...resources], profile, mode);

  // The session policy allows exactly what the planned checks call.
  if (principalTarget.credentials.type === 'role') {
    const perTarget = resources.map((r) =>
      planned.filter((p) => p.target === r).flatMap((p) => grantsOf(p.check, r)),
    );
    const names = resources.map((r) => (r.kind === 'redshift' ? sessionNameFor(r) : undefined));
    // The principal's own checks (simulation, ListBuckets) run in a session that allows their calls too.
    const own = planned
      .filter((p) => p.target === principalTarget)
      .flatMap((p) => grantsOf(p.check, principalTarget))
      .filter((g) => !g.trust);
    if (request.probe === 'simulate' && !planned.some((p) => p.check.id === 'iam.simulate'))
      own.push(...grantsOf(iamSimulate, principalTarget));
    if (own.length) {
      perTarget.push(own);
      // Beside the first target, whatever its session name: no extra session when they fit.
      names.push(names[0]);
    }
    const sessions = planSessions(perTarget, principalTarget.partition, names);
    if (own.length) principalTarget.session = sessions.sessionOf[resources.length] ?? 0;
    principalTarget.sessionPolicies = sessions.policies;
    if (sessions.names.some(Boolean)) principalTarget.sessionNames = sessions.names;
    resources.forEach((r, i) => {
      r.session = sessions.sessionOf[i] ?? 0;
    });
  }

  const principal: PrincipalFacts = { sessions: [], needs: needsOf(planned) };
  const facts = new Map<string, BucketFacts | KmsFacts | RedshiftFacts>([
    ...buckets.map(
      (b) => [b.key, { region: b.initialRegion, regionKnown: false, ownerConfirmed: false }] as const,
    ),
    ...keys.map((k) => [k.key, {}] as const),
    ...warehouses.map((w) => [w.key, {}] as const),
  ]);
  const bucketFacts = facts as Map<string, BucketFacts>;
  const controller = new AbortController();
  const gates = resourceGates(planned);

  const nodes: GraphNode[] = planned.map((p) => {
    const own = p.check.dependsOn.map((d) => ({
      key: `${d.id}@${p.target.key}`,
      name: d.id,
      kind: d.kind,
    }));
    // The identity checks gate the rest; the principal's other checks (simulation, ListBuckets)
    // act in the customer's account, so they wait behind the same gates as the resources.
    const identityCheck = p.target.kind === 'principal' && p.check.id.startsWith('sts.');
    const waits = identityCheck ? own : [...gates, ...own];
    return {
      key: p.key,
      name: p.check.id,
      deps: waits,
      run: (outcomeOf) => {
        const ctx = {
          target: p.target,
          facts: p.target.kind === 'principal' ? principal : facts.get(p.target.key),
          principal,
          principalTarget,
          verification: v,
          aws: deps.aws,
          signal: controller.signal,
          logger: deps.logger,
          outcomeOf: (id, targetKey) => outcomeOf(`${id}@${targetKey ?? p.target.key}`),
        } as AnyContext;
        const outcome = runCheck(p.check, ctx, deps.logger);
        // A reported check's refusal is not a broken setup: `skip`, its fix optional.
        return p.requirement === 'required' ? outcome : outcome.then((o) => asReported(o, p.check));
      },
    };
  });

  // The clean-up of stranded probes runs inside the deadline, in the time kept for it here.
  const deadlineMs = deps.deadlineMs ?? VERIFICATION_DEADLINE_MS;
  const settled = await runGraph(nodes, {
    deadlineMs: deadlineMs - cleanupReserveMs(deadlineMs),
    controller,
    ...(deps.oneAtATime ? { oneAtATime: true } : {}),
  });
  const stranded = await removeStrandedProbes(
    buckets,
    bucketFacts,
    settled,
    principal,
    deps,
    began + deadlineMs,
  );
  settleBuckets(buckets, bucketFacts, settled, principal);

  const checks: CheckResult[] = [];
  const listed: Listed[] = [];
  // The report reads target by target: the identity first, then each bucket's checks in catalogue order.
  const targetOrder = (t: Target) => (t.kind === 'principal' ? -1 : resources.indexOf(t));
  const inReportOrder = [...planned].sort((a, b) => targetOrder(a.target) - targetOrder(b.target));
  for (const p of inReportOrder) {
    if (p.requirement === 'off') continue;
    const s = settled.get(p.key);
    if (!s) continue;
    const { outcome } = s;
    const grants = grantsOf(p.check, p.target);
    const shown = grants.filter((g) => !g.sessionOnly || p.check.id === 's3.bucket-region');
    const result: CheckResult = {
      id: p.check.id,
      target: p.target.label,
      status: outcome.status,
      required: p.requirement === 'required',
      actions: [...new Set(shown.flatMap((g) => g.actions))],
      resources: [...new Set(shown.flatMap((g) => g.resources))],
      durationMs: s.durationMs,
      message: outcome.message,
    };
    if (outcome.error) result.error = outcome.error;
    if (outcome.hint) result.hint = outcome.hint;
    if (outcome.checklist) result.checklist = outcome.checklist;
    if (outcome.remediation) result.remediation = outcome.remediation;
    if (outcome.judgedBy) result.judgedBy = outcome.judgedBy;
    checks.push(result);
    listed.push({ id: result.id, target: result.target, required: result.required, outcome });
  }

  const report: Report = {
    verificationId: v.id,
    tenantId: v.tenantId,
    status: overall(checks),
    startedAt: v.startedAt.toISOString(),
    durationMs: Math.round(performance.now() - began),
    checks,
    remediation: remediationOf(
      listed,
      v,
      principalTarget.credentials.type === 'role' ? principalTarget.credentials.roleArn : principal.arn,
    ),
  };
  if (principal.account || principal.arn) {
    report.principal = {
      ...(principal.account ? { account: principal.account } : {}),
      ...(principal.arn ? { arn: principal.arn } : {}),
    };
  }
  if (stranded.length) report.strandedProbes = stranded;
  return report;
}

/** What every planned check needs granted, for iam.simulate to ask IAM about (its own grant aside). */
function needsOf(planned: readonly { check: AnyCheck; target: Target }[]): Need[] {
  return planned
    .filter((p) => p.check.id !== 'iam.simulate')
    .flatMap((p) =>
      grantsOf(p.check, p.target)
        .filter((g) => !g.sessionOnly && !g.trust)
        .map((grant) => ({ check: p.check.id, targetKey: p.target.key, targetLabel: p.target.label, grant })),
    );
}

/** Runs one check, turning whatever AWS threw into a verdict through the one classifier. */
export async function runCheck(check: AnyCheck, ctx: AnyContext, logger: Logger): Promise<Outcome> {
  try {
    // The planner pairs each check only with targets of its own scope.
    return await (check.run as (c: AnyContext) => Promise<Outcome>)(ctx);
  } catch (err) {
    // With a role, every call is signed by this service or by the session STS just issued to
    // it: a rejected signature or token is ours. A key pair's is the customer's to fix.
    const credentials = ctx.principalTarget.credentials.type === 'role' ? 'service' : 'customer';
    const c = classify(err, { credentials });
    if (c.kind === 'denied') return denialOutcome(check, ctx, c);
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

function overall(checks: CheckResult[]): OverallStatus {
  const required = checks.filter((c) => c.required);
  if (required.some((c) => c.status === 'fail')) return 'fail';
  if (required.some((c) => c.status === 'error')) return 'error';
  if (checks.some((c) => c.status === 'warn')) return 'warn';
  return 'pass';
}

function principalOf(request: VerifyRequest, region: Region): PrincipalTarget {
  const c = request.credentials;
  if (c.type === 'role') {
    const role = parseRoleArn(c.roleArn);
    if (!role) throw new Error('role ARN not validated');
    return {
      kind: 'principal',
      key: 'principal',
      label: c.roleArn,
      partition: role.partition,
      region,
      credentials: c,
      account: role.account,
      sessionPolicies: [],
    };
  }
  return {
    kind: 'principal',
    key: 'principal',
    label: maskKeyId(c.accessKeyId),
    partition: partitionOfRegion(region) ?? 'aws',
    region,
    credentials: c,
    sessionPolicies: [],
  };
}

/** The access key id is not a secret, but the report needs only enough of it to recognise. */
export const maskKeyId = (id: string) => `${id.slice(0, 4)}…${id.slice(-4)}`;
