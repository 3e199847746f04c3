import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { sha256 } from '../../../src/checks/s3/probe.ts';
import { s3Read } from '../../../src/checks/s3/read.ts';
import { objectBody, s3Error } from '../../support/aws-errors.ts';
import { ACCOUNT, bucketContext, KEY_ARN, run } from '../../support/context.ts';

const s3 = mockClient(S3Client);
const PROBE = { key: 'vendor/.aws-access-verifier-probe-x', sha256: sha256('probe body') };

describe('s3.read', () => {
  beforeEach(() => {
    s3.reset();
  });

  it('reads the probe back whole and compares its checksum', async () => {
    // Prepare
    s3.on(GetObjectCommand).callsFake(() => ({ Body: objectBody('probe body') }));
    const ctx = bucketContext({ bucket: 'acme-exports', prefix: 'vendor/' }, { facts: { probe: PROBE } });

    // Act
    const outcome = await run(s3Read, ctx);

    // Assess
    expect(outcome).toEqual({ status: 'pass', message: 'Read the probe back; its checksum matches.' });
    expect(s3).toReceiveCommandExactlyOnceWith(GetObjectCommand, {
      Bucket: 'acme-exports',
      Key: PROBE.key,
      ExpectedBucketOwner: ACCOUNT,
    });
    expect(s3.commandCalls(GetObjectCommand)[0]?.args[0].input).not.toHaveProperty('Range');
  });

  it('is inconclusive when the probe comes back different', async () => {
    s3.on(GetObjectCommand).callsFake(() => ({ Body: objectBody('something else') }));
    const ctx = bucketContext({ bucket: 'acme-exports' }, { facts: { probe: PROBE } });
    expect((await run(s3Read, ctx)).status).toBe('error');
  });

  it('reads one byte of a listed customer object, never the whole of it', async () => {
    s3.on(GetObjectCommand).callsFake(() => ({ Body: objectBody('a') }));
    const ctx = bucketContext(
      { bucket: 'acme-input', prefix: 'in/', access: 'read' },
      { facts: { listing: { keyCount: 1, firstKey: 'in/big.parquet' } } },
    );

    const outcome = await run(s3Read, ctx);

    expect(outcome).toEqual({ status: 'pass', message: 'Read the first byte of in/big.parquet.' });
    expect(s3).toReceiveCommandExactlyOnceWith(GetObjectCommand, {
      Bucket: 'acme-input',
      Key: 'in/big.parquet',
      Range: 'bytes=0-0',
      ExpectedBucketOwner: ACCOUNT,
    });
  });

  it.each([
    ['InvalidRange', 416, /it is empty/],
    ['InvalidObjectState', 403, /archived/],
  ])('counts %s on the listed object as allowed', async (code, status, message) => {
    s3.on(GetObjectCommand).rejects(s3Error(code, status, 'x'));
    const ctx = bucketContext(
      { bucket: 'acme-input' },
      { facts: { listing: { keyCount: 1, firstKey: 'k' } } },
    );

    const outcome = await run(s3Read, ctx);

    expect(outcome.status).toBe('pass');
    expect(outcome.message).toMatch(message);
  });

  it('tells allowed from refused on an empty prefix by asking for an absent key', async () => {
    const ctx = () =>
      bucketContext({ bucket: 'acme-input', prefix: 'in/' }, { facts: { listing: { keyCount: 0 } } });
    s3.on(GetObjectCommand).rejects(s3Error('NoSuchKey', 404, 'The specified key does not exist.'));
    expect((await run(s3Read, ctx())).status).toBe('pass');
    expect(s3.commandCalls(GetObjectCommand)[0]?.args[0].input.Key).toMatch(
      /^in\/\.aws-access-verifier-probe-absent-/,
    );

    s3.reset();
    const refused = `User: arn:aws:sts::${ACCOUNT}:assumed-role/VendorAccess/s is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::acme-input/in/x" because no identity-based policy allows the s3:GetObject action`;
    s3.on(GetObjectCommand).rejects(s3Error('AccessDenied', 403, refused));
    expect(await run(s3Read, ctx())).toMatchObject({
      status: 'fail',
      remediation: 'Allow s3:GetObject on arn:aws:s3:::acme-input/in/*',
    });
  });

  it('says it cannot tell when S3 hides the absent key behind a bare 403 (ListBucket scoped to the prefix)', async () => {
    s3.on(GetObjectCommand).rejects(s3Error('AccessDenied', 403, 'Access Denied'));
    const ctx = bucketContext(
      { bucket: 'acme-input', prefix: 'in/' },
      { facts: { listing: { keyCount: 0 } } },
    );

    const outcome = await run(s3Read, ctx);

    expect(outcome.status).toBe('skip');
    expect(outcome.message).toMatch(/would not say whether reading is allowed/);
  });

  it('skips when there is nothing to read and nothing listed', async () => {
    expect((await run(s3Read, bucketContext({ bucket: 'acme-input' }))).status).toBe('skip');
    expect(s3.calls()).toHaveLength(0);
  });

  it('asks for exactly the KMS key when S3 says the role may not decrypt with it', async () => {
    const message = `User: arn:aws:sts::${ACCOUNT}:assumed-role/VendorAccess/s is not authorized to perform: kms:Decrypt on resource: ${KEY_ARN} because no identity-based policy allows the kms:Decrypt action`;
    s3.on(GetObjectCommand).rejects(s3Error('AccessDenied', 403, message));
    const ctx = bucketContext({ bucket: 'acme-exports' }, { facts: { probe: PROBE } });

    expect(await run(s3Read, ctx)).toMatchObject({
      status: 'fail',
      missing: [{ actions: ['kms:Decrypt'], resources: [KEY_ARN] }],
      remediation: `Allow kms:Decrypt on ${KEY_ARN}`,
    });
  });
});
