import { randomUUID } from 'node:crypto';
import type { ExternalIdSecret } from '../external-id.ts';
import { recordDriftChange } from '../metrics.ts';
import { type Services, verifyForTenant } from '../service.ts';
import type { Report, VerifyRequest } from '../types.ts';
import { maskKeyId } from '../verify.ts';
import type { Sealer } from './seal.ts';
import { type ConnectionStore, checksOf, type StoredConnection } from './store.ts';
import type { CheckChange, DriftRef, RunRecord } from './types.ts';

/**
 * Saved connections and their drift runs: the use cases behind /connections and the worker.
 * Tenant in, plain objects out; nothing here knows HTTP or SQS.
 */

export interface DriftServices extends Services {
  store: ConnectionStore;
  sealer: Sealer;
  /** Days a run stays in history. */
  historyDays: number;
  /** Publishes a change event; the worker's only side effect outside the table. */
  publish?(event: ChangeEvent): Promise<void>;
}

export const CHANGE_SOURCE = 'aws-access-verifier';
export const CHANGE_DETAIL_TYPE = 'Connection Access Changed';

export interface ChangeEvent {
  tenantId: string;
  connectionId: string;
  period: string;
  verificationId: string;
  status: { from: string | null; to: string };
  changes: CheckChange[];
}

/** What any endpoint shows of a connection: never its secret, nor the worker's bookkeeping. */
export function connectionView(c: StoredConnection) {
  const credentials =
    c.request.credentials.type === 'role'
      ? c.request.credentials
      : { type: 'accessKey' as const, accessKeyId: maskKeyId(c.request.credentials.accessKeyId) };
  return {
    connectionId: c.connectionId,
    ...(c.name ? { name: c.name } : {}),
    createdAt: c.createdAt,
    request: { ...c.request, credentials },
    ...(c.lastStatus ? { lastStatus: c.lastStatus } : {}),
    ...(c.lastRunAt ? { lastRunAt: c.lastRunAt } : {}),
    ...(c.lastChecks ? { lastChecks: c.lastChecks } : {}),
  };
}

export function runOf(report: Report, period: string, kind: RunRecord['kind']): RunRecord {
  return {
    verificationId: report.verificationId,
    period,
    kind,
    status: report.status,
    startedAt: report.startedAt,
    durationMs: report.durationMs,
    checks: report.checks.map((c) => ({
      id: c.id,
      target: c.target,
      status: c.status,
      message: c.message,
      ...(c.remediation ? { remediation: c.remediation } : {}),
    })),
  };
}

/** Verifies the request, then saves it only if it verified: `pass` or `warn`. */
export async function createConnection(
  s: DriftServices,
  tenantId: string,
  secret: ExternalIdSecret,
  request: VerifyRequest,
  name?: string,
): Promise<
  | { saved: false; report: Report }
  | { saved: true; report: Report; connection: ReturnType<typeof connectionView> }
> {
  const report = await verifyForTenant(s, tenantId, secret, request, { placeMarkers: true });
  if (report.status !== 'pass' && report.status !== 'warn') return { saved: false, report };
  const connectionId = randomUUID();
  const c = request.credentials;
  const run = runOf(report, 'onboarding', 'onboarding');
  const stored: StoredConnection = {
    tenantId,
    connectionId,
    ...(name ? { name } : {}),
    createdAt: report.startedAt,
    request: {
      ...request,
      credentials: c.type === 'role' ? c : { type: 'accessKey', accessKeyId: c.accessKeyId },
    },
    lastStatus: report.status,
    lastChecks: checksOf(run),
    lastRunAt: report.startedAt,
    runState: 'done',
  };
  // Only long-term keys are saved (the handler refuses session tokens): the secret is the key's.
  if (c.type === 'accessKey') {
    stored.sealed = await s.sealer.seal(c.secretAccessKey, { tenantId, connectionId });
  }
  await s.store.create(stored);
  await s.store.addRun(tenantId, connectionId, run, s.historyDays);
  return { saved: true, report, connection: connectionView(stored) };
}

/** The request a saved connection re-verifies, its secret opened only for this run. */
async function requestOf(s: DriftServices, c: StoredConnection): Promise<VerifyRequest> {
  const { request } = c;
  if (request.credentials.type === 'role') return { ...request, credentials: request.credentials };
  if (!c.sealed) throw new Error('a key pair connection without its sealed secret');
  const secretAccessKey = await s.sealer.open(c.sealed, {
    tenantId: c.tenantId,
    connectionId: c.connectionId,
  });
  return { ...request, credentials: { ...request.credentials, secretAccessKey } };
}

/**
 * Which checks moved, from what, to what. Only the checks this run made count: one that drift
 * does not run (a destination's s3.delete) has not changed because it was not asked.
 */
export function changesBetween(before: Record<string, string> | undefined, after: RunRecord): CheckChange[] {
  const now = checksOf(after);
  return Object.entries(now)
    .filter(([k, to]) => (before?.[k] ?? null) !== to)
    .map(([k, to]) => {
      const [check = k, ...target] = k.split(' ');
      return { check, target: target.join(' '), from: before?.[k] ?? null, to };
    });
}

export type DriftOutcome = 'verified' | 'duplicate' | 'gone' | 'busy';

/**
 * One connection's run for one period: claim it (a redelivered message finds it taken),
 * verify in drift mode, keep the run, publish what changed, then mark it done. A failure
 * before `done` leaves the claim to go stale, so the message's next delivery runs it again.
 */
export async function runDrift(
  s: DriftServices,
  secret: ExternalIdSecret,
  ref: DriftRef,
  now = Date.now(),
): Promise<DriftOutcome> {
  const claim = await s.store.claim(ref, now);
  if (claim.kind !== 'claimed') return claim.kind;
  const c = claim.connection;
  const report = await verifyForTenant(s, ref.tenantId, secret, await requestOf(s, c), { mode: 'drift' });
  const run = runOf(report, ref.period, 'drift');
  await s.store.addRun(ref.tenantId, ref.connectionId, run, s.historyDays);
  const changes = changesBetween(c.lastChecks, run);
  if (changes.length > 0 || c.lastStatus !== run.status) {
    await s.publish?.({
      tenantId: ref.tenantId,
      connectionId: ref.connectionId,
      period: ref.period,
      verificationId: run.verificationId,
      status: { from: c.lastStatus ?? null, to: run.status },
      changes,
    });
    recordDriftChange(
      s.metrics,
      { to: run.status, checks: changes.length },
      { tenantId: ref.tenantId, connectionId: ref.connectionId, period: ref.period },
    );
  }
  await s.store.finish(ref.tenantId, ref.connectionId, run);
  return 'verified';
}
