import { type _Object, DeleteObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import type { CheckContext } from '../../core/check.ts';
import { classify } from '../../core/classify.ts';
import { bucketParams, isProbeBody, LEFTOVER_AGE_MS, parseProbeKey, probeSize, s3Of } from './probe.ts';

/** At most this many leftovers are read back and removed by one verification. */
const MAX_SWEPT = 20;

/**
 * Probes of earlier runs that were interrupted before their clean-up, found in the page s3.list
 * already read (the probes' `.` sorts before letters and digits, so they come first under the
 * prefix). Started by s3.list beside the probe, not after its delete; s3.delete reports it.
 * Only where s3.delete is planned (its grants, in the session, are what the sweep uses). Best
 * effort: never decides a status, never rejects, and deletes an object only when it is certainly
 * one of this deployment's probes: its key is exactly what probeKey writes (this vendor's name,
 * a timestamp, a UUID), its size is a probe's, and its body, read back, is the probe's text.
 */
export function startSweep(ctx: CheckContext<'bucket'>, listed: readonly _Object[]): void {
  const deletes = ctx.principal.needs?.some((n) => n.check === 's3.delete' && n.targetKey === ctx.target.key);
  if (!deletes || ctx.target.probe === 'simulate') return;
  ctx.facts.sweep = sweep(ctx, listed).catch((err: unknown) => {
    ctx.logger.info('leftover probes not swept', { error: classify(err).info.code });
    return '';
  });
}

async function sweep(ctx: CheckContext<'bucket'>, listed: readonly _Object[]): Promise<string> {
  const { target, verification: v } = ctx;
  const cutoff = Date.now() - LEFTOVER_AGE_MS;
  const size = probeSize(v);
  const candidates = listed
    .filter(
      (o): o is typeof o & { Key: string } =>
        o.Key !== undefined &&
        o.Key !== ctx.facts.probe?.key &&
        parseProbeKey(o.Key, target.prefix, v) !== undefined &&
        o.Size === size &&
        o.LastModified !== undefined &&
        o.LastModified.getTime() < cutoff,
    )
    .slice(0, MAX_SWEPT);
  const swept = await Promise.all(
    candidates.map(async (o) => {
      try {
        const got = await s3Of(ctx).send(new GetObjectCommand({ ...bucketParams(ctx), Key: o.Key }), {
          abortSignal: ctx.signal,
        });
        const body = got.Body ? await got.Body.transformToString() : '';
        if (!isProbeBody(body, o.Key, target.prefix, v)) return false;
        await s3Of(ctx).send(new DeleteObjectCommand({ ...bucketParams(ctx), Key: o.Key }), {
          abortSignal: ctx.signal,
        });
        return true;
      } catch (err) {
        ctx.logger.info('leftover probe not swept', { key: o.Key, error: classify(err).info.code });
        return false;
      }
    }),
  );
  const n = swept.filter(Boolean).length;
  return n > 0 ? ` Swept ${n} leftover probe(s) of earlier runs.` : '';
}
