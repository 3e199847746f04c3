import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { authorize, type Caller, evaluateWith, type PolicyJson } from './iam.ts';
import { evaluatorPool } from './iam-pool.ts';

/**
 * The sandbox leaves out of each policy the statements that cannot match a call before the
 * evaluator reads it (iam.ts, `narrowed`): it must never change a verdict. Every generated
 * case is decided twice, narrowed and whole, and the two must agree, denials' reasons included.
 */
const ACCOUNT = '111122223333';
const ACTIONS = [
  's3:GetObject',
  's3:Get*',
  's3:*',
  '*',
  'S3:putobject',
  's3:PutObject',
  's3:ListBucket',
  'kms:Decrypt',
  's3:?etObject',
];
const RESOURCES = [
  'arn:aws:s3:::acme/*',
  'arn:aws:s3:::acme',
  'arn:aws:s3:::acme/vendor/*',
  'arn:aws:s3:::other/*',
  '*',
  'arn:aws:s3:::ac?e/*',
  'arn:aws:s3:::ACME/*',
  // A policy variable: such a statement is always kept.
  `arn:aws:s3:::\${aws:username}/*`,
  'arn:aws:s3:::*',
  'arn:aws:s3:::acme*',
];
const REQUESTS = [
  { action: 's3:GetObject', arn: 'arn:aws:s3:::acme/vendor/x.txt' },
  { action: 's3:PutObject', arn: 'arn:aws:s3:::acme/vendor/x.txt' },
  { action: 's3:GetObject', arn: 'arn:aws:s3:::other/y' },
  { action: 's3:ListBucket', arn: 'arn:aws:s3:::acme' },
  { action: 's3:PutObject', arn: 'arn:aws:s3:::acme-2/k' },
];

const list = (pool: string[]) => fc.uniqueArray(fc.constantFrom(...pool), { minLength: 1, maxLength: 3 });
const statement = (principal: boolean) =>
  fc
    .record({
      // Mostly Allow, so that many calls are allowed and many denials are implicit.
      Effect: fc.constantFrom('Allow', 'Allow', 'Allow', 'Deny'),
      action: fc.oneof(
        list(ACTIONS).map((a) => ({ Action: a })),
        list(ACTIONS).map((a) => ({ NotAction: a })),
      ),
      resource: fc.oneof(
        { weight: 4, arbitrary: list(RESOURCES).map((r) => ({ Resource: r })) },
        { weight: 1, arbitrary: list(RESOURCES).map((r) => ({ NotResource: r })) },
      ),
      condition: fc.option(fc.constantFrom('111122223333', '999988887777'), { nil: undefined }),
    })
    .map(({ Effect, action, resource, condition }) => ({
      Effect,
      ...(principal ? { Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } } : {}),
      ...action,
      ...resource,
      ...(condition ? { Condition: { StringEquals: { 'aws:PrincipalAccount': condition } } } : {}),
    }));
const policy = (principal = false) =>
  fc
    .array(statement(principal), { minLength: 1, maxLength: 4 })
    .map((Statement): PolicyJson => ({ Version: '2012-10-17', Statement }));

const verdictOf = (
  caller: Caller,
  request: (typeof REQUESTS)[number],
  resourcePolicy: PolicyJson | undefined,
  whole: boolean,
) =>
  authorize(
    caller,
    request.action,
    { arn: request.arn, account: ACCOUNT },
    {
      ...(resourcePolicy ? { resourcePolicy } : {}),
      whole,
    },
  ).catch((err: Error) => ({ threw: err.message }));

/** A caller with its policies, a bucket policy maybe, and a call. */
const cases = fc.record({
  identityPolicies: fc.array(policy(), { minLength: 1, maxLength: 4 }),
  sessionPolicy: fc.option(policy(), { nil: undefined }),
  boundary: fc.option(policy(), { nil: undefined }),
  bucketPolicy: fc.option(policy(true), { nil: undefined }),
  request: fc.constantFrom(...REQUESTS),
});
const callerOf = (c: {
  identityPolicies: PolicyJson[];
  sessionPolicy: PolicyJson | undefined;
  boundary: PolicyJson | undefined;
}): Caller => ({
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/VendorAccess/verifier`,
  account: ACCOUNT,
  userid: 'AROAEXAMPLEID:verifier',
  identityPolicies: c.identityPolicies,
  ...(c.sessionPolicy ? { sessionPolicy: c.sessionPolicy } : {}),
  ...(c.boundary ? { boundary: c.boundary } : {}),
});

describe('the sandbox’s policy evaluation, narrowed to the statements that may apply', () => {
  it('gives the verdict the whole policies give, for any policies and call', async () => {
    await fc.assert(
      fc.asyncProperty(cases, async (c) => {
        const narrowed = await verdictOf(callerOf(c), c.request, c.bucketPolicy, false);
        const whole = await verdictOf(callerOf(c), c.request, c.bucketPolicy, true);
        expect(narrowed).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  }, 60_000);

  it('still refuses a policy that does not validate, as the evaluator does', async () => {
    const caller: Caller = {
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/VendorAccess/verifier`,
      account: ACCOUNT,
      userid: 'AROAEXAMPLEID:verifier',
      identityPolicies: [
        {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::acme/*' },
            // Matches nothing of the call, and is invalid: left out, it would hide the error.
            { Effect: 'Maybe', Action: 'kms:Decrypt', Resource: '*' },
          ],
        },
      ],
    };
    const call = (whole: boolean) =>
      authorize(caller, 's3:GetObject', { arn: 'arn:aws:s3:::acme/k', account: ACCOUNT }, { whole });
    await expect(call(true)).rejects.toThrow(/policy evaluation failed/);
    await expect(call(false)).rejects.toThrow(/policy evaluation failed/);
  });
});

describe('evaluator threads (iam-pool.ts, `sandbox/cli.ts --evaluators N`)', () => {
  it('decide every call as the server’s own thread does, refusals of invalid policies included', async () => {
    const pool = evaluatorPool(2);
    const invalid: PolicyJson = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Maybe', Action: 's3:GetObject', Resource: '*' }],
    };
    try {
      await fc.assert(
        fc.asyncProperty(cases, async (c) => {
          const here = await verdictOf(callerOf(c), c.request, c.bucketPolicy, false);
          evaluateWith(pool.evaluate);
          try {
            expect(await verdictOf(callerOf(c), c.request, c.bucketPolicy, false)).toEqual(here);
          } finally {
            evaluateWith(undefined);
          }
        }),
        { numRuns: 60 },
      );
      const caller = callerOf({ identityPolicies: [invalid], sessionPolicy: undefined, boundary: undefined });
      const call = { action: 's3:GetObject', arn: 'arn:aws:s3:::acme/k' };
      const here = await verdictOf(caller, call, undefined, false);
      evaluateWith(pool.evaluate);
      try {
        expect(await verdictOf(caller, call, undefined, false)).toEqual(here);
      } finally {
        evaluateWith(undefined);
      }
      expect(here).toMatchObject({ threw: expect.stringMatching(/policy evaluation failed/) });
    } finally {
      await pool.close();
    }
  }, 60_000);

  it('leaves no call waiting when the threads end, and refuses calls after', async () => {
    const pool = evaluatorPool(2);
    const c = callerOf({
      identityPolicies: [
        { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] },
      ],
      sessionPolicy: undefined,
      boundary: undefined,
    });
    evaluateWith(pool.evaluate);
    try {
      const call = { action: 's3:GetObject', arn: 'arn:aws:s3:::acme/k' };
      const inFlight = Array.from({ length: 8 }, () => verdictOf(c, call, undefined, false));
      await pool.close();
      // Each settles, answered before the threads ended or refused: none is left hanging.
      for (const v of await Promise.all(inFlight)) expect(v).toSatisfy((x) => 'allowed' in x || 'threw' in x);
      expect(await verdictOf(c, call, undefined, false)).toEqual({
        threw: 'the sandbox’s policy evaluators have stopped',
      });
    } finally {
      evaluateWith(undefined);
    }
  });
});
