import type { Partition, Region } from './regions.ts';
import type { AccessKeyCredentialsInput, RoleCredentialsInput } from './wire.ts';

/** What a verification is about: the principal and the resources its checks run against. */

export type Access = 'read' | 'write' | 'readwrite';
export type KmsOperation = 'encrypt' | 'decrypt' | 'generate-data-key';

/**
 * How write and delete are judged: by writing and deleting a probe object (the default), or,
 * for customers who will not let a vendor write anything, by IAM policy simulation alone.
 */
export type ProbeMode = 'objects' | 'simulate';

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
