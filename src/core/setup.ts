import { grantsOf } from '../checks/index.ts';
import { clusterArn, dbUserArn, planRedshiftTargets } from '../checks/redshift/redshift.ts';
import { listBucketsGrant } from '../checks/s3/list-buckets.ts';
import { s3BucketArn, s3ObjectsArn } from './arn.ts';
import { IAM_INLINE_ROLE_POLICY_LIMIT, iamPolicySize, roleTemplate } from './cloudformation.ts';
import type * as contract from './contract.ts';
import { planChecks } from './plan.ts';
import { policyOf, statementsOf, trustPolicy } from './policy.ts';
import { type Profile, requirementFor } from './profiles.ts';
import type { Partition, Region } from './regions.ts';
import { planKmsTargets, planTargets } from './targets.ts';
import type {
  BucketInput,
  BucketTarget,
  PolicyDocument,
  RedshiftInput,
  RedshiftTarget,
  Target,
} from './types.ts';

export interface SetupRequest {
  tenantId: string;
  externalId: string;
  vendorPrincipalArn: string;
  partition: Partition;
  profile?: Profile;
  buckets: BucketInput[];
  redshift?: RedshiftInput[];
  /** Where a Redshift target without a region is: the service's region. */
  serviceRegion?: Region;
  egressAddresses?: readonly string[];
  /** Generate the role Redshift assumes for COPY/UNLOAD, under this name (seed 002). */
  copyRole?: string;
}

/** Seed 002's COPY role: Redshift in the clusters' region, for the product's db users only. */
export interface CopyRole {
  roleName: string;
  roleArn: string;
  trustPolicy: PolicyDocument;
  permissionPolicy: PolicyDocument;
}

/** GET /setup's answer, as the contract defines it (src/core/contract.ts). */
export type SetupAnswer = contract.SetupAnswer;

export type TrustUpdate = NonNullable<SetupAnswer['trustUpdate']>;

/** What a tenant that renewed its external ID must change, and what fails until it does. */
export function trustUpdate(previousExternalId: string, externalId: string): TrustUpdate {
  return {
    previousExternalId,
    externalId,
    message:
      `Your external ID is now ${externalId}. Update the role's trust policy: its sts:ExternalId condition ` +
      `must name ${externalId} instead of ${previousExternalId}. Until it does, verifications and the ` +
      'scheduled re-verification of your saved connections cannot assume the role.',
  };
}

/**
 * What a tenant must create, from the same planner that verifies it: the permission policy is
 * the union of the grants of every check a verification of these resources would run.
 */
export function setupFor(req: SetupRequest): SetupAnswer {
  const buckets = planTargets(req.buckets, req.partition);
  const warehouses = planRedshiftTargets(
    req.redshift ?? [],
    req.partition,
    req.serviceRegion ?? 'us-east-1',
    undefined,
  );
  const copyRole = req.copyRole ? copyRoleFor(req.copyRole, warehouses, buckets, req.partition) : undefined;
  for (const w of warehouses) if (copyRole && w.cluster) w.copyRoleArn = copyRole.roleArn;
  const targets: Target[] = [
    ...buckets,
    // The keys the buckets name: what S3 asks of them on the caller's behalf.
    ...planKmsTargets([], buckets),
    ...warehouses,
  ];
  const grants = planChecks(targets, req.profile, 'onboarding').flatMap((p) =>
    grantsOf(p.check, p.target).filter((g) => !g.sessionOnly && !g.trust),
  );
  // A bucket picker's ListBuckets is granted only where the profile asks for it.
  if (requirementFor('s3.list-buckets', req.profile) !== 'off') grants.push(listBucketsGrant(req.partition));
  // The COPY role this answer generates can be checked attached (Describe) and its trust read
  // (GetRole): what redshift.copy-role needs to say more than "not tested".
  for (const w of copyRole ? warehouses : []) {
    if (!w.cluster) continue;
    grants.push({ actions: ['redshift:DescribeClusters'], resources: [clusterArn(w)] });
  }
  if (copyRole) grants.push({ actions: ['iam:GetRole'], resources: [copyRole.roleArn] });
  const trust = trustPolicy(req.vendorPrincipalArn, req.externalId);
  const permission = policyOf(statementsOf(grants));
  return {
    tenantId: req.tenantId,
    externalId: req.externalId,
    vendorPrincipal: req.vendorPrincipalArn,
    ...(req.profile ? { profile: req.profile.name } : {}),
    trustPolicy: trust,
    permissionPolicy: permission,
    ...(req.egressAddresses?.length ? { network: { egressAddresses: [...req.egressAddresses] } } : {}),
    ...(copyRole ? { copyRole } : {}),
    cloudFormation: { template: roleTemplate(trust, permission, copyRole) },
    warnings: policyWarnings(permission),
  };
}

/**
 * Seed 002's two restrictions: the trust admits Redshift only in the clusters' regions
 * (`redshift.<region>.amazonaws.com`) and only for the product's db users (`sts:ExternalId`
 * = their ARNs); the role reads the staging buckets under their prefixes, nothing else.
 */
function copyRoleFor(
  name: string,
  warehouses: readonly RedshiftTarget[],
  buckets: readonly BucketTarget[],
  partition: Partition,
): CopyRole {
  const clusters = warehouses.filter((w) => w.cluster);
  const account = clusters[0]?.account ?? 'ACCOUNT_ID';
  const regions = [...new Set(clusters.map((c) => c.region))];
  const trust = policyOf([
    {
      Effect: 'Allow',
      Principal: { Service: regions.map((r) => `redshift.${r}.amazonaws.com`) },
      Action: 'sts:AssumeRole',
      Condition: { StringLike: { 'sts:ExternalId': [...new Set(clusters.map(dbUserArn))] } },
    },
  ]);
  const read = buckets.flatMap((b) => [
    { actions: ['s3:GetObject'], resources: [s3ObjectsArn(b.partition, b.bucket, b.prefix)] },
    {
      actions: ['s3:ListBucket'],
      resources: [s3BucketArn(b.partition, b.bucket)],
      ...(b.prefix ? { condition: { StringLike: { 's3:prefix': [`${b.prefix}*`] } } } : {}),
    },
  ]);
  return {
    roleName: name,
    roleArn: `arn:${partition}:iam::${account}:role/${name}`,
    trustPolicy: trust,
    permissionPolicy: policyOf(statementsOf(read)),
  };
}

/**
 * The policy is never trimmed or widened to fit: a role that cannot hold it is said to be
 * so, and the caller splits the resources over several roles.
 */
function policyWarnings(permission: PolicyDocument): string[] {
  if (iamPolicySize(permission) <= IAM_INLINE_ROLE_POLICY_LIMIT) return [];
  return [
    `The permission policy is ${iamPolicySize(permission).toLocaleString('en-US')} characters (whitespace excluded); ` +
      `IAM allows ${IAM_INLINE_ROLE_POLICY_LIMIT.toLocaleString('en-US')} in a role's inline policies, so this role ` +
      'cannot be created as written (the CloudFormation stack would roll back). Name fewer resources per request ' +
      'and create one role for each group.',
  ];
}
