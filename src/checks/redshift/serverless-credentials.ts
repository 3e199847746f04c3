import { redshiftSdk } from '../../core/aws.ts';
import { type CheckDescriptor, sessionFor } from '../../core/check.ts';
import type { RedshiftTarget } from '../../core/targets.ts';
import { anyWorkgroupArn, issueCredentials, learnAccount, lookUp } from './redshift.ts';

/** The exact workgroup ARN once GetWorkgroup told it; any workgroup of the account until then. */
const workgroupArn = (t: RedshiftTarget) => t.workgroup?.arn ?? anyWorkgroupArn(t);

export const redshiftServerlessCredentials: CheckDescriptor<'redshift', 'redshift-serverless.credentials'> = {
  id: 'redshift-serverless.credentials',
  title: 'Redshift Serverless issues temporary database credentials for the workgroup',
  scope: 'redshift',
  // GetWorkgroup first: its ARN carries the id an exact fix needs.
  calls: ['GetWorkgroup', 'GetCredentials'],
  dependsOn: [],
  appliesTo: (t) => t.workgroup !== undefined,
  grants: (t) => [
    { actions: ['redshift-serverless:GetCredentials'], resources: [workgroupArn(t)] },
    // Only to learn the workgroup's id (for an exact ARN in the fix) and its endpoint.
    { actions: ['redshift-serverless:GetWorkgroup'], resources: [workgroupArn(t)], sessionOnly: true },
  ],
  async run(ctx) {
    const t = ctx.target;
    const workgroup = t.workgroup;
    if (!workgroup) throw new Error('redshift-serverless.credentials needs a workgroup');
    learnAccount(ctx);
    const credentials = sessionFor(ctx);
    await lookUp(ctx);
    const { GetCredentialsCommand } = await redshiftSdk();
    if (ctx.facts.workgroupArn) workgroup.arn = ctx.facts.workgroupArn;
    return issueCredentials(
      ctx,
      { resource: `workgroup ${workgroup.name}`, issuedTo: `workgroup ${workgroup.name}` },
      async () =>
        (await ctx.aws.redshiftServerless(t.region, credentials)).send(
          new GetCredentialsCommand({
            workgroupName: workgroup.name,
            ...(t.dbName ? { dbName: t.dbName } : {}),
            durationSeconds: 900,
          }),
          { abortSignal: ctx.signal },
        ),
    );
  },
  explainDenial: (t) => {
    const outcome = {
      message: `Redshift Serverless refused temporary credentials for workgroup ${t.workgroup?.name}.`,
    };
    if (t.workgroup?.arn) return outcome;
    // The ARN carries an id the service could not read: say so rather than invent one.
    return {
      ...outcome,
      remediation: `Allow redshift-serverless:GetCredentials on the workgroup's ARN (${anyWorkgroupArn(t).replace('*', '<workgroup id>')}). GetWorkgroup was not allowed, so its id could not be read here: copy the ARN from the Redshift Serverless console, or narrow the * in remediation.policy to it.`,
    };
  },
};
