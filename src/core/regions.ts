/**
 * Regions this service will call, per partition. A fixed list on purpose: a region in a
 * request becomes part of an AWS endpoint host name, so accepting any string would let a
 * caller steer this service's traffic. Add a region here when AWS opens one.
 */
export const PARTITION_REGIONS = {
  aws: [
    'us-east-1',
    'us-east-2',
    'us-west-1',
    'us-west-2',
    'af-south-1',
    'ap-east-1',
    'ap-east-2',
    'ap-south-1',
    'ap-south-2',
    'ap-southeast-1',
    'ap-southeast-2',
    'ap-southeast-3',
    'ap-southeast-4',
    'ap-southeast-5',
    'ap-southeast-6',
    'ap-southeast-7',
    'ap-northeast-1',
    'ap-northeast-2',
    'ap-northeast-3',
    'ca-central-1',
    'ca-west-1',
    'eu-central-1',
    'eu-central-2',
    'eu-west-1',
    'eu-west-2',
    'eu-west-3',
    'eu-south-1',
    'eu-south-2',
    'eu-north-1',
    'il-central-1',
    'me-south-1',
    'me-central-1',
    'mx-central-1',
    'sa-east-1',
  ],
  'aws-cn': ['cn-north-1', 'cn-northwest-1'],
  'aws-us-gov': ['us-gov-west-1', 'us-gov-east-1'],
} as const satisfies Record<string, readonly string[]>;

export type Partition = keyof typeof PARTITION_REGIONS;
export type Region = (typeof PARTITION_REGIONS)[Partition][number];

export const PARTITIONS = Object.keys(PARTITION_REGIONS) as Partition[];
export const ALL_REGIONS: readonly Region[] = PARTITIONS.flatMap((p) => PARTITION_REGIONS[p]);

const regionPartition = new Map<string, Partition>(
  PARTITIONS.flatMap((p) => PARTITION_REGIONS[p].map((r) => [r, p] as const)),
);

export function isRegion(value: string): value is Region {
  return regionPartition.has(value);
}

export function partitionOfRegion(region: string): Partition | undefined {
  return regionPartition.get(region);
}

export function isPartition(value: string): value is Partition {
  return Object.hasOwn(PARTITION_REGIONS, value);
}
