import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Report } from './wire.ts';

/**
 * CloudWatch metrics in the Embedded Metric Format (Powertools Metrics): each call writes one
 * EMF document to stdout, which CloudWatch Logs turns into metrics. Dimensions are low
 * cardinality (status, profile, check id, outcome); tenant, verification and connection ids go
 * in metadata, searchable in the log line but never a dimension (one metric per tenant would
 * be unbounded cost). No secret reaches a metric: only ids, statuses, counts and durations.
 */

export const METRICS_NAMESPACE = 'AwsAccessVerifier';

export interface MetricValue {
  name: string;
  unit: (typeof MetricUnit)[keyof typeof MetricUnit];
  value: number;
}

export interface MetricsSink {
  emit(dimensions: Record<string, string>, values: MetricValue[], metadata?: Record<string, string>): void;
}

/**
 * Documents never share a buffer: each emit adds and publishes in one synchronous run, and
 * publishing clears the dimensions, metadata and metrics it wrote, so verifications a drift
 * worker runs at once cannot mix theirs. The instance itself is reused (building one per
 * document was a tenth of a verification's CPU), one per set of the settings Powertools reads
 * when it is built. Namespace and service come from POWERTOOLS_METRICS_NAMESPACE and
 * POWERTOOLS_SERVICE_NAME when set.
 */
export function powertoolsMetrics(serviceName = 'aws-access-verifier'): MetricsSink {
  const instances = new Map<string, Metrics>();
  const instance = () => {
    const { POWERTOOLS_METRICS_NAMESPACE: ns, POWERTOOLS_METRICS_DISABLED, POWERTOOLS_DEV } = process.env;
    const key = JSON.stringify([ns, POWERTOOLS_METRICS_DISABLED, POWERTOOLS_DEV]);
    let m = instances.get(key);
    if (!m) {
      m = new Metrics({ namespace: ns ?? METRICS_NAMESPACE, serviceName });
      instances.set(key, m);
    }
    return m;
  };
  return {
    emit(dimensions, values, metadata = {}) {
      const m = instance();
      try {
        m.addDimensions(dimensions);
        for (const [key, value] of Object.entries(metadata)) m.addMetadata(key, value);
        for (const v of values) m.addMetric(v.name, v.unit, v.value);
        m.publishStoredMetrics();
      } finally {
        // Publishing clears these too; a throw before it must not leave them to the next document.
        m.clearMetrics();
        m.clearDimensions();
        m.clearMetadata();
      }
    },
  };
}

/** A request without a profile is verified by each resource's `access`. */
export const NO_PROFILE = 'none';

/** Verifications by status and profile, with their duration; checks by id and status. */
export function recordVerification(
  sink: MetricsSink | undefined,
  report: Report,
  profile: string | undefined,
): void {
  if (!sink) return;
  const metadata = { tenantId: report.tenantId, verificationId: report.verificationId };
  sink.emit(
    { status: report.status, profile: profile ?? NO_PROFILE },
    [
      { name: 'Verifications', unit: MetricUnit.Count, value: 1 },
      { name: 'VerificationDuration', unit: MetricUnit.Milliseconds, value: report.durationMs },
    ],
    metadata,
  );
  const counts = new Map<string, { check: string; status: string; n: number }>();
  for (const c of report.checks) {
    const key = `${c.id} ${c.status}`;
    const entry = counts.get(key) ?? { check: c.id, status: c.status, n: 0 };
    entry.n += 1;
    counts.set(key, entry);
  }
  for (const { check, status, n } of counts.values()) {
    sink.emit({ check, status }, [{ name: 'Checks', unit: MetricUnit.Count, value: n }], metadata);
  }
}

/** One message of the drift queue: `verified`, `duplicate`, `gone`, `busy`, or `failed`. */
export function recordDriftRun(
  sink: MetricsSink | undefined,
  outcome: string,
  metadata: Record<string, string> = {},
): void {
  sink?.emit({ outcome }, [{ name: 'DriftRuns', unit: MetricUnit.Count, value: 1 }], metadata);
}

/** A connection whose outcome changed in a drift run, and how many of its checks moved. */
export function recordDriftChange(
  sink: MetricsSink | undefined,
  change: { to: string; checks: number },
  metadata: Record<string, string>,
): void {
  sink?.emit(
    { status: change.to },
    [
      { name: 'DriftChanges', unit: MetricUnit.Count, value: 1 },
      { name: 'DriftCheckChanges', unit: MetricUnit.Count, value: change.checks },
    ],
    metadata,
  );
}
