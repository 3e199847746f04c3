import { describe, expect, it } from 'vitest';
import { bucketOf, principalOfCaller, remediationText, render, run, wrap } from '../../src/cli/main.ts';
import type { Report } from '../../src/core/wire.ts';

const ROLE = 'arn:aws:iam::111122223333:role/VendorAccess';

async function runWith(args: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(args, { out: (t) => out.push(t), err: (t) => err.push(t), env });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('aws-access-verifier: usage', () => {
  it.each([
    [[], /no command/],
    [['verify'], /unknown command verify/],
    [['check', '--bucket', 'b'], /--role-arn \(or --as-me\) is required/],
    [['check', '--role-arn', ROLE, '--bucket', 'b'], /--external-id is required with --role-arn/],
    [['check', '--as-me'], /name at least one --bucket/],
    [['check', '--as-me', '--bucket', 'b', '--profile', 'my-aws-profile'], /is not one of .*--aws-profile/],
    [['check', '--as-me', '--bucket', 'b', '--region', 'mars-1'], /--region mars-1 is not an AWS region/],
    [['check', '--as-me', '--bucket', 'b', '--nope'], /Unknown option '--nope'/],
    [['check', '--as-me', '--role-arn', ROLE, '--bucket', 'b'], /takes no --role-arn or --external-id/],
    [['check', '--as-me', '--external-id', 'x', '--bucket', 'b'], /takes no --role-arn or --external-id/],
  ])('%j is bad usage: exit 2, the reason, then the usage', async (args, says) => {
    const { code, out, err } = await runWith(args as string[]);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(/^aws-access-verifier: /);
    expect(err.split('\n')[0]).toMatch(says);
    expect(err).toContain('exit codes: 0 pass or warn, 1 fail, 2 error or bad usage');
  });

  it('prints the usage for --help, exit 0', async () => {
    const { code, out } = await runWith(['--help']);
    expect(code).toBe(0);
    expect(out).toContain('--as-me');
  });
});

describe('aws-access-verifier: arguments', () => {
  it('reads a bucket with or without its prefix, taking the prefix as written', () => {
    expect(bucketOf('acme')).toEqual({ bucket: 'acme' });
    expect(bucketOf('acme/')).toEqual({ bucket: 'acme' });
    expect(bucketOf('acme/exports/daily/')).toEqual({ bucket: 'acme', prefix: 'exports/daily/' });
    expect(bucketOf('s3://acme/in')).toEqual({ bucket: 'acme', prefix: 'in' });
  });

  it('names an assumed-role caller by its role (what a trust policy can name), anything else as it is', () => {
    expect(principalOfCaller('arn:aws:sts::111122223333:assumed-role/Admin/alice@example.com')).toBe(
      'arn:aws:iam::111122223333:role/Admin',
    );
    expect(principalOfCaller('arn:aws-cn:sts::111122223333:assumed-role/Ops/s')).toBe(
      'arn:aws-cn:iam::111122223333:role/Ops',
    );
    expect(principalOfCaller('arn:aws:iam::111122223333:user/alice')).toBe(
      'arn:aws:iam::111122223333:user/alice',
    );
  });

  it('wraps words to the width, cutting only a word longer than a line', () => {
    expect(wrap('the role may not delete', 10)).toEqual(['the role', 'may not', 'delete']);
    expect(wrap('arn:aws:s3:::bucket', 8)).toEqual(['arn:aws:', 's3:::buc', 'ket']);
    expect(wrap('', 8)).toEqual(['']);
  });
});

const statement = (action: string) => ({ Effect: 'Allow' as const, Action: action, Resource: '*' });

function report(remediation: unknown): Report {
  return {
    verificationId: 'v',
    tenantId: 'self-check',
    status: 'fail',
    startedAt: '2026-12-02T00:00:00.000Z',
    durationMs: 5,
    principal: { arn: 'arn:aws:sts::111122223333:assumed-role/VendorAccess/s' },
    checks: [
      {
        id: 's3.delete',
        target: 's3://b/',
        status: 'fail',
        required: true,
        actions: ['s3:DeleteObject'],
        resources: ['arn:aws:s3:::b/*'],
        durationMs: 1,
        message: 'The role may not delete in s3://b/.',
        error: { code: 'AccessDenied', message: 'not authorized to perform: s3:DeleteObject' },
        hint: 'No identity-based policy allows this action.',
        checklist: ['the bucket name', 'the prefix'],
        remediation: 'Allow s3:DeleteObject on arn:aws:s3:::b/*',
      },
      {
        id: 's3.encryption',
        target: 's3://b/',
        status: 'skip',
        required: false,
        actions: [],
        resources: [],
        durationMs: 1,
        message: 'not granted',
      },
    ],
    remediation: remediation as Report['remediation'],
  };
}

describe('aws-access-verifier: output', () => {
  it('prints one row per check with its status, id, target, message and fix, then AWS’s error and the hint', () => {
    const text = render(
      report({ policy: { Version: '2012-10-17', Statement: [statement('s3:DeleteObject')] } }),
      160,
    );
    const lines = text.split('\n');
    expect(lines[0]).toBe('FAIL  as arn:aws:sts::111122223333:assumed-role/VendorAccess/s  (2 checks, 5 ms)');
    expect(lines).toContainEqual(expect.stringMatching(/^STATUS\s+CHECK\s+TARGET\s+MESSAGE\s+FIX$/));
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^FAIL\s+s3\.delete\s+s3:\/\/b\/\s+The role may not delete in s3:\/\/b\/\.\s+Allow s3:DeleteObject on arn:aws:s3:::b\/\*$/,
      ),
    );
    expect(lines).toContain('        AWS: AccessDenied: not authorized to perform: s3:DeleteObject');
    expect(lines).toContain('        hint: No identity-based policy allows this action.');
    expect(lines).toContain('        check: the prefix');
    expect(lines).toContainEqual(
      expect.stringMatching(/^SKIP\s+s3\.encryption\s+s3:\/\/b\/\s+not granted \[optional\]$/),
    );
    expect(text).toContain('Add to the role\'s (or user\'s) identity policy:\n{\n  "Version": "2012-10-17"');
    expect(text).not.toContain('Probe objects');
    const stranded = render(
      {
        ...report({ policy: { Version: '2012-10-17', Statement: [] } }),
        strandedProbes: [{ bucket: 'b', key: 'in/.aws-access-verifier-probe-x', versionId: 'v1' }],
      },
      160,
    );
    expect(stranded).toContain(
      'Probe objects the verifier could not delete (remove them):\n  s3://b/in/.aws-access-verifier-probe-x (version v1)',
    );
  });

  it('groups the new remediation shape by where each fix goes', () => {
    const text = remediationText({
      policy: { Version: '2012-10-17', Statement: [statement('s3:PutObject')] },
      optional: { Version: '2012-10-17', Statement: [statement('s3:GetEncryptionConfiguration')] },
      keyPolicies: [
        { keyArn: 'arn:aws:kms:us-east-1:111122223333:key/k', statement: statement('kms:Decrypt') },
      ],
      bucketPolicies: [{ bucket: 'b', statement: statement('s3:GetObject') }],
      trustPolicy: statement('sts:AssumeRole'),
      notes: [
        {
          check: 's3.write',
          target: 's3://b/',
          policyType: 'service control policy',
          action: 's3:PutObject',
          resource: 'arn:aws:s3:::b/*',
          message: 'an SCP denies it',
        },
      ],
    }).join('\n');
    const order = [
      "Add to the role's (or user's) identity policy:",
      'Add to the key policy of arn:aws:kms:us-east-1:111122223333:key/k:',
      'Add to the bucket policy of b:',
      "Add to the role's trust policy:",
      'Optional (lets the optional checks run):',
      'For an administrator (a policy outside the role refuses):',
      '  - service control policy (s3.write s3://b/): an SCP denies it [s3:PutObject on arn:aws:s3:::b/*]',
    ].map((s) => text.indexOf(s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('says there is nothing to change when nothing is to change', () => {
    expect(remediationText({ policy: { Version: '2012-10-17', Statement: [] } })).toEqual([
      'Nothing to change.',
    ]);
  });
});
