import { IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { iamError } from './aws-errors.ts';

/**
 * iam.simulate runs for every role: in tests about something else, IAM answers as it does for a
 * role not allowed to simulate itself, so the check is an optional skip and nothing more.
 */
export function refuseSimulation() {
  return mockClient(IAMClient)
    .on(SimulatePrincipalPolicyCommand)
    .rejects(
      iamError(
        'AccessDenied',
        403,
        'User: arn:aws:sts::111122223333:assumed-role/VendorAccess/s is not authorized to perform: iam:SimulatePrincipalPolicy',
      ),
    );
}
