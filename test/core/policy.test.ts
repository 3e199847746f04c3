import { describe, expect, it } from 'vitest';
import type { Grant } from '../../src/core/iam-documents.ts';
import { planSessions, SESSION_POLICY_LIMIT, statementsOf } from '../../src/core/policy.ts';

describe('policies from grants', () => {
  it('merges actions on one resource, then resources that need the same actions', () => {
    const grants: Grant[] = [
      { actions: ['s3:PutObject'], resources: ['arn:aws:s3:::a/*'] },
      { actions: ['s3:GetObject'], resources: ['arn:aws:s3:::a/*'] },
      { actions: ['s3:GetObject', 's3:PutObject'], resources: ['arn:aws:s3:::b/*'] },
      {
        actions: ['s3:ListBucket'],
        resources: ['arn:aws:s3:::a'],
        condition: { StringLike: { 's3:prefix': ['in/*'] } },
      },
    ];
    expect(statementsOf(grants)).toEqual([
      {
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject'],
        Resource: ['arn:aws:s3:::a/*', 'arn:aws:s3:::b/*'],
      },
      {
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: 'arn:aws:s3:::a',
        Condition: { StringLike: { 's3:prefix': ['in/*'] } },
      },
    ]);
    expect(statementsOf(grants, false)[1]).not.toHaveProperty('Condition');
  });

  it('packs buckets into sessions within the limit, never dropping one', () => {
    const perBucket = Array.from({ length: 45 }, (_, i): Grant[] => [
      {
        actions: ['s3:PutObject', 's3:DeleteObject'],
        resources: [`arn:aws:s3:::bucket-${i}/a/rather/long/prefix/${i}/*`],
      },
    ]);
    const plan = planSessions(perBucket, 'aws');
    expect(plan.policies.length).toBeGreaterThan(1);
    expect(plan.sessionOf).toHaveLength(45);
    plan.policies.forEach((p) => {
      expect(p.length).toBeLessThanOrEqual(SESSION_POLICY_LIMIT);
    });
    perBucket.forEach((grants, i) => {
      expect(plan.policies[plan.sessionOf[i] ?? -1]).toContain(grants[0]?.resources[0]);
    });
  });

  it('gives a request without buckets a session that can do nothing', () => {
    expect(JSON.parse(planSessions([], 'aws').policies[0] ?? '{}').Statement).toEqual([
      { Effect: 'Deny', Action: '*', Resource: '*' },
    ]);
  });
});

describe('sessions named for a Redshift db user', () => {
  it('keep targets that need a session name apart from the rest and from each other', () => {
    const g = (r: string) => [{ actions: ['s3:PutObject'], resources: [r] }];
    const plan = planSessions([g('a'), g('b'), g('c'), g('d')], 'aws', [
      undefined,
      'vendor',
      undefined,
      'loader',
    ]);
    expect(plan.sessionOf).toEqual([0, 1, 0, 2]);
    expect(plan.names).toEqual([undefined, 'vendor', 'loader']);
    expect(plan.policies).toHaveLength(3);
  });
});
