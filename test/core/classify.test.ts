import { describe, expect, it } from 'vitest';
import { classify, fixableByIdentityPolicy, parseRefusal } from '../../src/core/classify.ts';
import { headError, kmsError, networkError, s3Error, stsError } from '../support/aws-errors.ts';

const ARN = 'arn:aws:sts::111122223333:assumed-role/VendorAccess/s';
const refusal = (tail: string) =>
  `User: ${ARN} is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::acme/out/x" ${tail}`;

describe('classify', () => {
  it.each([
    ['because no identity-based policy allows the s3:PutObject action', 'identity-based policy', false, true],
    ['with an explicit deny in an identity-based policy', 'identity-based policy', true, false],
    [
      'because no resource-based policy allows the s3:PutObject action',
      'resource-based policy',
      false,
      false,
    ],
    ['with an explicit deny in a resource-based policy', 'resource-based policy', true, false],
    ['with an explicit deny in a service control policy', 'service control policy', true, false],
    ['because no permissions boundary allows the s3:PutObject action', 'permissions boundary', false, false],
    ['with an explicit deny in a resource control policy', 'resource control policy', true, false],
  ])('reads a refusal "%s" as a denial by the %s', (tail, policyType, explicitDeny, fixable) => {
    const c = classify(s3Error('AccessDenied', 403, refusal(tail)));

    expect(c).toMatchObject({
      kind: 'denied',
      policyType,
      explicitDeny,
      action: 's3:PutObject',
      resource: 'arn:aws:s3:::acme/out/x',
      info: { code: 'AccessDenied', httpStatus: 403, requestId: 'EXAMPLE0REQUEST0ID' },
    });
    expect(c.kind === 'denied' && fixableByIdentityPolicy(c)).toBe(fixable);
    expect(c.hint).toBeTruthy();
  });

  it('blames this service, not the customer, when its own session policy refused', () => {
    const c = classify(
      s3Error('AccessDenied', 403, refusal('because no session policy allows the s3:PutObject action')),
    );
    expect(c).toMatchObject({ kind: 'error', ours: true });
  });

  it('takes the plain cross-account "Access Denied" and a body-less HEAD 403 as denials', () => {
    expect(classify(s3Error('AccessDenied', 403, 'Access Denied'))).toMatchObject({
      kind: 'denied',
      explicitDeny: false,
    });
    expect(classify(headError(403))).toMatchObject({ kind: 'denied', info: { code: 'AccessDenied' } });
    expect(classify(headError(301)).info.code).toBe('PermanentRedirect');
  });

  it.each([
    ['InvalidAccessKeyId', 403],
    ['InvalidClientTokenId', 403],
    ['SignatureDoesNotMatch', 403],
    ['ExpiredToken', 400],
  ])('takes %s as a refusal of the credentials', (code, status) => {
    expect(classify(stsError(code, status, 'x'))).toMatchObject({ kind: 'denied', info: { code } });
  });

  it.each(['SignatureDoesNotMatch', 'InvalidClientTokenId', 'ExpiredToken', 'InvalidAccessKeyId'])(
    'takes %s on credentials this service signed with (its own, or the session STS issued it) as ours',
    (code) => {
      const err = s3Error(
        code,
        403,
        'The request signature we calculated does not match the signature you provided.',
      );

      expect(classify(err, { credentials: 'verifier' })).toMatchObject({
        kind: 'error',
        ours: true,
        info: { code },
      });
      // A key pair's own is the customer's to fix.
      expect(classify(err, { credentials: 'customer' })).toMatchObject({ kind: 'denied' });
    },
  );

  it.each([
    // Services that name no resource.
    [
      `User: ${ARN} is not authorized to perform: redshift:DescribeClusters because no identity-based policy allows the redshift:DescribeClusters action`,
      { action: 'redshift:DescribeClusters', policyType: 'identity-based policy', explicitDeny: false },
    ],
    // S3 refusing a write for the caller's KMS permissions: the key, unquoted.
    [
      `User: ${ARN} is not authorized to perform: kms:GenerateDataKey on resource: arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab because no identity-based policy allows the kms:GenerateDataKey action`,
      {
        action: 'kms:GenerateDataKey',
        resource: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        policyType: 'identity-based policy',
      },
    ],
    [
      `User: ${ARN} is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::my.bucket/in/a.b.csv" because no VPC endpoint policy allows the s3:GetObject action`,
      {
        action: 's3:GetObject',
        resource: 'arn:aws:s3:::my.bucket/in/a.b.csv',
        policyType: 'VPC endpoint policy',
      },
    ],
    [
      `User: ${ARN} is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::acme/x" with an explicit deny in a VPC endpoint policy`,
      { policyType: 'VPC endpoint policy', explicitDeny: true },
    ],
    [
      `User: ${ARN} is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::acme/x" because no service control policy allows the s3:PutObject action`,
      { policyType: 'service control policy', explicitDeny: false },
    ],
    // Newer wording names the denying policy after the type.
    [
      `User: ${ARN} is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::acme/x" with an explicit deny in a service control policy: arn:aws:organizations::999988887777:policy/o-a1b2c3d4e5/service_control_policy/p-examplepolicyid111`,
      {
        action: 's3:PutObject',
        resource: 'arn:aws:s3:::acme/x',
        policyType: 'service control policy',
        explicitDeny: true,
      },
    ],
    [
      `User: ${ARN} is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab because no resource-based policy allows the kms:Decrypt action`,
      { action: 'kms:Decrypt', policyType: 'resource-based policy', explicitDeny: false },
    ],
  ])('parses what AWS named in "%s"', (message, named) => {
    expect(parseRefusal(message)).toMatchObject(named);
    expect(classify(kmsError('AccessDeniedException', 400, message))).toMatchObject({
      kind: 'denied',
      ...named,
    });
  });

  it.each([
    ['Throttling', 400],
    ['ThrottlingException', 400],
    ['SlowDown', 503],
    ['InternalError', 500],
    ['ServiceUnavailable', 503],
    ['SomethingNew', 400],
  ])('takes %s (%i) as inconclusive', (code, status) => {
    expect(classify(s3Error(code, status, 'x'))).toMatchObject({ kind: 'error', ours: false });
  });

  it('takes time-outs, aborts and network faults as inconclusive', () => {
    expect(classify(Object.assign(new Error('t'), { name: 'TimeoutError' }))).toMatchObject({
      kind: 'error',
    });
    expect(classify(Object.assign(new Error('a'), { name: 'AbortError' }))).toMatchObject({ kind: 'error' });
    expect(classify(networkError('ECONNRESET'))).toMatchObject({
      kind: 'error',
      info: { code: 'ECONNRESET' },
    });
    expect(classify(networkError('ENOTFOUND')).hint).toMatch(/connection/);
  });

  it('blames this service for its missing credentials and a skewed clock', () => {
    expect(
      classify(Object.assign(new Error('no creds'), { name: 'CredentialsProviderError' })),
    ).toMatchObject({
      kind: 'error',
      ours: true,
      info: { code: 'ServiceCredentialsUnavailable' },
    });
    expect(classify(s3Error('RequestTimeTooSkewed', 403, 'skewed'))).toMatchObject({
      kind: 'error',
      ours: true,
    });
  });
});
