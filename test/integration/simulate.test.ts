import { IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWorld } from '../../sandbox/harness.ts';
import { type Sandbox, startSandbox } from '../../sandbox/server.ts';
import { WORLDS } from '../../sandbox/worlds/index.ts';

/**
 * IAM policy simulation through the sandbox: its SimulatePrincipalPolicy answers as IAM does,
 * and the no-write mode writes nothing, as the sandbox's own records show.
 */
let sandbox: Sandbox;
const world = (name: string) => {
  const c = WORLDS[name];
  if (!c) throw new Error(name);
  return c;
};
const USER = 'arn:aws:iam::111122223333:user/ingest';
const iamAs = () =>
  new IAMClient({
    region: 'us-east-1',
    endpoint: sandbox.url,
    credentials: {
      accessKeyId: 'AKIAINGESTUSEREXAMPLE',
      secretAccessKey: 'ingestUserSecretAccessKeyEXAMPLEKEY00000',
    },
  });

beforeAll(async () => {
  sandbox = await startSandbox({ world: world('seed-004-key-pair').world('unused') });
});
afterAll(async () => {
  await sandbox.close();
});

describe('SimulatePrincipalPolicy in the sandbox', () => {
  it('answers one result per action, the most restrictive decision, each resource’s own below', async () => {
    sandbox.setWorld(world('seed-004-key-pair').world('unused'));
    const out = await iamAs().send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: USER,
        ActionNames: ['s3:DeleteBucket', 's3:GetObject'],
        ResourceArns: ['arn:aws:s3:::acme-output', 'arn:aws:s3:::acme-input'],
      }),
    );
    expect(out.EvaluationResults).toHaveLength(2);
    const del = out.EvaluationResults?.find((r) => r.EvalActionName === 's3:DeleteBucket');
    expect(del?.EvalDecision).toBe('implicitDeny');
    expect(del?.ResourceSpecificResults).toEqual([
      expect.objectContaining({
        EvalResourceName: 'arn:aws:s3:::acme-output',
        EvalResourceDecision: 'allowed',
      }),
      expect.objectContaining({
        EvalResourceName: 'arn:aws:s3:::acme-input',
        EvalResourceDecision: 'implicitDeny',
      }),
    ]);
  });

  it('refuses a caller its policies do not let simulate, in IAM’s words', async () => {
    sandbox.setWorld(world('seed-004-without-simulate').world('unused'));
    const err = await iamAs()
      .send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: USER, ActionNames: ['s3:GetObject'] }))
      .catch((e: unknown) => e as { name: string; message: string; $metadata: { httpStatusCode: number } });
    expect(err).toMatchObject({
      name: 'AccessDenied',
      message: `User: ${USER} is not authorized to perform: iam:SimulatePrincipalPolicy on resource: ${USER} because no identity-based policy allows the iam:SimulatePrincipalPolicy action`,
      $metadata: { httpStatusCode: 403 },
    });
  });

  it('may not simulate another user (seed 004 allows its own user only)', async () => {
    sandbox.setWorld(world('seed-004-key-pair').world('unused'));
    const other = 'arn:aws:iam::111122223333:user/admin';
    const err = await iamAs()
      .send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: other, ActionNames: ['s3:GetObject'] }))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'AccessDenied' });
  });
});

describe('no-write mode ("probe": "simulate")', () => {
  it('judges write and delete by simulation and writes nothing, as the sandbox records show', async () => {
    sandbox.requests.length = 0;
    const { report, before, after } = await runWorld(world('seed-004-no-write'), sandbox);

    const s3 = sandbox.requests.filter((r) => r.service === 's3').map((r) => r.operation);
    expect(s3).not.toContain('PutObject');
    expect(s3).not.toContain('DeleteObject');
    expect(after).toEqual(before);
    expect(
      sandbox.requests.some((r) => r.service === 'iam' && r.operation === 'SimulatePrincipalPolicy'),
    ).toBe(true);
    for (const id of ['s3.write', 's3.delete']) {
      const check = report.checks.find((c) => c.id === id && c.target === 's3://acme-output/');
      expect(check, id).toMatchObject({ status: 'pass', judgedBy: 'simulation' });
    }
    // What was probed for real is not marked.
    expect(report.checks.find((c) => c.id === 's3.list')?.judgedBy).toBeUndefined();
  });

  it('fails write when the principal may not simulate: the no-write verdict needs simulation', async () => {
    sandbox.requests.length = 0;
    const c = { ...world('seed-004-without-simulate'), request: { ...world('seed-004-no-write').request } };
    const { report } = await runWorld(c, sandbox);

    const write = report.checks.find((r) => r.id === 's3.write' && r.target === 's3://acme-output/');
    expect(write).toMatchObject({
      status: 'fail',
      judgedBy: 'simulation',
      remediation: `Allow iam:SimulatePrincipalPolicy on ${USER}`,
    });
    expect(sandbox.requests.some((r) => r.operation === 'PutObject')).toBe(false);
  });
});
