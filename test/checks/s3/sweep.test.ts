import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { s3List } from '../../../src/checks/s3/list.ts';
import { probeBody, probeKey } from '../../../src/checks/s3/probe.ts';
import type { CheckContext } from '../../../src/core/check.ts';
import { objectBody, s3Error } from '../../support/aws-errors.ts';
import { ACCOUNT, bucketContext, run, verificationInfo } from '../../support/context.ts';

const s3 = mockClient(S3Client);
const KEY = 'out/.aws-access-verifier-probe-acme-20261122T100000Z-7f0c';
const old = new Date(Date.now() - 2 * 60 * 60 * 1000);

/** A bucket where s3.delete is planned: its grants, in the session, are what the sweep uses. */
function deletingContext(): CheckContext<'bucket'> {
  const ctx = bucketContext(
    { bucket: 'acme-destination', prefix: 'out/' },
    { facts: { probe: { key: KEY, sha256: 'x' } } },
  );
  ctx.principal.needs = [
    {
      check: 's3.delete',
      targetKey: ctx.target.key,
      targetLabel: ctx.target.label,
      grant: { actions: ['s3:DeleteObject'], resources: ['arn:aws:s3:::acme-destination/out/*'] },
    },
  ];
  return ctx;
}

describe('the sweep of leftover probes, in s3.list’s page', () => {
  beforeEach(() => {
    s3.reset();
  });

  it('sweeps only this deployment’s own probes: exact key, probe size, probe body, older than an hour', async () => {
    // Prepare
    const earlier = verificationInfo({
      id: '0b3f6a2e-5c1d-4e8f-9a7b-2c4d6e8f0a1b',
      startedAt: new Date('2026-11-21T09:00:00.123Z'),
    });
    const leftover = probeKey('out/', earlier);
    const size = Buffer.byteLength(probeBody(earlier));
    const bodies: Record<string, string> = {
      [leftover]: probeBody(earlier),
      // A customer's object under the marker, of a probe's size: its body is not a probe's.
      [probeKey('out/', verificationInfo({ id: '11111111-2222-4333-8444-555555555555' }))]: 'x'.repeat(size),
    };
    s3.on(DeleteObjectCommand).resolves({});
    s3.on(GetObjectCommand).callsFake((input) => ({ Body: objectBody(bodies[input.Key] ?? '') }));
    s3.on(ListObjectsV2Command).resolves({
      Contents: [
        { Key: leftover, LastModified: old, Size: size },
        { Key: 'out/.aws-access-verifier-probe-README-keep-this.txt', LastModified: old, Size: size },
        { Key: probeKey('out/', verificationInfo({ vendorName: 'acme-2' })), LastModified: old, Size: size },
        { Key: `${leftover}.bak`, LastModified: old, Size: size },
        { Key: probeKey('out/', verificationInfo()), LastModified: new Date(), Size: size },
        {
          Key: probeKey('out/', verificationInfo({ id: '11111111-2222-4333-8444-555555555555' })),
          LastModified: old,
          Size: size,
        },
        {
          Key: probeKey('out/', verificationInfo({ id: '21111111-2222-4333-8444-555555555555' })),
          LastModified: old,
          Size: size + 1,
        },
        { Key: 'out/2026/part-0.csv', LastModified: old, Size: size },
      ],
    });
    const ctx = deletingContext();

    // Act
    const listed = await run(s3List, ctx);
    const swept = await ctx.facts.sweep;

    // Assess
    expect(listed.status).toBe('pass');
    expect(swept).toBe(' Swept 1 leftover probe(s) of earlier runs.');
    // One listing, s3.list's own: the sweep lists nothing more.
    expect(s3).toReceiveCommandExactlyOnceWith(ListObjectsV2Command, {
      Prefix: 'out/',
      ExpectedBucketOwner: ACCOUNT,
    });
    const deleted = s3.commandCalls(DeleteObjectCommand).map((c) => c.args[0].input);
    expect(deleted).toEqual([{ Bucket: 'acme-destination', Key: leftover, ExpectedBucketOwner: ACCOUNT }]);
    // Only what matched the key and size was read back, and then only its ~250 bytes.
    const read = s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key);
    expect(read.sort()).toEqual(Object.keys(bodies).sort());
  });

  it('does not sweep a probe it cannot read back', async () => {
    const earlier = verificationInfo({ id: '0b3f6a2e-5c1d-4e8f-9a7b-2c4d6e8f0a1b' });
    s3.on(DeleteObjectCommand).resolves({});
    s3.on(GetObjectCommand).rejects(s3Error('AccessDenied', 403));
    s3.on(ListObjectsV2Command).resolves({
      Contents: [{ Key: probeKey('out/', earlier), LastModified: old, Size: probeBody(earlier).length }],
    });
    const ctx = deletingContext();

    await run(s3List, ctx);

    expect(await ctx.facts.sweep).toBe('');
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);
  });

  it('sweeps nothing where s3.delete is not planned: a read-only bucket’s session may not delete', async () => {
    const earlier = verificationInfo({ id: '0b3f6a2e-5c1d-4e8f-9a7b-2c4d6e8f0a1b' });
    s3.on(ListObjectsV2Command).resolves({
      Contents: [{ Key: probeKey('out/', earlier), LastModified: old, Size: probeBody(earlier).length }],
    });
    const ctx = bucketContext({ bucket: 'acme-input', prefix: 'out/' });

    expect((await run(s3List, ctx)).status).toBe('pass');

    expect(ctx.facts.sweep).toBeUndefined();
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });
});
