import type { Grant } from './iam-documents.ts';
import type { Outcome } from './outcome.ts';
import type { Region } from './regions.ts';
import type { CheckId } from './wire.ts';

/** What the checks of one verification learn and pass on to each other, by target. */

export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** What the identity checks learn, shared with every other check of the verification. */
export interface PrincipalFacts {
  account?: string;
  arn?: string;
  /** Credentials per session (index as in PrincipalTarget.sessionPolicies). Never logged or returned. */
  sessions: TemporaryCredentials[];
  /** What the planned checks need granted, for policy simulation to ask about. */
  needs?: Need[];
  /** The one SimulatePrincipalPolicy run of this verification, shared by whoever asks first. */
  simulation?: Promise<SimulationResult>;
}

/** One check's grant on one target, as iam.simulate asks IAM about it. */
export interface Need {
  check: CheckId;
  targetKey: string;
  targetLabel: string;
  grant: Grant;
}

export type SimDecision = 'allowed' | 'explicitDeny' | 'implicitDeny';

/** What simulation said: a decision per action and exact resource, or why it could not run. */
export type SimulationResult =
  | { ok: true; source: string; decisions: Map<string, SimDecision> }
  | { ok: false; source?: string; outcome: Outcome };

export interface ProbeObject {
  key: string;
  versionId?: string;
  sha256: string;
}

/** What the checks of one bucket learn and pass on to each other. */
export interface BucketFacts {
  region: Region;
  regionKnown: boolean;
  ownerConfirmed: boolean;
  expectedOwner?: string;
  listing?: { keyCount: number; firstKey?: string };
  encryption?: { algorithm: string; kmsKeyId?: string; bucketKeyEnabled?: boolean } | null;
  probe?: ProbeObject;
  /** The sweep of earlier runs' leftovers s3.list started (s3/sweep.ts): what s3.delete reports of it. */
  sweep?: Promise<string>;
}

/** What the KMS checks of one key pass on: a ciphertext for Decrypt to open. Never logged. */
export interface KmsFacts {
  ciphertext?: { blob: Uint8Array; plaintextSha256?: string; from: 'kms.encrypt' | 'kms.generate-data-key' };
  /** DescribeKey's answer, asked once when an operation fails. */
  state?: Promise<string | undefined>;
}

/** What the Redshift checks of one target pass on. Credentials issued are never kept. */
export interface RedshiftFacts {
  /** The workgroup's ARN (it carries an id only GetWorkgroup tells). */
  workgroupArn?: string;
  /** Where the database listens, from DescribeClusters or GetWorkgroup. */
  endpoint?: { host: string; port: number };
  /** Why the endpoint is not known, for redshift.reachable to say. */
  endpointUnknown?: string;
  /** The IAM roles DescribeClusters says are attached to the cluster, with their ApplyStatus. */
  attachedRoles?: { arn: string; status?: string }[];
  /** The workgroup's namespace, from GetWorkgroup (GetNamespace lists its roles). */
  namespaceName?: string;
  /** The one DescribeClusters / GetWorkgroup of this target, shared by its checks. */
  lookup?: Promise<void>;
}

export interface FactsOf {
  principal: PrincipalFacts;
  bucket: BucketFacts;
  kms: KmsFacts;
  redshift: RedshiftFacts;
}
