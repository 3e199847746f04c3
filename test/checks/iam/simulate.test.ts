import { IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { iamSimulate } from '../../../src/checks/iam/simulate.ts';
import { DANGEROUS_BUCKET_ACTIONS, exactResources } from '../../../src/checks/iam/simulation.ts';
import { probeKey } from '../../../src/checks/s3/probe.ts';
import type { CheckContext } from '../../../src/core/check.ts';
import type { Need } from '../../../src/core/facts.ts';
import type { Outcome } from '../../../src/core/outcome.ts';
import { iamError, simulateDenied } from '../../support/aws-errors.ts';
import {
  ACCOUNT,
  principalContext,
  principalTarget,
  ROLE_ARN,
  run,
  SESSION,
  verificationInfo,
} from '../../support/context.ts';

const iam = mockClient(IAMClient);
const BUCKET = 'arn:aws:s3:::acme-exports';
const PROBE = `${BUCKET}/${probeKey('vendor/', verificationInfo())}`;

/** What a staging bucket's checks need, as verify.ts hands it to the principal's facts. */
const NEEDS: Need[] = [
  {
    check: 's3.list',
    targetKey: 's3:0',
    targetLabel: 's3://acme-exports/vendor/',
    grant: {
      actions: ['s3:ListBucket'],
      resources: [BUCKET],
      condition: { StringLike: { 's3:prefix': ['vendor/*'] } },
    },
  },
  {
    check: 's3.write',
    targetKey: 's3:0',
    targetLabel: 's3://acme-exports/vendor/',
    grant: { actions: ['s3:PutObject'], resources: [`${BUCKET}/vendor/*`] },
  },
];

type Decision = 'allowed' | 'implicitDeny' | 'explicitDeny';

/** IAM's answer: one result per action, each resource's decision in ResourceSpecificResults. */
function answer(decide: (action: string, resource: string) => Decision) {
  iam.on(SimulatePrincipalPolicyCommand).callsFake((input) => ({
    IsTruncated: false,
    EvaluationResults: (input.ActionNames ?? []).map((a: string) => {
      const per = (input.ResourceArns ?? []).map((r: string) => ({
        EvalResourceName: r,
        EvalResourceDecision: decide(a, r),
      }));
      return {
        EvalActionName: a,
        EvalDecision: per.some(
          (p: { EvalResourceDecision: Decision }) => p.EvalResourceDecision !== 'allowed',
        )
          ? 'implicitDeny'
          : 'allowed',
        ResourceSpecificResults: per,
      };
    }),
  }));
}

function context(probes: Record<string, Outcome> = {}): CheckContext<'principal'> {
  const ctx = principalContext(principalTarget());
  ctx.principal.sessions = [SESSION];
  ctx.principal.account = ACCOUNT;
  ctx.principal.needs = NEEDS;
  ctx.outcomeOf = async (id, key) => probes[`${id}@${key}`];
  return ctx;
}

const passed: Outcome = { status: 'pass', message: 'ok' };

describe('iam.simulate', () => {
  beforeEach(() => {
    iam.reset();
  });

  it('asks about every needed action on the exact resources, and passes when simulation agrees', async () => {
    answer((a) => ((DANGEROUS_BUCKET_ACTIONS as readonly string[]).includes(a) ? 'implicitDeny' : 'allowed'));

    const outcome = await run(iamSimulate, context({ 's3.list@s3:0': passed, 's3.write@s3:0': passed }));

    expect(outcome.status).toBe('pass');
    expect(outcome.message).toContain('agrees with the 2 probe results');
    // The listing is asked with its prefix as context; the write on the very key the probe uses.
    expect(iam).toReceiveCommandWith(SimulatePrincipalPolicyCommand, {
      PolicySourceArn: ROLE_ARN,
      ActionNames: ['s3:ListBucket'],
      ResourceArns: [BUCKET],
      ContextEntries: [
        { ContextKeyName: 's3:prefix', ContextKeyValues: ['vendor/'], ContextKeyType: 'string' },
      ],
    });
    expect(iam).toReceiveCommandWith(SimulatePrincipalPolicyCommand, {
      PolicySourceArn: ROLE_ARN,
      ActionNames: ['s3:PutObject'],
      ResourceArns: [PROBE],
    });
    expect(iam).toReceiveCommandWith(SimulatePrincipalPolicyCommand, {
      ActionNames: [...DANGEROUS_BUCKET_ACTIONS].sort(),
      ResourceArns: [BUCKET],
    });
  });

  it('warns of dangerous bucket actions an s3:* allows, the narrower statement as its fix', async () => {
    answer(() => 'allowed');

    const outcome = await run(iamSimulate, context({ 's3.list@s3:0': passed, 's3.write@s3:0': passed }));

    expect(outcome.status).toBe('warn');
    expect(outcome.message).toContain('s3:DeleteBucket, s3:PutBucketPolicy');
    expect(outcome.message).toContain(`allowed on ${BUCKET}`);
    // What the product needs on that bucket, nothing more: statements for remediation.optional.
    expect(outcome.missing).toEqual(NEEDS.map((n) => n.grant));
    expect(outcome.remediation).toMatch(
      /^Replace the statement that allows s3:DeleteBucket, .* on arn:aws:s3:::acme-exports/,
    );
  });

  it('says where simulation and a probe disagree, and leaves the probe the truth', async () => {
    answer((a) =>
      a === 's3:PutObject' ? 'implicitDeny' : a === 's3:ListBucket' ? 'allowed' : 'implicitDeny',
    );

    const outcome = await run(
      iamSimulate,
      context({
        's3.list@s3:0': { status: 'fail', message: 'refused' },
        's3.write@s3:0': passed,
      }),
    );

    expect(outcome.status).toBe('pass');
    expect(outcome.message).toContain(
      's3:PutObject for s3.write on s3://acme-exports/vendor/: simulation says implicitDeny, the probe succeeded',
    );
    expect(outcome.message).toContain(
      's3:ListBucket for s3.list on s3://acme-exports/vendor/: simulation allows it, the probe was refused',
    );
  });

  it('is skipped when simulation is not granted, naming the statement that would allow it', async () => {
    iam
      .on(SimulatePrincipalPolicyCommand)
      .rejects(simulateDenied(`arn:aws:sts::${ACCOUNT}:assumed-role/VendorAccess/s`, ROLE_ARN));

    const outcome = await run(iamSimulate, context());

    expect(outcome.status).toBe('skip');
    expect(outcome.missing).toEqual([{ actions: ['iam:SimulatePrincipalPolicy'], resources: [ROLE_ARN] }]);
    expect(outcome.remediation).toBe(`Allow iam:SimulatePrincipalPolicy on ${ROLE_ARN}`);
    expect(outcome.error?.code).toBe('AccessDenied');
  });

  it('is an error, never a verdict, when IAM throttles', async () => {
    iam.on(SimulatePrincipalPolicyCommand).rejects(iamError('Throttling', 400, 'Rate exceeded'));

    const outcome = await run(iamSimulate, context());

    expect(outcome.status).toBe('error');
    expect(outcome.error?.code).toBe('Throttling');
  });

  it('simulates a key pair’s user, and asks for seed 004’s own statement before the user is known', async () => {
    answer((a) => ((DANGEROUS_BUCKET_ACTIONS as readonly string[]).includes(a) ? 'implicitDeny' : 'allowed'));
    const target = principalTarget({
      credentials: {
        type: 'accessKey',
        accessKeyId: SESSION.accessKeyId,
        secretAccessKey: SESSION.secretAccessKey,
      },
      label: 'ASIA…MPLE',
    });
    delete target.account;
    expect(iamSimulate.grants(target)).toEqual([
      {
        actions: ['iam:SimulatePrincipalPolicy'],
        // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable
        resources: ['arn:aws:iam::ACCOUNT_ID:user/${aws:username}'],
      },
    ]);
    const ctx = context();
    Object.assign(ctx, { target, principalTarget: target });
    ctx.principal.arn = `arn:aws:iam::${ACCOUNT}:user/ingest`;

    expect((await run(iamSimulate, ctx)).status).toBe('pass');
    expect(iam).toReceiveCommandWith(SimulatePrincipalPolicyCommand, {
      PolicySourceArn: `arn:aws:iam::${ACCOUNT}:user/ingest`,
    });

    // An assumed-role session's key pair has no policies of its own to simulate.
    iam.reset();
    const session = context();
    Object.assign(session, { target, principalTarget: target });
    session.principal.arn = `arn:aws:sts::${ACCOUNT}:assumed-role/VendorAccess/x`;
    expect((await run(iamSimulate, session)).status).toBe('skip');
    expect(iam.calls()).toHaveLength(0);
  });
});

describe('exactResources', () => {
  it('simulates the very key the probe writes, for a prefix grant and for the probe read-back grant alike', () => {
    const ctx = { verification: verificationInfo() };
    const objects = { actions: ['s3:PutObject'], resources: [`${BUCKET}/vendor/*`] };
    const readBack = {
      actions: ['s3:GetObject'],
      resources: [`${BUCKET}/vendor/.aws-access-verifier-probe-*`],
      sessionOnly: true,
    };
    expect(exactResources(objects, ctx)).toEqual([PROBE]);
    expect(exactResources(readBack, ctx)).toEqual([PROBE]);
  });
});
