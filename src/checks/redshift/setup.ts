import { s3BucketArn, s3ObjectsArn } from '../../core/arn.ts';
import type { CopyRole } from '../../core/catalogue.ts';
import type { Grant } from '../../core/iam-documents.ts';
import { policyOf, statementsOf } from '../../core/policy.ts';
import type { Partition } from '../../core/regions.ts';
import type { BucketTarget, RedshiftTarget } from '../../core/targets.ts';
import { clusterArn, dbUserArn } from './redshift.ts';

/**
 * Seed 002's two restrictions: the trust admits Redshift only in the clusters' regions
 * (`redshift.<region>.amazonaws.com`) and only for the product's db users (`sts:ExternalId`
 * = their ARNs); the role reads the staging buckets under their prefixes, nothing else.
 */
export function copyRoleFor(
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
 * The COPY role GET /setup generates, attached to its clusters: each cluster names it, and the
 * setup grants what redshift.copy-role needs to say more than "not tested" (DescribeClusters to
 * find it attached, GetRole to read its trust).
 */
export function attachCopyRole(
  name: string,
  warehouses: readonly RedshiftTarget[],
  buckets: readonly BucketTarget[],
  partition: Partition,
): { copyRole: CopyRole; grants: Grant[] } {
  const copyRole = copyRoleFor(name, warehouses, buckets, partition);
  const grants: Grant[] = [];
  for (const w of warehouses) {
    if (!w.cluster) continue;
    w.copyRoleArn = copyRole.roleArn;
    grants.push({ actions: ['redshift:DescribeClusters'], resources: [clusterArn(w)] });
  }
  grants.push({ actions: ['iam:GetRole'], resources: [copyRole.roleArn] });
  return { copyRole, grants };
}
