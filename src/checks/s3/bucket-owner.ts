import type { BucketFacts, PrincipalFacts } from '../../core/facts.ts';
import type { Settled } from '../../core/runner.ts';
import type { BucketTarget } from '../../core/targets.ts';
import { settleBucketRegion } from './bucket-region.ts';

/**
 * After the graph: each bucket's `s3.bucket-region` passes only where the bucket was confirmed
 * to be the expected owner's (HeadBucket 200, or another call naming that owner answered).
 */
export function settleBuckets(
  buckets: readonly BucketTarget[],
  facts: Map<string, BucketFacts>,
  settled: Map<string, Settled>,
  principal: PrincipalFacts,
): void {
  for (const b of buckets) {
    const f = facts.get(b.key);
    const key = `s3.bucket-region@${b.key}`;
    const region = settled.get(key);
    if (!f || !region) continue;
    const others = [...settled.entries()]
      .filter(([k]) => k !== key && k.endsWith(`@${b.key}`))
      .map(([k, s]) => ({ id: k.slice(0, k.indexOf('@')), outcome: s.outcome }));
    const owner = b.expectedBucketOwner ?? principal.account;
    settled.set(key, { ...region, outcome: settleBucketRegion(b, f, owner, region.outcome, others) });
  }
}
