import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { s3Delete } from '../../../src/checks/s3/delete.ts';
import { s3Error } from '../../support/aws-errors.ts';
import { ACCOUNT, bucketContext, run } from '../../support/context.ts';

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

  it('reports the sweep s3.list started, once s3.list has settled', async () => {
    s3.on(DeleteObjectCommand).resolves({});
    const ctx = bucketContext(
      { bucket: 'acme-destination', prefix: 'out/' },
      {
        facts: {
          probe: { key: KEY, sha256: 'x' },
          sweep: Promise.resolve(' Swept 1 leftover probe(s) of earlier runs.'),
        },
      },
    );
    const asked: string[] = [];
    const outcomeOf = ctx.outcomeOf;
    ctx.outcomeOf = (id, key) => {
      asked.push(id);
      return outcomeOf(id, key);
    };

    const outcome = await run(s3Delete, ctx);

    expect(outcome.message).toBe(
      `Deleted the probe s3://acme-destination/${KEY}. Swept 1 leftover probe(s) of earlier runs.`,
    );
    expect(asked).toEqual(['s3.list']);
    // The sweep's own calls are s3.list's: the delete sends only its probe's.
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(1);
  });
});
