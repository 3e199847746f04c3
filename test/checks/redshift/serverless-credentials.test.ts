import {
  GetCredentialsCommand,
  GetWorkgroupCommand,
  RedshiftServerlessClient,
} from '@aws-sdk/client-redshift-serverless';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { redshiftServerlessCredentials } from '../../../src/checks/redshift/serverless-credentials.ts';
import { redshiftServerlessError } from '../../support/aws-errors.ts';
import { ACCOUNT, redshiftContext, run } from '../../support/context.ts';

const serverless = mockClient(RedshiftServerlessClient);
const ID = '0b3f6a2e-5c1d-4e8f-9a7b-2c4d6e8f0a1b';
const ARN = `arn:aws:redshift-serverless:us-west-2:${ACCOUNT}:workgroup/${ID}`;
const WORKGROUP = { workgroupName: 'etl', dbName: 'dev', region: 'us-west-2' } as const;
const denied = (action: string, arn: string) =>
  redshiftServerlessError(
    'AccessDeniedException',
    400,
    `User: arn:aws:sts::${ACCOUNT}:assumed-role/VendorAccess/s is not authorized to perform: ${action} on resource: ${arn} because no identity-based policy allows the ${action} action`,
  );

describe('redshift-serverless.credentials', () => {
  beforeEach(() => {
    serverless.reset();
  });

  it('finds the workgroup’s ARN and endpoint, then asks for credentials it drops', async () => {
    serverless.on(GetWorkgroupCommand).resolves({
      workgroup: {
        workgroupName: 'etl',
        workgroupArn: ARN,
        endpoint: { address: 'etl.example', port: 5439 },
      },
    });
    serverless
      .on(GetCredentialsCommand)
      .resolves({ dbUser: 'IAMR:VendorAccess', dbPassword: 'secret-password-0123' });
    const ctx = redshiftContext(WORKGROUP);

    const outcome = await run(redshiftServerlessCredentials, ctx);

    expect(outcome.status).toBe('pass');
    expect(serverless).toReceiveCommandWith(GetCredentialsCommand, {
      workgroupName: 'etl',
      dbName: 'dev',
      durationSeconds: 900,
    });
    expect(ctx.facts.endpoint).toEqual({ host: 'etl.example', port: 5439 });
    expect(redshiftServerlessCredentials.grants(ctx.target)[0]?.resources).toEqual([ARN]);
    expect(JSON.stringify({ outcome, facts: ctx.facts })).not.toContain('secret-password');
  });

  it('names the exact workgroup ARN in the fix when GetWorkgroup told it', async () => {
    serverless.on(GetWorkgroupCommand).resolves({ workgroup: { workgroupArn: ARN } });
    serverless.on(GetCredentialsCommand).rejects(denied('redshift-serverless:GetCredentials', ARN));

    const outcome = await run(redshiftServerlessCredentials, redshiftContext(WORKGROUP));

    expect(outcome.status).toBe('fail');
    expect(outcome.missing).toEqual([{ actions: ['redshift-serverless:GetCredentials'], resources: [ARN] }]);
  });

  it('says the workgroup id could not be read when GetWorkgroup is refused too', async () => {
    const any = `arn:aws:redshift-serverless:us-west-2:${ACCOUNT}:workgroup/*`;
    serverless.on(GetWorkgroupCommand).rejects(denied('redshift-serverless:GetWorkgroup', any));
    serverless.on(GetCredentialsCommand).rejects(denied('redshift-serverless:GetCredentials', any));
    const ctx = redshiftContext(WORKGROUP);

    const outcome = await run(redshiftServerlessCredentials, ctx);

    expect(outcome.status).toBe('fail');
    expect(outcome.remediation).toContain('workgroup/<workgroup id>');
    expect(outcome.remediation).toContain('could not be read');
    expect(ctx.facts.endpointUnknown).toContain('redshift-serverless:GetWorkgroup');
  });

  it('says a workgroup is missing', async () => {
    serverless
      .on(GetWorkgroupCommand)
      .rejects(redshiftServerlessError('ResourceNotFoundException', 400, 'nope'));
    serverless
      .on(GetCredentialsCommand)
      .rejects(redshiftServerlessError('ResourceNotFoundException', 400, 'nope'));
    const outcome = await run(redshiftServerlessCredentials, redshiftContext(WORKGROUP));
    expect(outcome.status).toBe('fail');
    expect(outcome.message).toContain('No workgroup etl');
  });
});
