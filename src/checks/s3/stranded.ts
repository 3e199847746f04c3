import type { Logger } from '@aws-lambda-powertools/logger';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import type { AwsAccess } from '../../core/aws.ts';
import { classify } from '../../core/classify.ts';
import type { BucketFacts, PrincipalFacts } from '../../core/facts.ts';
import type { Settled } from '../../core/runner.ts';
import type { BucketTarget } from '../../core/targets.ts';

/** A probe object this service could not delete: the report names it for the customer. */
export interface StrandedProbe {
  bucket: string;
  key: string;
  versionId?: string;
}

/** What the clean-up of stranded probes keeps of the verification's deadline: at most 2 s. */
export const cleanupReserveMs = (deadlineMs: number) => Math.min(2_000, Math.floor(deadlineMs / 4));

/**
 * A probe whose delete never ran or never finished (the deadline struck first) is removed here,
 * in the time the verification kept for it (`untilMs`, on the performance clock), so a slow AWS
 * neither leaves objects in a customer's bucket unnamed nor stretches the verification past its
 * deadline. Returns every probe still there: those refused, those kept as a version, and those
 * this clean-up could not remove in time.
 */
export async function removeStrandedProbes(
  buckets: readonly BucketTarget[],
  facts: Map<string, BucketFacts>,
  settled: Map<string, Settled>,
  principal: PrincipalFacts,
  deps: { aws: AwsAccess; logger: Logger },
  untilMs: number,
): Promise<StrandedProbe[]> {
  const left = await Promise.all(
    buckets.map(async (b): Promise<StrandedProbe | undefined> => {
      await settledSweep(facts.get(b.key)?.sweep, untilMs);
      const probe = facts.get(b.key)?.probe;
      if (!probe) return undefined;
      const stranded: StrandedProbe = {
        bucket: b.bucket,
        key: probe.key,
        ...(probe.versionId && probe.versionId !== 'null' ? { versionId: probe.versionId } : {}),
      };
      const del = settled.get(`s3.delete@${b.key}`)?.outcome;
      if (del?.status === 'pass') return undefined;
      // Refused (fail), or kept as a version under a delete marker (warn): trying again changes nothing.
      if (del?.status === 'fail' || del?.status === 'warn') return stranded;
      const creds = principal.sessions[b.session];
      const budget = Math.floor(untilMs - performance.now());
      if (!creds || budget <= 0) return stranded;
      const owner = b.expectedBucketOwner ?? principal.account;
      const region = facts.get(b.key)?.region;
      if (!region) return stranded;
      const signal = AbortSignal.timeout(budget);
      try {
        await Promise.race([
          deps.aws.s3(region, creds).send(
            new DeleteObjectCommand({
              Bucket: b.bucket,
              Key: probe.key,
              ...(stranded.versionId ? { VersionId: stranded.versionId } : {}),
              ...(owner ? { ExpectedBucketOwner: owner } : {}),
            }),
            { abortSignal: signal },
          ),
          // The abort ends the request; this ends the wait even if a client ignores it.
          new Promise((_, reject) => {
            signal.addEventListener('abort', () => reject(signal.reason), { once: true });
          }),
        ]);
        return undefined;
      } catch (err) {
        deps.logger.warn('probe left behind', {
          bucket: b.bucket,
          key: probe.key,
          error: classify(err).info.code,
        });
        return stranded;
      }
    }),
  );
  return left.filter((p): p is StrandedProbe => p !== undefined);
}

/**
 * A sweep s3.list started runs beside the checks; where s3.delete did not report it (the write
 * failed), it may still be running: it ends here, within the time kept for the clean-up.
 */
async function settledSweep(sweep: Promise<string> | undefined, untilMs: number): Promise<void> {
  const budget = Math.floor(untilMs - performance.now());
  if (!sweep || budget <= 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([sweep, new Promise((resolve) => (timer = setTimeout(resolve, budget)))]);
  clearTimeout(timer);
}
