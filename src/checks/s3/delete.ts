import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { s3ObjectsArn } from '../../core/arn.ts';
import type { CheckContext, CheckDescriptor } from '../../core/check.ts';
import { classify } from '../../core/classify.ts';
import type { Grant } from '../../core/iam-documents.ts';
import type { Outcome } from '../../core/outcome.ts';
import { judgedBySimulation } from '../iam/simulation.ts';
import { bucketParams, place, probeReadGrant, s3Of, who } from './probe.ts';

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

/** What the sweep of earlier runs' leftovers removed, once s3.list (which starts it) has settled. */
async function swept(ctx: CheckContext<'bucket'>): Promise<string> {
  await ctx.outcomeOf('s3.list');
  return (await ctx.facts.sweep) ?? '';
}

export const s3Delete: CheckDescriptor<'bucket', 's3.delete'> = {
  id: 's3.delete',
  title: 'The principal may delete the probe it wrote',
  scope: 'bucket',
  // Wherever a probe is written, even where the profile does not ask for delete: nothing is
  // left in a customer's bucket, and the setup's policy must allow that clean-up too. The
  // zero-write probe on a marker writes no probe, so it needs none.
  cleansUp: (t, requirementOf) => t.marker !== 'probe' && requirementOf('s3.write') !== 'off',
  dependsOn: [
    { id: 's3.write', kind: 'hard' },
    { id: 's3.read', kind: 'soft' },
    // Only to report the sweep s3.list started beside the probe (s3/sweep.ts).
    { id: 's3.list', kind: 'asked' },
  ],
  // A second DeleteObject (a delete marker) only where deleting the version is refused.
  calls: ['DeleteObject'],
  // In no-write mode, the one simulation of the verification, if this check asks first.
  mayCall: ['SimulatePrincipalPolicy'],
  grants: (t) => [
    { actions: ['s3:DeleteObject'], resources: [objects(t)] },
    // Removing the probe's version in a versioned bucket; asked for only where the bucket is versioned.
    { actions: ['s3:DeleteObjectVersion'], resources: [objects(t)], sessionOnly: true },
    // The sweep (started by s3.list, see s3/sweep.ts) reads a leftover back before deleting it.
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
      return { status: 'pass', message: `Deleted the probe ${where}.${await swept(ctx)}` };
    }

    try {
      await del(ctx, probe.key, probe.versionId);
      return {
        status: 'pass',
        message: `Deleted the probe ${where} and its version ${probe.versionId}.${await swept(ctx)}`,
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
