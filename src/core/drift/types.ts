import type { CheckStatus, OverallStatus, VerifyRequest } from '../wire.ts';

/** What a saved connection re-verifies: the request, with its secret sealed apart. */
export type ConnectionSpec = Omit<VerifyRequest, 'credentials'> & {
  credentials: { type: 'role'; roleArn: string } | { type: 'accessKey'; accessKeyId: string };
};

/** What the queue carries: references only, never a request or a secret. */
export interface DriftRef {
  tenantId: string;
  connectionId: string;
  /** The schedule's period, e.g. `2026-12-01` (daily) or `2026-12-01T10` (hourly). */
  period: string;
}

/** One verification of a connection, as history keeps it. */
export interface RunRecord {
  verificationId: string;
  period: string;
  kind: 'onboarding' | 'drift';
  status: OverallStatus;
  startedAt: string;
  durationMs: number;
  checks: { id: string; target: string; status: CheckStatus; message: string; remediation?: string }[];
}

/** A check whose status moved between two runs. */
export interface CheckChange {
  check: string;
  target: string;
  /** null: the check did not run last time. */
  from: string | null;
  to: string;
}
