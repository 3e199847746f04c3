import type * as v from 'valibot';
import type * as contract from './contract.ts';

/** IAM's documents and what AWS says of them: grants, statements, refusals, fixes. */

export type Condition = v.InferOutput<typeof contract.conditionSchema>;
export type PolicyStatement = contract.PolicyStatement;
export type PolicyDocument = contract.PolicyDocument;

/** IAM actions on resources that a check needs granted. */
export interface Grant {
  actions: readonly string[];
  resources: readonly string[];
  condition?: Condition;
  /**
   * Allowed in the session policy so the probe can use it when the bucket calls for it
   * (a versioned bucket, an SSE-KMS key), but not asked of every customer.
   */
  sessionOnly?: boolean;
  /** Granted by the role's trust policy, not by a permission policy. */
  trust?: boolean;
}

/** What an AWS refusal named, parsed from its message (classify.ts): only what AWS said. */
export interface Refusal {
  /** The action refused: not always the call's own (S3 names the KMS action behind a write). */
  action?: string;
  resource?: string;
  /** As AWS words it: `identity-based policy`, `service control policy`, ... */
  policyType?: string;
  explicitDeny: boolean;
}

/** A grant that belongs in a resource's own policy, for the principal named. */
export interface ResourcePolicyFix {
  kind: 'key' | 'bucket';
  /** The key ARN, or the bucket name. */
  resource: string;
  grant: Grant;
}

/** A refusal no statement of the customer's own can lift: the policy type and what it refused. */
export interface AdminNote {
  policyType: string;
  action?: string;
  resource?: string;
  message: string;
}
