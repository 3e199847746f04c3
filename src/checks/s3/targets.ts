import { partitionOfArn } from '../../core/arn.ts';
import type { PrepareOptions } from '../../core/catalogue.ts';
import type { BucketFacts } from '../../core/facts.ts';
import { requirementFor } from '../../core/profiles.ts';
import { PARTITION_REGIONS, type Partition, type Region } from '../../core/regions.ts';
import type { BucketTarget } from '../../core/targets.ts';
import type { BucketInput } from '../../core/wire.ts';

/** The request's buckets as check targets; `fallbackRegion` is where to look when none is declared. */
export function planTargets(
  buckets: readonly BucketInput[],
  partition: Partition,
  requestRegion?: Region,
  fallbackRegion: Region = PARTITION_REGIONS[partition][0],
): BucketTarget[] {
  return buckets.map((b, i) => {
    const prefix = b.prefix ?? '';
    const declared = b.region ?? requestRegion;
    const t: BucketTarget = {
      kind: 'bucket',
      key: `s3:${i}`,
      label: `s3://${b.bucket}/${prefix}`,
      partition: partitionOfArn(b.kmsKeyArn ?? '') ?? partition,
      bucket: b.bucket,
      prefix,
      access: b.access ?? 'readwrite',
      initialRegion: declared ?? fallbackRegion,
      session: 0,
    };
    if (declared) t.declaredRegion = declared;
    if (b.expectedBucketOwner) t.expectedBucketOwner = b.expectedBucketOwner;
    if (b.kmsKeyArn) t.kmsKeyArn = b.kmsKeyArn;
    return t;
  });
}

/**
 * A bucket's probe mode and marker, before its checks are planned. No-write verification
 * judges write and delete by policy simulation, nothing written. Where drift may not delete
 * (seed 001's destinations), write access is proven on a marker: onboarding places it (when
 * asked to), drift probes it.
 */
export function prepareBuckets(buckets: readonly BucketTarget[], o: PrepareOptions): void {
  if (o.probe === 'simulate') for (const b of buckets) b.probe = 'simulate';
  for (const b of buckets) {
    if (b.probe === 'simulate') continue;
    const driftDeletes = requirementFor('s3.delete', o.profile, b.access, 'drift') !== 'off';
    const driftWrites = requirementFor('s3.write', o.profile, b.access, 'drift') !== 'off';
    if (driftWrites && !driftDeletes) {
      if (o.mode === 'drift') b.marker = 'probe';
      else if (o.placeMarkers) b.marker = 'place';
    }
  }
}

/** Where the bucket's checks start: the region declared or assumed, nothing confirmed. */
export const initialBucketFacts = (b: BucketTarget): BucketFacts => ({
  region: b.initialRegion,
  regionKnown: false,
  ownerConfirmed: false,
});
