/**
 * Every IAM API the checks call (iam.simulate, redshift.copy-role's trust read), imported on
 * demand by src/core/aws.ts like ./redshift.ts: only the verifications that run those checks load it.
 */
export { GetRoleCommand, IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
