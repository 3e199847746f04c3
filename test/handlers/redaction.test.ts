import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CHECK_IDS } from '../../src/checks/index.ts';
import { externalIdFor, localDevSecret } from '../../src/core/external-id.ts';
import { createDeps } from '../../src/handlers/deps.ts';
import { createSetupHandler } from '../../src/handlers/factories/setup.ts';
import { type TenantWorkDeps, tenantWorkDeps } from '../../src/handlers/factories/tenant-work.ts';
import { createVerifyHandler } from '../../src/handlers/factories/verify.ts';
import type { LambdaHttpHandler } from '../../src/handlers/http.ts';
import { assumeRoleDenied, s3Error } from '../support/aws-errors.ts';
import { contractChecked } from '../support/contract.ts';
import { httpEvent, lambdaContext } from '../support/events.ts';
import { refuseSimulation } from '../support/iam-simulation.ts';

/** Every secret the tests below hand to the service or receive from (mocked) AWS. */
const KEY_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const KEY_TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLEcustomerSessionToken0000';
const ROLE_SECRET = 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY';
const ROLE_TOKEN = 'FwoGZXIvYXdzEXAMPLEvendorSessionToken1111';
const TENANT_EXTERNAL_ID = externalIdFor(localDevSecret(), 't-123');
const OTHER_EXTERNAL_ID = externalIdFor(localDevSecret(), 't-999');

const sts = mockClient(STSClient);
refuseSimulation();
const s3 = mockClient(S3Client);
let output = '';
let deps: TenantWorkDeps;
const verify = { handler: (() => undefined) as unknown as LambdaHttpHandler };
const setup = { handler: (() => undefined) as unknown as LambdaHttpHandler };

describe('no secret in any log line or response', () => {
  beforeAll(async () => {
    // Loggers take their level from the environment when they are made.
    process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
    deps = tenantWorkDeps(createDeps(CHECK_IDS));
    verify.handler = createVerifyHandler(deps);
    setup.handler = createSetupHandler(deps);
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        output += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
        return true;
      });
    }
    sts.on(AssumeRoleCommand).callsFake((input) => {
      if (!input.ExternalId?.startsWith('v1-')) throw assumeRoleDenied();
      return {
        Credentials: {
          AccessKeyId: 'ASIAIOSFODNN7EXAMPLE',
          SecretAccessKey: ROLE_SECRET,
          SessionToken: ROLE_TOKEN,
          Expiration: new Date(),
        },
        AssumedRoleUser: {
          Arn: 'arn:aws:sts::111122223333:assumed-role/VendorAccess/acme',
          AssumedRoleId: 'x',
        },
      };
    });
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '111122223333', Arn: 'arn:aws:iam::111122223333:user/u' });
    s3.on(HeadBucketCommand).resolves({});
    s3.on(ListObjectsV2Command).rejects(s3Error('AccessDenied', 403));
    s3.on(PutObjectCommand).resolves({});
    s3.on(GetObjectCommand).rejects(s3Error('InternalError', 500, 'We encountered an internal error.'));
    s3.on(DeleteObjectCommand).resolves({});
  });
  afterAll(() => {
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    vi.restoreAllMocks();
  });

  it('drives every path and finds none of its secrets in the output', async () => {
    process.env.POWERTOOLS_LOGGER_LOG_EVENT = 'true';
    const keyPair = {
      type: 'accessKey',
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: KEY_SECRET,
      sessionToken: KEY_TOKEN,
    };
    const role = { type: 'role', roleArn: 'arn:aws:iam::111122223333:role/VendorAccess' };
    const bodies = [
      { credentials: role, profile: 'staging', s3: [{ bucket: 'acme-exports' }] },
      { credentials: keyPair, s3: [{ bucket: 'acme-exports', access: 'readwrite' }] },
      { credentials: { ...keyPair, extra: KEY_SECRET }, tenantId: OTHER_EXTERNAL_ID },
      { credentials: { ...keyPair, secretAccessKey: `${KEY_SECRET}!` } },
      { credentials: keyPair, pad: 'x'.repeat(70_000) },
    ];
    const responses: string[] = [];
    for (const b of bodies) {
      const res = await contractChecked(verify.handler)(
        httpEvent({ body: JSON.stringify(b) }),
        lambdaContext(),
      );
      responses.push(res.body ?? '');
    }
    responses.push(
      (
        await contractChecked(verify.handler)(
          httpEvent({ body: `{"credentials":{"secretAccessKey":"${KEY_SECRET}"` }),
          lambdaContext(),
        )
      ).body ?? '',
    );
    const broken = createVerifyHandler({
      ...deps,
      awsFactory: () => {
        throw new Error('defect');
      },
    });
    responses.push(
      (await contractChecked(broken)(httpEvent({ body: JSON.stringify(bodies[1]) }), lambdaContext())).body ??
        '',
    );
    responses.push(
      (
        await contractChecked(setup.handler)(
          httpEvent({ method: 'GET', path: '/setup', rawQueryString: 'bucket=acme-exports' }),
          lambdaContext('setup'),
        )
      ).body ?? '',
    );
    delete process.env.POWERTOOLS_LOGGER_LOG_EVENT;

    // Assess: the logs said something (the test can fail), and none of it is secret.
    expect(output).toContain('verification finished');
    expect(output).toContain('request refused');
    expect(output).toContain('unhandled error');
    for (const secret of [
      KEY_SECRET,
      KEY_TOKEN,
      ROLE_SECRET,
      ROLE_TOKEN,
      TENANT_EXTERNAL_ID,
      OTHER_EXTERNAL_ID,
    ]) {
      expect(output).not.toContain(secret);
    }
    const all = responses.join('\n');
    expect(all).toContain('"status"');
    for (const secret of [KEY_SECRET, KEY_TOKEN, ROLE_SECRET, ROLE_TOKEN, OTHER_EXTERNAL_ID])
      expect(all).not.toContain(secret);
  });
});
