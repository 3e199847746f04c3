import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { CheckDescriptor } from '../../core/check.ts';

export const stsCallerIdentity: CheckDescriptor<'principal', 'sts.caller-identity'> = {
  id: 'sts.caller-identity',
  title: 'The access key pair is valid',
  scope: 'principal',
  calls: ['GetCallerIdentity'],
  role: 'identity',
  dependsOn: [],
  appliesTo: (t) => t.credentials.type === 'accessKey',
  // GetCallerIdentity needs no permission: AWS answers it for any valid credentials.
  grants: () => [],
  async run(ctx) {
    const c = ctx.target.credentials;
    if (c.type !== 'accessKey') throw new Error('sts.caller-identity needs a key pair');
    const credentials = {
      accessKeyId: c.accessKeyId,
      secretAccessKey: c.secretAccessKey,
      ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}),
    };
    const answer = await ctx.aws
      .sts(ctx.target.region, credentials)
      .send(new GetCallerIdentityCommand({}), { abortSignal: ctx.signal });
    if (!answer.Account || !answer.Arn) throw new Error('GetCallerIdentity returned no account');
    ctx.principal.account = answer.Account;
    ctx.principal.arn = answer.Arn;
    ctx.principal.sessions[0] = credentials;
    return { status: 'pass', message: `The key pair belongs to ${answer.Arn} in account ${answer.Account}.` };
  },
  explainDenial: () => ({ message: 'AWS does not accept this access key pair.' }),
};
