import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { s3ObjectsArn } from '../../core/arn.ts';
import { classify } from '../../core/classify.ts';
import type { CheckContext, CheckDescriptor, Grant, Outcome } from '../../core/types.ts';
import { judgedBySimulation } from '../iam/simulation.ts';
import {
  bucketParams,
  isProbeBody,
  LEFTOVER_AGE_MS,
  PROBE_MARKER,
  parseProbeKey,
  place,
  probeReadGrant,
  probeSize,
  s3Of,
  who,
} from './probe.ts';

const objects = (t: CheckContext<'bucket'>['target']) => s3ObjectsArn(t.partition, t.bucket, t.prefix);

async function del(ctx: CheckContext<'bucket'>, key: string, versionId?: string) {
  return s3Of(ctx).send(
    new DeleteObjectCommand({
      ...bucketParams(ctx),
      Key: key,
      ...(versionId ? { VersionId: versionId } : {}),
    }),
    { abortSignal: ctx.signal },
  );
}

const isDenied = (err: unknown) => classify(err).kind === 'denied';

/**
 * Probes of earlier runs that were interrupted before their clean-up. Best effort: it needs
 * s3:ListBucket, never decides the status, and deletes an object only when it is certainly one
 * of this deployment's probes: its key is exactly what probeKey writes (this vendor's name, a
 * timestamp, a UUID), its size is a probe's, and its body, read back, is the probe's text.
 */
async function sweep(ctx: CheckContext<'bucket'>): Promise<string> {
  if (!ctx.facts.listing) return '';
  const { target, verification: v } = ctx;
  try {
    const out = await s3Of(ctx).send(
      new ListObjectsV2Command({
        ...bucketParams(ctx),
        Prefix: `${target.prefix}${PROBE_MARKER}`,
        MaxKeys: 20,
      }),
      { abortSignal: ctx.signal },
    );
    const cutoff = Date.now() - LEFTOVER_AGE_MS;
    const size = probeSize(v);
    const candidates = (out.Contents ?? []).filter(
      (o): o is typeof o & { Key: string } =>
        o.Key !== undefined &&
        o.Key !== ctx.facts.probe?.key &&
        parseProbeKey(o.Key, target.prefix, v) !== undefined &&
        o.Size === size &&
        o.LastModified !== undefined &&
        o.LastModified.getTime() < cutoff,
    );
    const swept = await Promise.all(
      candidates.map(async (o) => {
        try {
          const got = await s3Of(ctx).send(new GetObjectCommand({ ...bucketParams(ctx), Key: o.Key }), {
            abortSignal: ctx.signal,
          });
          const body = got.Body ? await got.Body.transformToString() : '';
          if (!isProbeBody(body, o.Key, target.prefix, v)) return false;
          await del(ctx, o.Key);
          return true;
        } catch (err) {
          ctx.logger.info('leftover probe not swept', { key: o.Key, error: classify(err).info.code });
          return false;
        }
      }),
    );
    const n = swept.filter(Boolean).length;
    return n > 0 ? ` Swept ${n} leftover probe(s) of earlier runs.` : '';
  } catch (err) {
    ctx.logger.info('leftover probes not listed', { error: classify(err).info.code });
    return '';
  }
}

export const s3Delete: CheckDescriptor<'bucket'> = {
  id: 's3.delete',
  title: 'The principal may delete the probe it wrote',
  scope: 'bucket',
  dependsOn: [
    { id: 's3.write', kind: 'hard' },
    { id: 's3.read', kind: 'soft' },
  ],
  grants: (t) => [
    { actions: ['s3:DeleteObject'], resources: [objects(t)] },
    // Removing the probe's version in a versioned bucket; asked for only where the bucket is versioned.
    { actions: ['s3:DeleteObjectVersion'], resources: [objects(t)], sessionOnly: true },
    // The sweep reads a leftover back before deleting it.
    probeReadGrant(t),
  ],
  async run(ctx) {
    const { facts, target } = ctx;
    if (target.probe === 'simulate')
      return judgedBySimulation(
        ctx,
        s3Delete.grants(target).filter((g) => !g.sessionOnly),
        'deleting',
      );
    const probe = facts.probe;
    if (!probe) return { status: 'skip', message: 'No probe was written, so there is nothing to delete.' };
    const where = `s3://${target.bucket}/${probe.key}`;

    if (!probe.versionId || probe.versionId === 'null') {
      await del(ctx, probe.key);
      return { status: 'pass', message: `Deleted the probe ${where}.${await sweep(ctx)}` };
    }

    try {
      await del(ctx, probe.key, probe.versionId);
      return {
        status: 'pass',
        message: `Deleted the probe ${where} and its version ${probe.versionId}.${await sweep(ctx)}`,
      };
    } catch (err) {
      if (!isDenied(err)) throw err;
      const versionRefusal = classify(err).info;
      // Without s3:DeleteObjectVersion (or under Object Lock) a delete marker is what the role can do.
      const marker = await del(ctx, probe.key);
      const locked = /object lock|retention|legal hold/i.test(versionRefusal.message);
      const reason = locked
        ? 'Object Lock retention protects it until its retention period ends'
        : 's3:DeleteObjectVersion is not granted';
      const missing: Grant[] = locked
        ? []
        : [{ actions: ['s3:DeleteObjectVersion'], resources: [objects(target)] }];
      const outcome: Outcome = {
        status: 'warn',
        message:
          `The bucket is versioned: the probe's version ${probe.versionId} remains at ${where}` +
          ` under delete marker ${marker.VersionId ?? '(unknown)'}, because ${reason}. It holds no data of yours; a later run sweeps it when it can.`,
        error: versionRefusal,
        missing,
      };
      if (!locked) outcome.remediation = `Allow s3:DeleteObjectVersion on ${objects(target)}`;
      return outcome;
    }
  },
  explainDenial: (t, ctx) => ({
    message: `${who(ctx)} may not delete in ${place(t)}; the probe remains at s3://${t.bucket}/${ctx.facts.probe?.key ?? ''}${ctx.facts.probe?.versionId ? ` (version ${ctx.facts.probe.versionId})` : ''}.`,
  }),
};
