import { randomUUID } from 'node:crypto';
import type { ExternalIdSecret } from '../external-id.ts';
import { recordDriftChange } from '../metrics.ts';
import { maskKeyId } from '../principal.ts';
import { type AppDeps, verifyForTenant } from '../tenant-use-cases.ts';
import type { Report, VerifyRequest } from '../wire.ts';
import type { Sealer } from './seal.ts';
import { type Claim, type ConnectionStore, checksOf, type StoredConnection } from './store.ts';
import type { CheckChange, DriftRef, RunRecord } from './types.ts';

/**
 * Saved connections and their drift runs: the use cases behind /connections and the worker.
 * Tenant in, plain objects out; nothing here knows HTTP or SQS.
 */

export interface DriftDeps extends AppDeps {
  store: ConnectionStore;
  sealer: Sealer;
  /** Days a run stays in history. */
  historyDays: number;
  /** Publishes a change event; the worker's only side effect outside the table. */
  publish?(event: ChangeEvent): Promise<void>;
  /** The worker's clock (epoch ms): the fault soak runs it faster than the wall's. */
  now?: () => number;
}

/**
 * EventBridge answered and refused the event (an error response, or a failed entry): it was
 * not published, so it may be sent again. Any other failure (a time-out) leaves it unknown.
 */
export class EventNotPublished extends Error {
  override name = 'EventNotPublished';
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
  s: DriftDeps,
  tenantId: string,
  secret: ExternalIdSecret,
  request: VerifyRequest,
  name?: string,
  /** The tenant's rate counted beside AssumeRole (VerifyDeps.admission): refused, nothing is saved. */
  admission?: Promise<void>,
): Promise<
  | { saved: false; report: Report }
  | { saved: true; report: Report; connection: ReturnType<typeof connectionView> }
> {
  const report = await verifyForTenant(s, tenantId, secret, request, {
    placeMarkers: true,
    ...(admission ? { admission } : {}),
  });
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
async function requestOf(s: DriftDeps, c: StoredConnection): Promise<VerifyRequest> {
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

export type DriftOutcome = 'verified' | 'duplicate' | 'superseded' | 'gone' | 'busy';

/**
 * One connection's run for one period, at most once in any order of delivery: claim it (a
 * redelivery finds it taken, a late older period finds a later one), verify in drift mode,
 * keep the run keyed by its period, publish what changed, then mark it done. A failure before
 * `done` gives the claim up (a worker that died leaves it to go stale: `STALE_CLAIM_MS`), and the
 * delivery that takes it over reuses the run
 * already kept (no second verification, no second history entry) and publishes only if no
 * earlier delivery claimed the period's event: the event key is claimed before PutEvents,
 * confirmed after it, and given back only when EventBridge refused the event; a period is not
 * finished while another delivery is still publishing its event.
 */
export async function runDrift(
  s: DriftDeps,
  secret: ExternalIdSecret,
  ref: DriftRef,
  now = s.now?.() ?? Date.now(),
): Promise<DriftOutcome> {
  const claim = await s.store.claim(ref, now);
  if (claim.kind !== 'claimed') return claim.kind;
  try {
    return await runClaimed(s, secret, ref, claim, now);
  } catch (err) {
    // This worker is alive and knows its run failed: the next delivery need not wait for staleness.
    await s.store.release(ref.tenantId, ref.connectionId, claim.token).catch(() => undefined);
    throw err;
  }
}

async function runClaimed(
  s: DriftDeps,
  secret: ExternalIdSecret,
  ref: DriftRef,
  claim: Extract<Claim, { kind: 'claimed' }>,
  now: number,
): Promise<DriftOutcome> {
  const c = claim.connection;
  const { tenantId, connectionId, period } = ref;
  // Only a takeover can find the period's run kept: a first claim costs no read.
  let run = claim.takeover ? await s.store.run(tenantId, connectionId, period) : undefined;
  if (!run) {
    const report = await verifyForTenant(s, tenantId, secret, await requestOf(s, c), { mode: 'drift' });
    run = runOf(report, period, 'drift');
    // Kept already by a takeover racing this delivery: the run kept is the one that counts.
    if (!(await s.store.addRun(tenantId, connectionId, run, s.historyDays)))
      run = (await s.store.run(tenantId, connectionId, period)) ?? run;
  }
  const changes = changesBetween(c.lastChecks, run);
  if ((changes.length > 0 || c.lastStatus !== run.status) && s.publish) {
    const token = randomUUID();
    const event = await s.store.claimEvent(tenantId, connectionId, period, token, now);
    if (event === 'pending') {
      // Another delivery (one that outlived its claim) is publishing it: finish once it has.
      await s.store.release(tenantId, connectionId, claim.token);
      return 'busy';
    }
    if (event === 'claimed') {
      try {
        await s.publish({
          tenantId,
          connectionId,
          period,
          verificationId: run.verificationId,
          status: { from: c.lastStatus ?? null, to: run.status },
          changes,
        });
      } catch (err) {
        if (err instanceof EventNotPublished)
          await s.store.releaseEvent(tenantId, connectionId, period, token);
        throw err;
      }
      await s.store.confirmEvent(tenantId, connectionId, period, token);
      recordDriftChange(
        s.metrics,
        { to: run.status, checks: changes.length },
        { tenantId, connectionId, period },
      );
    }
    // `stale`: a delivery died publishing it; EventBridge may have it, so it is not sent again.
    if (event === 'stale') s.logger.warn('change event left unconfirmed by a worker that died', { ...ref });
  }
  const finished = await s.store.finish(tenantId, connectionId, run, claim.token);
  // Taken over while it ran (it outlived its claim): the delivery holding the claim finishes.
  if (finished === 'lost') return 'duplicate';
  if (finished === 'gone') {
    // Deleted while it ran: DELETE swept the history before this run was kept, or will not see it.
    await s.store.removeRun(tenantId, connectionId, period);
    return 'gone';
  }
  return 'verified';
}
