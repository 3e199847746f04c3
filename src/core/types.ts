import type { IAMClient } from '@aws-sdk/client-iam';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { RedshiftClient } from '@aws-sdk/client-redshift';
import type { RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import type { S3Client } from '@aws-sdk/client-s3';
import type { STSClient } from '@aws-sdk/client-sts';
import type * as v from 'valibot';
import type { CheckId } from '../checks/index.ts';
import type * as contract from './contract.ts';
import type { Partition, Region } from './regions.ts';
import type { verifyRequestSchema } from './request.ts';

/*
 * What crosses the API is defined once, as valibot schemas (request.ts for requests,
 * contract.ts for responses); these names are the types inferred from them.
 */

export type CheckStatus = v.InferOutput<typeof contract.checkStatusSchema>;
export type OverallStatus = v.InferOutput<typeof contract.overallStatusSchema>;
export type Requirement = 'required' | 'reported' | 'off';
export type Access = 'read' | 'write' | 'readwrite';

/** Every check's id: the registry's (src/checks/index.ts), so a new check brings its own. */
export type { CheckId };

export type KmsOperation = 'encrypt' | 'decrypt' | 'generate-data-key';

export type Condition = Record<string, Record<string, string | string[]>>;

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

/** What AWS said, as far as a caller may see it. */
export type AwsErrorInfo = contract.AwsErrorInfo;

/**
 * How write and delete are judged: by writing and deleting a probe object (the default), or,
 * for customers who will not let a vendor write anything, by IAM policy simulation alone.
 */
export type ProbeMode = 'objects' | 'simulate';

/** A validated POST /verify body. */
export type VerifyRequest = v.InferOutput<typeof verifyRequestSchema>;
export type RoleCredentialsInput = Extract<VerifyRequest['credentials'], { type: 'role' }>;
export type AccessKeyCredentialsInput = Extract<VerifyRequest['credentials'], { type: 'accessKey' }>;
export type BucketInput = NonNullable<VerifyRequest['s3']>[number];
export type KmsInput = NonNullable<VerifyRequest['kms']>[number];
/** `accountId`: the account of the cluster; default: the principal's. */
export type RedshiftInput = NonNullable<VerifyRequest['redshift']>[number];

export interface PrincipalTarget {
  kind: 'principal';
  key: string;
  /** Shown in the report: the role ARN, or the access key id with its middle masked. */
  label: string;
  partition: Partition;
  region: Region;
  credentials: RoleCredentialsInput | AccessKeyCredentialsInput;
  /** Account from the role ARN; for a key pair it is learnt from GetCallerIdentity. */
  account?: string;
  /** One session policy per AssumeRole session; buckets are spread over them. */
  sessionPolicies: string[];
  /** A session name a session must carry (a Redshift db user), by session; else the vendor's own. */
  sessionNames?: (string | undefined)[];
  /** The session whose policy carries the principal checks' own grants (default 0). */
  session?: number;
}

export interface BucketTarget {
  kind: 'bucket';
  key: string;
  /** `s3://bucket/prefix` */
  label: string;
  partition: Partition;
  bucket: string;
  prefix: string;
  access: Access;
  /** The region the caller named for this bucket, if any. */
  declaredRegion?: Region;
  /** Where to look first: the declared region, else the request's. */
  initialRegion: Region;
  expectedBucketOwner?: string;
  kmsKeyArn?: string;
  /** Index into the principal's session policies. */
  session: number;
  /**
   * The marker object a destination keeps for drift: `place` it after onboarding's write
   * probe, or `probe` it (the zero-write probe) instead of writing and deleting a probe.
   */
  marker?: 'place' | 'probe';
  /** `simulate`: write and delete are judged by IAM policy simulation; nothing is written. */
  probe?: ProbeMode;
}

export interface KmsTarget {
  kind: 'kms';
  key: string;
  /** The key ARN. */
  label: string;
  partition: Partition;
  region: Region;
  keyArn: string;
  operations: KmsOperation[];
  /** Buckets whose objects S3 encrypts with this key (target key, and the label a message names): their probes exercise it through S3. */
  viaBuckets: { key: string; label: string }[];
  /** Index into the principal's session policies. */
  session: number;
}

export interface RedshiftTarget {
  kind: 'redshift';
  key: string;
  /** `redshift://cluster/db?user=u` or `redshift-serverless://workgroup/db`. */
  label: string;
  partition: Partition;
  region: Region;
  /** The account the ARNs name: the request's, else the role's (a key pair's is learnt too late to scope). */
  account?: string;
  cluster?: { identifier: string; dbUser: string; dbGroups: string[] };
  /** `arn` is learnt from GetWorkgroup during the run; until then the session policy names any workgroup. */
  workgroup?: { name: string; arn?: string };
  dbName?: string;
  /** The role Redshift assumes for COPY/UNLOAD, to be found attached to the cluster or namespace. */
  copyRoleArn?: string;
  /** Index into the principal's session policies. */
  session: number;
}

export type Target = PrincipalTarget | BucketTarget | KmsTarget | RedshiftTarget;
export type Scope = Target['kind'];
export type TargetOf<S extends Scope> = Extract<Target, { kind: S }>;

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

export interface VerificationInfo {
  id: string;
  tenantId: string;
  externalId: string;
  vendorName: string;
  vendorPrincipalArn: string;
  startedAt: Date;
  /** The addresses this service connects from, as the vendor configured them (for IP allowlists). */
  egressAddresses: readonly string[];
  /** What a role that does not enforce the external ID gets: `fail` unless the profile lowers it. */
  externalIdNotEnforced: 'fail' | 'warn';
}

/** The AWS clients a check may use, built per verification from the session it belongs to. */
export interface AwsAccess {
  /** STS with the service's own credentials (to assume the customer's role), or with a key pair. */
  sts(region: Region, credentials?: TemporaryCredentials): STSClient;
  s3(region: Region, credentials: TemporaryCredentials): S3Client;
  kms(region: Region, credentials: TemporaryCredentials): KMSClient;
  /** Asynchronous: the Redshift and IAM clients are loaded on first use (src/core/aws.ts). */
  redshift(region: Region, credentials: TemporaryCredentials): Promise<RedshiftClient>;
  redshiftServerless(region: Region, credentials: TemporaryCredentials): Promise<RedshiftServerlessClient>;
  /** IAM is global: `region` is the partition's signing region (us-east-1 for aws). */
  iam(region: Region, credentials: TemporaryCredentials): Promise<IAMClient>;
  /** Opens and closes a TCP connection: resolves when it connected, rejects with the socket's error. */
  connect(host: string, port: number, signal: AbortSignal): Promise<void>;
}

export type CheckResult = contract.CheckResult;
/** Where each fix goes (docs/verify-api.md, "Report"); optional fields only when non-empty. */
export type Remediation = contract.Remediation;
export type Report = contract.Report;
