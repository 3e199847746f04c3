import { grantsOf } from '../checks/index.ts';
import { listBucketsGrant } from '../checks/s3-list-buckets.ts';
import { IAM_INLINE_ROLE_POLICY_LIMIT, iamPolicySize, roleTemplate } from './cloudformation.ts';
import type * as contract from './contract.ts';
import { planChecks } from './plan.ts';
import { policyOf, statementsOf, trustPolicy } from './policy.ts';
import { type Profile, requirementFor } from './profiles.ts';
import { planRedshiftTargets } from './redshift.ts';
import type { Partition, Region } from './regions.ts';
import { planKmsTargets, planTargets } from './targets.ts';
import type { BucketInput, PolicyDocument, RedshiftInput, Target } from './types.ts';

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
}

/** GET /setup's answer, as the contract defines it (src/core/contract.ts). */
export type SetupAnswer = contract.SetupAnswer;

/**
 * What a tenant must create, from the same planner that verifies it: the permission policy is
 * the union of the grants of every check a verification of these resources would run.
 */
export function setupFor(req: SetupRequest): SetupAnswer {
  const buckets = planTargets(req.buckets, req.partition);
  const targets: Target[] = [
    ...buckets,
    // The keys the buckets name: what S3 asks of them on the caller's behalf.
    ...planKmsTargets([], buckets),
    ...planRedshiftTargets(req.redshift ?? [], req.partition, req.serviceRegion ?? 'us-east-1', undefined),
  ];
  const grants = planChecks(targets, req.profile, 'onboarding').flatMap((p) =>
    grantsOf(p.check, p.target).filter((g) => !g.sessionOnly && !g.trust),
  );
  // A bucket picker's ListBuckets is granted only where the profile asks for it.
  if (requirementFor('s3.list-buckets', req.profile) !== 'off') grants.push(listBucketsGrant(req.partition));
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
    cloudFormation: { template: roleTemplate(trust, permission) },
    warnings: policyWarnings(permission),
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
