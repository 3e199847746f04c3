import type { VerificationInfo } from './check.ts';
import { grantsOf } from './check.ts';
import type { VerificationFacts } from './execute.ts';
import type { VerificationPlan } from './plan.ts';
import { type Listed, remediationOf } from './remediation.ts';
import type { Settled } from './runner.ts';
import type { Target } from './targets.ts';
import type { CheckResult, OverallStatus, Report } from './wire.ts';

/** The report: every listed check in report order, the overall status and where each fix goes. */
export function reportOf(
  plan: VerificationPlan,
  settled: ReadonlyMap<string, Settled>,
  facts: VerificationFacts,
  v: VerificationInfo,
  extra: Pick<Report, 'durationMs' | 'strandedProbes'>,
): Report {
  const { principalTarget, resources, planned } = plan;
  const { principal } = facts;
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
    const shown = grants.filter((g) => !g.sessionOnly || p.check.showsSessionOnlyGrants);
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
    durationMs: extra.durationMs,
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
  if (extra.strandedProbes?.length) report.strandedProbes = extra.strandedProbes;
  return report;
}

function overall(checks: CheckResult[]): OverallStatus {
  const required = checks.filter((c) => c.required);
  if (required.some((c) => c.status === 'fail')) return 'fail';
  if (required.some((c) => c.status === 'error')) return 'error';
  if (checks.some((c) => c.status === 'warn')) return 'warn';
  return 'pass';
}
