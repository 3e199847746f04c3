import type { Scope, TargetOf } from '../core/targets.ts';
import { planKmsTargets } from './kms/targets.ts';
import { planRedshiftTargets } from './redshift/redshift.ts';
import { planTargets } from './s3/targets.ts';

const EXAMPLE_KEY = 'arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000';

/** Placeholder targets, one per scope (two for Redshift), to show each check's grants in GET /checks. */
export function exampleTargets(): { [S in Scope]: TargetOf<S>[] } {
  const [bucket] = planTargets([{ bucket: 'BUCKET', prefix: 'PREFIX/' }], 'aws');
  const [kms] = planKmsTargets([{ keyArn: EXAMPLE_KEY }], []);
  const warehouses = planRedshiftTargets(
    [
      {
        clusterIdentifier: 'CLUSTER',
        dbUser: 'DB_USER',
        dbName: 'DB_NAME',
        copyRoleArn: 'arn:aws:iam::ACCOUNT_ID:role/COPY_ROLE',
      },
      { workgroupName: 'WORKGROUP' },
    ],
    'aws',
    'us-east-1',
    'ACCOUNT_ID',
  );
  if (!bucket || !kms) throw new Error('example targets');
  return {
    principal: [
      {
        kind: 'principal',
        key: 'principal',
        label: 'arn:aws:iam::ACCOUNT:role/ROLE',
        partition: 'aws',
        region: 'us-east-1',
        credentials: { type: 'role', roleArn: 'arn:aws:iam::ACCOUNT:role/ROLE' },
        sessionPolicies: [],
      },
    ],
    bucket: [bucket],
    kms: [{ ...kms, label: 'KMS_KEY_ARN', keyArn: 'KMS_KEY_ARN' }],
    redshift: warehouses,
  };
}
