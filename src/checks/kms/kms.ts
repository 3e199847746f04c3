import { kmsSdk } from '../../core/aws.ts';
import { type CheckContext, sessionFor } from '../../core/check.ts';
import { classify, codeOf } from '../../core/classify.ts';
import type { Grant } from '../../core/iam-documents.ts';
import type { Outcome } from '../../core/outcome.ts';
import type { KmsOperation } from '../../core/targets.ts';

/** What S3 asks of KMS for SSE-KMS: GenerateDataKey to write, Decrypt to read. */
export const S3_KMS_OPERATIONS = {
  read: ['decrypt'],
  write: ['generate-data-key'],
  readwrite: ['generate-data-key', 'decrypt'],
} as const satisfies Record<string, readonly KmsOperation[]>;

export const KMS_ACTION: Record<KmsOperation, string> = {
  'generate-data-key': 'kms:GenerateDataKey',
  encrypt: 'kms:Encrypt',
  decrypt: 'kms:Decrypt',
};

/** The grant of one operation on a key; none where no key is named (S3's default encryption). */
export const kmsGrant = (keyArn: string | undefined, op: KmsOperation): Grant[] =>
  keyArn ? [{ actions: [KMS_ACTION[op]], resources: [keyArn] }] : [];

export function kmsGrants(keyArn: string, op: KmsOperation): Grant[] {
  return [
    ...kmsGrant(keyArn, op),
    // Only to tell a disabled key from a deleted one when an operation fails.
    { actions: ['kms:DescribeKey'], resources: [keyArn], sessionOnly: true },
  ];
}

/** The verification's KMS client and the commands it sends, loaded by the first KMS check. */
export async function kmsOf(ctx: CheckContext<'kms'>) {
  const [kms, sdk] = await Promise.all([ctx.aws.kms(ctx.target.region, sessionFor(ctx)), kmsSdk()]);
  return { kms, sdk };
}

/** The key's state, asked once per key and only when an operation failed. */
function keyState(ctx: CheckContext<'kms'>): Promise<string | undefined> {
  ctx.facts.state ??= kmsOf(ctx)
    .then(({ kms, sdk }) =>
      kms.send(new sdk.DescribeKeyCommand({ KeyId: ctx.target.keyArn }), { abortSignal: ctx.signal }),
    )
    .then((out) => {
      const m = out.KeyMetadata;
      if (!m?.KeyState) return undefined;
      if (m.KeyState === 'PendingDeletion' && m.DeletionDate) {
        return `PendingDeletion (deleted on ${m.DeletionDate.toISOString().slice(0, 10)})`;
      }
      return m.KeyState;
    })
    .catch(() => undefined);
  return ctx.facts.state;
}

/**
 * Runs one KMS operation and turns what KMS says about the key itself (disabled, pending
 * deletion, not found) into its own verdict; refusals go on to the classifier. A bucket key
 * that S3 may use while direct calls are refused is a `kms:ViaService` condition: a `warn`.
 */
export async function kmsCheck(
  ctx: CheckContext<'kms'>,
  op: KmsOperation,
  call: () => Promise<string>,
): Promise<Outcome> {
  const key = ctx.target.keyArn;
  try {
    return { status: 'pass', message: await call() };
  } catch (err) {
    const code = codeOf(err);
    if (code === 'DisabledException') {
      return {
        status: 'fail',
        message: `The key ${key} is disabled: enable it (KMS → Customer managed keys).`,
      };
    }
    if (code === 'KMSInvalidStateException') {
      const state = (await keyState(ctx)) ?? 'not usable';
      return {
        status: 'fail',
        message: state.startsWith('PendingDeletion')
          ? `The key ${key} is scheduled for deletion (${state}): cancel the deletion and enable it.`
          : `The key ${key} is in state ${state}, in which it cannot be used.`,
      };
    }
    if (code === 'NotFoundException') {
      return {
        status: 'fail',
        message: `No key ${key} exists: check the key ARN's account and region.`,
      };
    }
    if (classify(err).kind === 'denied' && ctx.target.viaBuckets.length > 0) {
      const viaS3 = await s3UsedTheKey(ctx, op);
      if (viaS3) {
        return {
          status: 'warn',
          message: `Direct ${KMS_ACTION[op]} on ${key} is refused, but S3 used the key for ${viaS3}: a kms:ViaService condition limits it to S3. That is enough for S3; direct KMS calls will fail.`,
          error: classify(err).info,
          missing: [],
        };
      }
    }
    throw err;
  }
}

/** The check whose object S3 encrypts (generate-data-key) or decrypts (decrypt) with the key. */
export const S3_CHECK_FOR: Record<KmsOperation, 's3.write' | 's3.read'> = {
  'generate-data-key': 's3.write',
  encrypt: 's3.write',
  decrypt: 's3.read',
};

/**
 * Where S3 really used the key for `op`: a bucket whose write (or read) passed on an object S3
 * said it encrypted under this key. A pass that touched no object of the key proves nothing.
 * Answers what a customer reads: the S3 check and the bucket, never an internal target key.
 */
export async function s3UsedTheKey(ctx: CheckContext<'kms'>, op: KmsOperation): Promise<string | undefined> {
  const check = S3_CHECK_FOR[op];
  for (const bucket of ctx.target.viaBuckets) {
    const outcome = await ctx.outcomeOf(check, bucket.key);
    if (outcome?.status === 'pass' && outcome.kmsKeysUsed?.some((k) => sameKey(k, ctx.target.keyArn)))
      return `${check} on ${bucket.label}`;
  }
  return undefined;
}

/** S3 names a key by ARN; a bucket's configuration may name it by id or alias. */
export function sameKey(a: string, b: string): boolean {
  return a === b || a.endsWith(`/${b}`) || b.endsWith(`/${a}`);
}
