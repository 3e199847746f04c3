import { partitionOfArn } from './arn.ts';
import { PARTITION_REGIONS, type Partition, type Region } from './regions.ts';
import type { BucketInput, BucketTarget } from './types.ts';

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
