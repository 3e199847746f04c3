import type { AdminNote, Grant, ResourcePolicyFix } from './iam-documents.ts';
import type { AwsErrorInfo, CheckStatus } from './wire.ts';

/** What one check says of one target, before the report shapes it for the wire. */
export interface Outcome {
  status: CheckStatus;
  message: string;
  error?: AwsErrorInfo;
  /** A pointer at the policy that refused, or at what to look at. */
  hint?: string;
  /** Causes AWS words identically, for the customer to tell apart. */
  checklist?: string[];
  /** The grants whose absence made this fail or warn; default: the check's non-session-only grants. */
  missing?: Grant[];
  /** Set when the verdict comes from IAM policy simulation, not from a call to the resource. */
  judgedBy?: 'simulation';
  /** Set when the trust policy, not a permission policy, is what must change. */
  trustPolicyFix?: boolean;
  /** A statement for a key or bucket policy, when AWS said that policy refused (remediation.ts). */
  resourcePolicyFix?: ResourcePolicyFix[];
  /** What only an administrator can change (an SCP, a boundary, an explicit deny), as AWS named it. */
  note?: AdminNote;
  /** KMS keys S3 used for this check's own object (from the response's SSE-KMS headers). */
  kmsKeysUsed?: string[];
  remediation?: string;
}
