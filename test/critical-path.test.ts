import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../src/checks/index.ts';
import { planKmsTargets } from '../src/checks/kms/targets.ts';
import { planTargets } from '../src/checks/s3/targets.ts';
import { longestChain } from '../src/core/graph.ts';
import { type Planned, planChecks } from '../src/core/plan.ts';
import { BUILTIN_PROFILES } from '../src/core/profiles.ts';
import type { PrincipalTarget } from '../src/core/targets.ts';
import type { BucketInput } from '../src/core/wire.ts';
import { principalTarget } from './support/context.ts';

const ROLE = principalTarget({ sessionPolicies: [] });
const KEY_PAIR: PrincipalTarget = {
  ...ROLE,
  label: 'AKIA…MPLE',
  credentials: { type: 'accessKey', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x'.repeat(40) },
};
delete KEY_PAIR.account;
const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

function plan(profile: string, buckets: BucketInput[], principal = ROLE, keys: string[] = []): Planned[] {
  const bucketTargets = planTargets(buckets, 'aws', 'us-east-1');
  const kmsTargets = planKmsTargets(
    keys.map((keyArn) => ({ keyArn })),
    bucketTargets,
  );
  return planChecks(
    CATALOGUE.checks,
    [principal, ...bucketTargets, ...kmsTargets],
    BUILTIN_PROFILES[profile],
    'onboarding',
  );
}
const buckets = (n: number, over: Partial<BucketInput> = {}): BucketInput[] =>
  Array.from({ length: n }, (_, i) => ({ bucket: `acme-${i}`, prefix: 'vendor/', ...over }));

/** Where each planned instance of a check settles, in calls from the start. */
const through = (planned: readonly Planned[], steps: Map<string, { end: number }>, id: string) => [
  ...new Set(planned.filter((p) => p.check.id === id).map((p) => steps.get(p.key)?.end)),
];

describe('the longest chain of AWS calls, per profile', () => {
  it.each([1, 10, 50])('staging, %i bucket(s): AssumeRole → PutObject → GetObject → DeleteObject', (n) => {
    const planned = plan('staging', buckets(n));
    const chain = longestChain(planned);
    expect(chain.length, chain.path.join(' → ')).toBeLessThanOrEqual(4);
    expect(through(planned, chain.steps, 's3.delete')).toEqual([4]);
    expect(new Set(through(planned, chain.steps, 's3.write'))).toEqual(new Set([2]));
  });

  it('staging: HeadBucket, the listing and the write all one call behind AssumeRole; the sweep fits the chain', () => {
    const planned = plan('staging', buckets(1));
    const { steps, length } = longestChain(planned);
    const end = (id: string) => steps.get(planned.find((p) => p.check.id === id)?.key ?? '')?.end;
    expect([end('s3.bucket-region'), end('s3.write'), end('s3.list')]).toEqual([2, 2, 2]);
    // The sweep reads each leftover back, then deletes it: two calls behind the listing.
    const list = planned.find((p) => p.check.id === 's3.list');
    expect(list?.check.mayCall).toEqual(['GetObject', 'DeleteObject']);
    expect((end('s3.list') ?? 0) + 2).toBeLessThanOrEqual(length);
  });

  it('destination: AssumeRole → PutObject → DeleteObject', () => {
    const planned = plan('destination', buckets(10));
    const chain = longestChain(planned);
    expect(chain.length, chain.path.join(' → ')).toBeLessThanOrEqual(3);
    expect(new Set(through(planned, chain.steps, 's3.delete'))).toEqual(new Set([3]));
  });

  it('source: three calls (AssumeRole, then the listing or HeadBucket, then a read)', () => {
    const chain = longestChain(plan('source', buckets(10, { access: 'read' })));
    expect(chain.length, chain.path.join(' → ')).toBeLessThanOrEqual(3);
  });

  it('a key pair: GetCallerIdentity runs beside the first probes, not before them', () => {
    const planned = plan('staging', buckets(2, { expectedBucketOwner: '111122223333' }), KEY_PAIR, [KEY]);
    const { steps, length, path } = longestChain(planned);
    const at = (id: string) =>
      planned.filter((p) => p.check.id === id).map((p) => steps.get(p.key)?.end ?? Number.NaN);
    expect(at('sts.caller-identity')).toEqual([1]);
    // The first probes: HeadBucket and PutObject of each bucket, a KMS call: all one call deep.
    expect(at('s3.bucket-region')).toEqual([1, 1]);
    expect(at('s3.write')).toEqual([1, 1]);
    expect(at('kms.generate-data-key')).toEqual([1]);
    expect(length, path.join(' → ')).toBe(3);
  });

  it('a key pair: a bucket whose owner is not declared waits for the account GetCallerIdentity tells', () => {
    // Every S3 call names the owner: without a declared one, the account is it.
    const planned = plan('staging', buckets(1), KEY_PAIR, [KEY]);
    const { steps, path } = longestChain(planned);
    const head = planned.find((p) => p.check.id === 's3.bucket-region');
    const kms = planned.find((p) => p.check.id === 'kms.generate-data-key');
    expect(steps.get(head?.key ?? '')?.end).toBe(2);
    expect(steps.get(kms?.key ?? '')?.end).toBe(1);
    expect(path[0]).toBe('GetCallerIdentity');
    expect(path).toHaveLength(4);
  });
});
