import type { PolicyJson } from './iam.ts';

/**
 * A world: accounts, principals, policies, buckets and keys, as data. Each world of the library
 * also states the request the verifier receives and the truth: what every check must say.
 */

export interface SandboxUser {
  arn: string;
  accessKeyId: string;
  secretAccessKey: string;
  active?: boolean;
  policies: PolicyJson[];
  boundary?: PolicyJson;
}

export interface SandboxRole {
  arn: string;
  /** The role's unique id (aws:userid is `<id>:<session name>`); default: derived from the ARN. */
  uniqueId?: string;
  trust: PolicyJson;
  policies: PolicyJson[];
  boundary?: PolicyJson;
}

export interface SandboxBucket {
  name: string;
  account: string;
  region: string;
  versioning?: boolean;
  /** Object Lock with a default retention: versions cannot be deleted. */
  objectLock?: boolean;
  encryption?: { algorithm: 'AES256' | 'aws:kms'; kmsKeyId?: string } | null;
  policy?: PolicyJson;
  objects?: Record<string, string>;
}

export interface SandboxKey {
  arn: string;
  state?: 'Enabled' | 'Disabled' | 'PendingDeletion';
  policy: PolicyJson;
}

/** A provisioned Redshift cluster. */
export interface SandboxCluster {
  identifier: string;
  account: string;
  region: string;
  /** Whether its endpoint accepts TCP connections from this service (default: yes). */
  reachable?: boolean;
  /** The IAM roles attached (COPY/UNLOAD), with their ApplyStatus (default in-sync). */
  iamRoles?: { arn: string; status?: string }[];
}

/** A Redshift Serverless workgroup: its ARN carries `id`, not its name. */
export interface SandboxWorkgroup {
  name: string;
  id: string;
  account: string;
  region: string;
  reachable?: boolean;
  /** Its namespace (default `<name>-ns`) and the IAM roles attached to it. */
  namespace?: { name: string; id: string; iamRoles?: string[] };
}

export interface World {
  name: string;
  description: string;
  /** The vendor's own session: what the verifier runs as (its Lambda role). */
  vendor: {
    roleArn: string;
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken: string;
    policy: PolicyJson;
  };
  users?: SandboxUser[];
  roles?: SandboxRole[];
  buckets?: SandboxBucket[];
  keys?: SandboxKey[];
  clusters?: SandboxCluster[];
  workgroups?: SandboxWorkgroup[];
  /** SCPs per account. */
  scps?: Record<string, PolicyJson[]>;
  /** Resource control policies per account: they govern that account's buckets and keys. */
  rcps?: Record<string, PolicyJson[]>;
}

/** A world of the library: the data, the request and what each check must answer. */
export interface WorldCase {
  world: (externalId: string) => World;
  /** The POST /verify body. */
  request: Record<string, unknown>;
  /** `<check id> <target>` → expected status. */
  truth: Record<string, 'pass' | 'fail' | 'warn' | 'skip' | 'error'>;
  /** The overall status the report must carry. */
  status: 'pass' | 'fail' | 'warn' | 'error';
  /** What the verifier tells the customer to change, as it should read (a pattern where it names a port). */
  fix?: string | RegExp;
}

export const VENDOR_ACCOUNT = '999988887777';
export const VENDOR_ROLE = `arn:aws:iam::${VENDOR_ACCOUNT}:role/aws-access-verifier-dev`;

/** The vendor as deployed: its Lambda role may assume any role, nothing else. */
export const vendor = (): World['vendor'] => ({
  roleArn: VENDOR_ROLE,
  accessKeyId: 'ASIAVENDORSANDBOXEXAMPLE',
  secretAccessKey: 'vendorSandboxSecretKeyEXAMPLEKEY00000000',
  sessionToken: 'vendor-sandbox-session-token-EXAMPLE',
  policy: {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::*:role/*' }],
  },
});

/** The trust policy a customer creates for this vendor: with the external ID, or (a mistake) without. */
export const vendorTrust = (externalId: string | null): PolicyJson => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: VENDOR_ROLE },
      Action: 'sts:AssumeRole',
      ...(externalId === null ? {} : { Condition: { StringEquals: { 'sts:ExternalId': externalId } } }),
    },
  ],
});
