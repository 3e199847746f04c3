import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { s3Delete } from '../../../src/checks/s3/delete.ts';
import { probeBody, probeKey } from '../../../src/checks/s3/probe.ts';
import { objectBody, s3Error } from '../../support/aws-errors.ts';
import { ACCOUNT, bucketContext, run, verificationInfo } from '../../support/context.ts';

const s3 = mockClient(S3Client);
const KEY = 'out/.aws-access-verifier-probe-acme-20261122T100000Z-7f0c';
const versioned = { key: KEY, sha256: 'x', versionId: 'v-probe' };

/** A versioned bucket where deleting a version is refused but a plain delete leaves a marker. */
function refuseVersionDelete(message: string) {
  s3.on(DeleteObjectCommand).callsFake((input) => {
    if (input.VersionId) throw s3Error('AccessDenied', 403, message);
    return { DeleteMarker: true, VersionId: 'v-marker' };
  });
}

describe('s3.delete', () => {
  beforeEach(() => {
    s3.reset();
  });

  it('deletes the probe in an unversioned bucket, naming the owner', async () => {
    // Prepare
    s3.on(DeleteObjectCommand).resolves({});
    const ctx = bucketContext(
      { bucket: 'acme-destination', prefix: 'out/' },
      { facts: { probe: { key: KEY, sha256: 'x' } } },
    );

    // Act
    const outcome = await run(s3Delete, ctx);

    // Assess
    expect(outcome).toEqual({ status: 'pass', message: `Deleted the probe s3://acme-destination/${KEY}.` });
    expect(s3).toReceiveCommandExactlyOnceWith(DeleteObjectCommand, {
      Bucket: 'acme-destination',
      Key: KEY,
      ExpectedBucketOwner: ACCOUNT,
    });
  });

  it('deletes the probe’s version in a versioned bucket, so nothing remains', async () => {
    s3.on(DeleteObjectCommand).resolves({ VersionId: 'v-probe' });
    const ctx = bucketContext({ bucket: 'acme-destination' }, { facts: { probe: versioned } });

    expect((await run(s3Delete, ctx)).status).toBe('pass');
    expect(s3).toReceiveCommandExactlyOnceWith(DeleteObjectCommand, { Key: KEY, VersionId: 'v-probe' });
  });

  it('warns, naming the version and the delete marker, without s3:DeleteObjectVersion', async () => {
    refuseVersionDelete('Access Denied');
    const ctx = bucketContext(
      { bucket: 'acme-destination', prefix: 'out/' },
      { facts: { probe: versioned } },
    );

    const outcome = await run(s3Delete, ctx);

    expect(outcome).toMatchObject({
      status: 'warn',
      missing: [{ actions: ['s3:DeleteObjectVersion'], resources: ['arn:aws:s3:::acme-destination/out/*'] }],
      remediation: 'Allow s3:DeleteObjectVersion on arn:aws:s3:::acme-destination/out/*',
    });
    expect(outcome.message).toMatch(/version v-probe remains .* under delete marker v-marker/);
    const second = s3.commandCalls(DeleteObjectCommand)[1]?.args[0].input;
    expect(second).toEqual({ Bucket: 'acme-destination', Key: KEY, ExpectedBucketOwner: ACCOUNT });
  });

  it('warns without asking for a permission when Object Lock keeps the version', async () => {
    refuseVersionDelete('Access Denied because object protected by object lock.');

    const outcome = await run(
      s3Delete,
      bucketContext({ bucket: 'acme-locked' }, { facts: { probe: versioned } }),
    );

    expect(outcome).toMatchObject({ status: 'warn', missing: [] });
    expect(outcome.message).toMatch(/Object Lock retention/);
    expect(outcome).not.toHaveProperty('remediation');
  });

  it('fails, saying where the probe remains, when no delete is allowed', async () => {
    s3.on(DeleteObjectCommand).rejects(s3Error('AccessDenied', 403));

    const outcome = await run(
      s3Delete,
      bucketContext({ bucket: 'acme-destination' }, { facts: { probe: versioned } }),
    );

    expect(outcome.status).toBe('fail');
    expect(outcome.message).toContain(`the probe remains at s3://acme-destination/${KEY} (version v-probe)`);
  });

  it('skips without a probe', async () => {
    expect((await run(s3Delete, bucketContext({ bucket: 'acme-destination' }))).status).toBe('skip');
  });

  it('sweeps only this deployment’s own probes: exact key, probe size, probe body, older than an hour', async () => {
    // Prepare
    const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
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
      ],
    });
    const ctx = bucketContext(
      { bucket: 'acme-destination', prefix: 'out/' },
      { facts: { probe: { key: KEY, sha256: 'x' }, listing: { keyCount: 3 } } },
    );

    // Act
    const outcome = await run(s3Delete, ctx);

    // Assess
    expect(outcome.message).toMatch(/Swept 1 leftover probe/);
    expect(s3).toReceiveCommandWith(ListObjectsV2Command, {
      Prefix: 'out/.aws-access-verifier-probe-',
      ExpectedBucketOwner: ACCOUNT,
    });
    const deleted = s3.commandCalls(DeleteObjectCommand).map((c) => c.args[0].input.Key);
    expect(deleted).toEqual([KEY, leftover]);
    // Only what matched the key and size was read back, and then only its ~250 bytes.
    const read = s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key);
    expect(read.sort()).toEqual(Object.keys(bodies).sort());
  });

  it('does not sweep a probe it cannot read back', async () => {
    const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
    const earlier = verificationInfo({ id: '0b3f6a2e-5c1d-4e8f-9a7b-2c4d6e8f0a1b' });
    s3.on(DeleteObjectCommand).resolves({});
    s3.on(GetObjectCommand).rejects(s3Error('AccessDenied', 403));
    s3.on(ListObjectsV2Command).resolves({
      Contents: [{ Key: probeKey('out/', earlier), LastModified: old, Size: probeBody(earlier).length }],
    });
    const ctx = bucketContext(
      { bucket: 'acme-destination', prefix: 'out/' },
      { facts: { probe: { key: KEY, sha256: 'x' }, listing: { keyCount: 3 } } },
    );

    const outcome = await run(s3Delete, ctx);

    expect(outcome).toEqual({ status: 'pass', message: `Deleted the probe s3://acme-destination/${KEY}.` });
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(1);
  });
});
