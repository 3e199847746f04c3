import { parseKmsKeyArn } from '../../core/arn.ts';
import { isRegion } from '../../core/regions.ts';
import type { BucketTarget, KmsOperation, KmsTarget } from '../../core/targets.ts';
import type { KmsInput } from '../../core/wire.ts';
import { S3_KMS_OPERATIONS } from './kms.ts';

const ALL_KMS_OPERATIONS: KmsOperation[] = ['generate-data-key', 'encrypt', 'decrypt'];

/**
 * One target per KMS key, whether the request names it or a bucket does (then what S3 asks of
 * it: GenerateDataKey to write, Decrypt to read, and the bucket's probes exercise it).
 */
export function planKmsTargets(keys: readonly KmsInput[], buckets: readonly BucketTarget[]): KmsTarget[] {
  const byArn = new Map<string, KmsTarget>();
  const targetFor = (keyArn: string): KmsTarget | undefined => {
    let t = byArn.get(keyArn);
    const arn = parseKmsKeyArn(keyArn);
    if (!t && arn && isRegion(arn.region)) {
      t = {
        kind: 'kms',
        key: `kms:${byArn.size}`,
        label: keyArn,
        partition: arn.partition,
        region: arn.region,
        keyArn,
        operations: [],
        viaBuckets: [],
        session: 0,
      };
      byArn.set(keyArn, t);
    }
    return t;
  };
  const add = (t: KmsTarget, ops: readonly KmsOperation[]) => {
    for (const op of ops) if (!t.operations.includes(op)) t.operations.push(op);
  };
  for (const k of keys) {
    const t = targetFor(k.keyArn);
    if (t) add(t, k.operations ?? ALL_KMS_OPERATIONS);
  }
  for (const b of buckets) {
    if (!b.kmsKeyArn) continue;
    const t = targetFor(b.kmsKeyArn);
    if (!t) continue;
    add(t, S3_KMS_OPERATIONS[b.access]);
    t.viaBuckets.push({ key: b.key, label: b.label });
  }
  // Report order follows the catalogue's, whatever order the request named them in.
  for (const t of byArn.values())
    t.operations.sort((a, b) => ALL_KMS_OPERATIONS.indexOf(a) - ALL_KMS_OPERATIONS.indexOf(b));
  return [...byArn.values()];
}
